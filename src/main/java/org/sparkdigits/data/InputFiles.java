package org.sparkdigits.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.sparkdigits.core.DigitBlock;

/**
 * Resolves a user's input (a file, a directory or a glob, plain or compressed, on any Hadoop file
 * system) into {@link InputFile}s, on the driver, before any Spark job: missing and empty files, bad
 * gzip headers and the wrong number of columns are reported here, at once, by name. The header of each
 * file is detected from its first line.
 */
public final class InputFiles {

    private InputFiles() {
    }

    /**
     * @param spec what the user gave
     * @param what what it is for, used in messages (e.g. "training data")
     */
    /**
     * Whether {@code spec} (a file, a directory or a glob) names Parquet data: every data file it names ends with
     * {@code .parquet} (as augment writes them).
     *
     * @throws InputException if it mixes Parquet and other files, or names nothing
     */
    public static boolean parquet(String spec, Configuration conf, String what) {
        int parquet = 0;
        int other = 0;
        for (String p : dataPaths(spec, conf, what)) {
            if (p.toLowerCase(java.util.Locale.ROOT).endsWith(".parquet")) {
                parquet++;
            } else {
                other++;
            }
        }
        if (parquet > 0 && other > 0) {
            throw new InputException(what + ": " + spec + " mixes " + parquet + " Parquet and " + other + " other files");
        }
        return parquet > 0;
    }

    /**
     * The data files {@code spec} names, sorted: files as they are, a directory's files but those whose names
     * start with {@code _} or {@code .} (Spark's markers, temporary files).
     */
    private static java.util.SortedSet<String> dataPaths(String spec, Configuration conf, String what) {
        if (spec == null || spec.isBlank()) {
            throw new InputException(what + ": no path given");
        }
        TreeSet<String> paths = new TreeSet<>();
        try {
            Path pattern = new Path(spec);
            FileSystem fs = pattern.getFileSystem(conf);
            FileStatus[] matched = fs.globStatus(pattern);
            if (matched == null || matched.length == 0) {
                throw new InputException(what + ": " + spec + ": no such file or directory");
            }
            for (FileStatus s : matched) {
                if (s.isDirectory()) {
                    int before = paths.size();
                    for (FileStatus child : fs.listStatus(s.getPath())) {
                        String name = child.getPath().getName();
                        if (child.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                            paths.add(child.getPath().toString());
                        }
                    }
                    if (paths.size() == before) {
                        throw new InputException(what + ": directory " + s.getPath() + " holds no data files");
                    }
                } else {
                    paths.add(s.getPath().toString());
                }
            }
        } catch (IOException e) {
            throw new InputException(what + ": " + spec + ": cannot list (" + e.getMessage() + ")", e);
        }
        return paths;
    }

    public static List<InputFile> resolve(String spec, Configuration conf, String what) {
        java.util.SortedSet<String> paths = dataPaths(spec, conf, what);
        List<InputFile> files = new ArrayList<>();
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        for (String p : paths) {
            files.add(inspect(p, files.size(), conf, codecs, what));
        }
        InputFile first = files.get(0);
        for (InputFile f : files) {
            if (f.labelled() != first.labelled()) {
                throw new InputException(what + ": " + first.path() + (first.labelled() ? " has" : " has no")
                        + " label column but " + f.path() + (f.labelled() ? " has one" : " has none"));
            }
        }
        return files;
    }

    private static InputFile inspect(String p, int index, Configuration conf, CompressionCodecFactory codecs, String what) {
        Path path = new Path(p);
        try (BufferedReader in = open(path, conf, codecs)) {
            String line1 = in.readLine();
            if (line1 == null || (line1.isBlank() && in.readLine() == null)) {
                throw new InputException(what + ": " + p + ": file is empty");
            }
            boolean header = RowParser.isHeader(line1);
            String data = line1;
            int dataLine = 1;
            if (header) {
                data = in.readLine();
                dataLine = 2;
                if (data == null) {
                    throw new InputException(what + ": " + p + ": has a header line but no data rows");
                }
            }
            int fields = RowParser.countFields(data.strip());
            if (fields != RowParser.PIXELS + 1 && fields != RowParser.PIXELS) {
                throw new InputException(what + ": " + p + ":" + dataLine + ": expected " + (RowParser.PIXELS + 1)
                        + " fields (label + 784 pixels) or " + RowParser.PIXELS + " (pixels only), found " + fields);
            }
            return new InputFile(p, index, header, fields == RowParser.PIXELS + 1);
        } catch (IOException e) {
            throw new InputException(what + ": " + p + ": cannot read (" + describe(e) + ")", e);
        }
    }

    /** Opens {@code path} for reading lines, decompressing by its extension (.gz, .bz2, ...). */
    public static BufferedReader open(Path path, Configuration conf, CompressionCodecFactory codecs) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        InputStream raw = fs.open(path);
        CompressionCodec codec = codecs.getCodec(path);
        InputStream in = raw;
        if (codec != null) {
            try {
                in = codec.createInputStream(raw);
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /** A short description of a read failure, naming truncated or invalid compressed data as such. */
    public static String describe(Throwable e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof java.io.EOFException || m.contains("Unexpected end of")) {
            return "truncated compressed data: " + m;
        }
        if (e instanceof java.util.zip.ZipException) {
            return "not valid gzip data: " + m;
        }
        return e.getClass().getSimpleName() + ": " + m;
    }

    /** The first {@code n} rows of the first file of {@code spec}, validated like any input. */
    public static DigitBlock firstRows(String spec, int n) {
        Configuration conf = new Configuration();
        List<InputFile> files = resolve(spec, conf, "data");
        InputFile f = files.get(0);
        if (!f.labelled()) {
            throw new InputException("data: " + f.path() + " has no label column: gradcheck needs labels");
        }
        RowParser parser = new RowParser(true);
        byte[] rec = new byte[parser.fields()];
        byte[] px = new byte[n * RowParser.PIXELS];
        byte[] lb = new byte[n];
        int got = 0;
        long line = 0;
        try (BufferedReader in = open(new Path(f.path()), conf, new CompressionCodecFactory(conf))) {
            String s;
            while (got < n && (s = in.readLine()) != null) {
                line++;
                if ((line == 1 && f.header()) || s.isBlank()) {
                    continue;
                }
                String problem = parser.parse(s, rec);
                if (problem != null) {
                    throw new InputException("data: " + f.path() + ":" + line + ": " + problem);
                }
                lb[got] = rec[0];
                System.arraycopy(rec, 1, px, got * RowParser.PIXELS, RowParser.PIXELS);
                got++;
            }
        } catch (IOException e) {
            throw new InputException("data: " + f.path() + ": cannot read (" + describe(e) + ")", e);
        }
        return new DigitBlock(got, RowParser.PIXELS, java.util.Arrays.copyOf(lb, got),
                java.util.Arrays.copyOf(px, got * RowParser.PIXELS));
    }
}
