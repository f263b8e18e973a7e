package org.sparkdigits.format;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.data.BoundedLines;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.LineSyntax;
import org.sparkdigits.data.RowParser;
import org.sparkdigits.io.InputException;

/**
 * What the line formats (CSV, LIBSVM) share: their lines come from Spark SQL's text source with their file and split
 * (far faster than Spark's CSV reader on 785 columns: see docs/performance.md), each parsed by the format's {@link LineSyntax};
 * a reject is located by its line number, counted on the driver when something is wrong.
 */
abstract class TextFormat implements DigitFormat {

    /** The parser of this format's lines. */
    abstract LineSyntax syntax(boolean labelled);

    @Override
    public JavaRDD<ParsedRow> read(SparkSession spark, List<InputFile> files) {
        Lines lines = new Lines(SparkFiles.byKey(files));
        return SparkFiles.literal(spark.read()).text(SparkFiles.paths(files))
                .select(col("_metadata.file_path"), col("_metadata.file_block_start"), col("value"))
                .javaRDD()
                .mapPartitions(lines::parse);
    }

    @Override
    public String locate(Configuration conf, InputFile file, Reject r) {
        long line = lineNumber(conf, file.path(), r.blockStart(), r.position());
        return line > 0 ? file.path() + ":" + line
                : file.path() + " (line " + (r.position() + 1) + " of the split at byte " + r.blockStart() + ")";
    }

    @Override
    public DigitBlock firstRows(InputFile f, int n, Configuration conf) {
        byte[] px = new byte[n * RowParser.PIXELS];
        byte[] lb = new byte[n];
        int got = readFirst(f, n, conf, syntax(true), "data", "", lb, px);
        return new DigitBlock(got, RowParser.PIXELS, Arrays.copyOf(lb, got), Arrays.copyOf(px, got * RowParser.PIXELS));
    }

    /**
     * Parses the first {@code n} rows of {@code f} as the load will (its labels or none, its header, blank lines
     * skipped), on this JVM, before any Spark job: the first bad one fails at once as the load would report it after
     * reading everything ({@code what: FILE:LINE: problem; use --on-bad-row skip to drop bad rows}).
     */
    public void checkFirstRows(InputFile f, int n, Configuration conf, String what) {
        readFirst(f, n, conf, syntax(f.labelled()), what, "; use --on-bad-row skip to drop bad rows", new byte[n],
                new byte[n * RowParser.PIXELS]);
    }

    /** Reads up to {@code n} rows into {@code lb}/{@code px}; the first bad one throws. Returns the rows read. */
    private static int readFirst(InputFile f, int n, Configuration conf, LineSyntax parser, String what, String hint,
                                 byte[] lb, byte[] px) {
        byte[] rec = new byte[parser.fields()];
        int got = 0;
        try (BoundedLines in = InputFiles.lines(new Path(f.path()), conf, new CompressionCodecFactory(conf), what)) {
            String s;
            while (got < n && (s = in.next()) != null) {
                long line = in.number();
                if ((line == 1 && f.header()) || s.isBlank()) {
                    continue;
                }
                String problem = parser.parse(s, rec);
                if (problem != null) {
                    throw new InputException(what + ": " + f.path() + ":" + line + ": " + problem + hint);
                }
                if (rec.length > RowParser.PIXELS) {   // a label, then the pixels
                    lb[got] = rec[0];
                    System.arraycopy(rec, 1, px, got * RowParser.PIXELS, RowParser.PIXELS);
                } else {
                    System.arraycopy(rec, 0, px, got * RowParser.PIXELS, RowParser.PIXELS);
                }
                got++;
            }
        } catch (IOException e) {
            throw new InputException(what + ": " + f.path() + ": cannot read (" + InputFiles.describe(e) + ")", e);
        }
        return got;
    }

    /**
     * Turns (split start, position in split) into a 1-based line number, on the driver: runs only when something is
     * wrong, so it may read the file up to the split.
     *
     * @return the line number, or -1 if it cannot be known (a split of a compressed file)
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
            long newlines = 0;
            try (InputStream in = org.sparkdigits.io.HadoopFs.open(path.getFileSystem(conf), path, "data", Long.MAX_VALUE)) {
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

    /**
     * Task side: the rows of Spark's text source ({@code file_path, file_block_start, value}) as parsed records,
     * lazily, one input split after the other; each file's header line and blank lines are skipped but counted.
     */
    @DefaultSerializer(JavaSerializer.class)
    private static final class Lines implements Serializable {

        private final Map<String, InputFile> files;

        Lines(Map<String, InputFile> files) {
            this.files = files;
        }

        Iterator<ParsedRow> parse(Iterator<Row> rows) {
            return new Iterator<>() {
                private String currentPath;
                private long currentStart = -1;
                private InputFile file;
                private LineSyntax parser;
                private long position;
                private ParsedRow next;

                @Override
                public boolean hasNext() {
                    while (next == null && rows.hasNext()) {
                        Row row = rows.next();
                        String path = row.getString(0);
                        long start = row.getLong(1);
                        if (!path.equals(currentPath) || start != currentStart) {
                            currentPath = path;
                            currentStart = start;
                            file = files.get(SparkFiles.sparkKey(path));
                            if (file == null) {
                                throw new IllegalStateException("unexpected input file " + path + " (known: "
                                        + files.keySet() + ")");
                            }
                            parser = ((TextFormat) DigitFormat.of(file.format())).syntax(file.labelled());
                            position = 0;
                        }
                        long pos = position++;
                        String line = row.getString(2);
                        if ((pos == 0 && start == 0 && file.header()) || line.isBlank()) {
                            continue;
                        }
                        byte[] rec = new byte[parser.fields()];
                        String problem = parser.parse(line, rec);
                        next = problem == null ? ParsedRow.valid(file, start, pos, rec)
                                : ParsedRow.rejected(file, start, pos, problem);
                    }
                    return next != null;
                }

                @Override
                public ParsedRow next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    ParsedRow p = next;
                    next = null;
                    return p;
                }
            };
        }
    }
}
