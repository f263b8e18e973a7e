package org.sparkdigits.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.sparkdigits.data.InputFiles;

/**
 * Turns (split start, position in split) into a 1-based line number, on the driver, for error messages.
 * Runs only when something is wrong, so it may read the file.
 */
final class LineLocator {

    private LineLocator() {
    }

    /**
     * @param blockStart byte offset of the split (Spark's {@code _metadata.file_block_start})
     * @param position   0-based index of the line within the split
     * @return the line number, or -1 if it cannot be found
     */
    static long lineNumber(Configuration conf, String file, long blockStart, long position) {
        if (blockStart == 0) {
            return position + 1;
        }
        Path path = new Path(file);
        try {
            if (new CompressionCodecFactory(conf).getCodec(path) != null) {
                return -1; // a split of a splittable compressed file: offsets are not in lines
            }
            // A split that starts at S begins with the line after the first '\n' at or after S
            // (Hadoop's LineRecordReader); so its line 0 is line (newlines before S) + 2.
            FileSystem fs = path.getFileSystem(conf);
            long newlines = 0;
            try (InputStream in = fs.open(path)) {
                byte[] buf = new byte[1 << 16];
                long remaining = blockStart;
                while (remaining > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                    if (n < 0) {
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            newlines++;
                        }
                    }
                    remaining -= n;
                }
            }
            return newlines + 2 + position;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Reads {@code file} to its end; returns what went wrong, or {@code null} if it reads cleanly. */
    static String readProblem(Configuration conf, String file) {
        try (BufferedReader in = InputFiles.open(new Path(file), conf, new CompressionCodecFactory(conf))) {
            char[] buf = new char[1 << 16];
            while (in.read(buf) >= 0) {
                // read through
            }
            return null;
        } catch (IOException e) {
            return InputFiles.describe(e);
        }
    }
}
