package org.sparkdigits.spark;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.LineSyntax;

/**
 * Turns the rows of Spark's text source ({@code file_path, file_block_start, value}) into parsed
 * records, lazily, one input split after the other. Skips each file's header line and blank lines, and
 * locates every line by (file, split start, position in split).
 */
final class LineParser implements Serializable {

    /** First byte of an encoded rejected row; a valid record starts with a label 0-9 or a pixel. */
    static final byte REJECT_MARK = (byte) 0xFF;

    private final Map<String, InputFile> files;

    /** @param files the inputs, keyed by {@link #key(String)} of their paths */
    LineParser(Map<String, InputFile> files) {
        this.files = files;
    }

    /** An input file's identity regardless of how it is spelled ({@code file:/x}, {@code file:///x}). */
    static String key(String path) {
        return new Path(path).toUri().getPath();
    }

    /**
     * The {@link #key} of a path as Spark's {@code _metadata.file_path} gives it: URL-encoded ({@code sp%20ace} for a
     * space; {@code %25} for a percent sign), unlike the decoded paths of {@link InputFile}.
     */
    static String sparkKey(String encoded) {
        try {
            return new java.net.URI(encoded).getPath();
        } catch (java.net.URISyntaxException e) {
            return key(encoded);
        }
    }

    /**
     * A reader of Spark's file sources that reads its paths as they are named, not as globs (our paths are resolved
     * files already): a {@code [} or {@code *} in a directory or file name is then just a character.
     */
    static org.apache.spark.sql.DataFrameReader literal(org.apache.spark.sql.DataFrameReader reader) {
        return reader.option("__globPaths__", "false");
    }

    /**
     * One parsed row: {@code record != null} for a valid row, else {@code reason} says what is wrong. Text rows are
     * located by the split's first byte and the line's position in the split (from 0, header and blank lines
     * counted); Parquet and IDX rows by their split's start and their record number in the file (from 0).
     */
    record Parsed(InputFile file, long blockStart, long position, byte[] record, String reason) {
    }

    Iterator<Parsed> parse(Iterator<Row> rows) {
        return new Iterator<>() {
            private String currentPath;
            private long currentStart = -1;
            private InputFile file;
            private LineSyntax parser;
            private long position;
            private Parsed next;

            @Override
            public boolean hasNext() {
                while (next == null && rows.hasNext()) {
                    Row row = rows.next();
                    String path = row.getString(0);
                    long start = row.getLong(1);
                    if (!path.equals(currentPath) || start != currentStart) {
                        currentPath = path;
                        currentStart = start;
                        file = files.get(sparkKey(path));
                        if (file == null) {
                            throw new IllegalStateException("unexpected input file " + path + " (known: " + files.keySet() + ")");
                        }
                        parser = LineSyntax.of(file.format(), file.labelled());
                        position = 0;
                    }
                    long pos = position++;
                    String line = row.getString(2);
                    if ((pos == 0 && start == 0 && file.header()) || line.isBlank()) {
                        continue;
                    }
                    byte[] rec = new byte[parser.fields()];
                    String problem = parser.parse(line, rec);
                    next = problem == null ? new Parsed(file, start, pos, rec, null) : new Parsed(file, start, pos, null, problem);
                }
                return next != null;
            }

            @Override
            public Parsed next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Parsed p = next;
                next = null;
                return p;
            }
        };
    }

    /** Encodes a rejected row as a record that travels through the shuffle with the valid ones. */
    static byte[] encodeReject(Parsed p) {
        byte[] text = (p.file().index() + "\t" + p.blockStart() + "\t" + p.position() + "\t" + p.reason())
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[text.length + 1];
        out[0] = REJECT_MARK;
        System.arraycopy(text, 0, out, 1, text.length);
        return out;
    }

    static Reject decodeReject(byte[] encoded) {
        String[] f = new String(encoded, 1, encoded.length - 1, StandardCharsets.UTF_8).split("\t", 4);
        return new Reject(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]);
    }

    /**
     * A 64-bit key of a record's content: which partition a row goes to and its order there, so the
     * blocks do not depend on how the input was split, on file order or on task timing.
     */
    static long contentKey(byte[] record) {
        long h = 0x9E3779B97F4A7C15L ^ record.length;
        int i = 0;
        for (; i + 8 <= record.length; i += 8) {
            long w = (record[i] & 0xFFL) | (record[i + 1] & 0xFFL) << 8 | (record[i + 2] & 0xFFL) << 16
                    | (record[i + 3] & 0xFFL) << 24 | (record[i + 4] & 0xFFL) << 32 | (record[i + 5] & 0xFFL) << 40
                    | (record[i + 6] & 0xFFL) << 48 | (record[i + 7] & 0xFFL) << 56;
            h = Long.rotateLeft(h ^ mix(w), 27) * 0x9E3779B97F4A7C15L + 0x52DCE729L;
        }
        long w = 0;
        for (int s = 0; i < record.length; i++, s += 8) {
            w |= (record[i] & 0xFFL) << s;
        }
        return mix(h ^ mix(w));
    }

    /** MurmurHash3's 64-bit finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
