package org.sparkdigits.format;

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
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.data.BoundedLines;
import org.sparkdigits.data.IdxHeader;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.RowParser;
import org.sparkdigits.io.HadoopFs;
import org.sparkdigits.io.InputException;

/**
 * Resolves a user's input (a file, a directory or a glob, plain or compressed, on any Hadoop file system) into
 * {@link InputFile}s, on the driver, before any Spark job: the files it names, each one's format detected (by name,
 * else by content) and inspected by that format ({@link DigitFormat#inspect}), so that missing and empty files, bad
 * gzip headers, bad IDX headers and the wrong number of columns are reported here, at once, by name. Also: what the
 * files hold as far as is known before reading them, and the streams the formats read them through.
 */
public final class InputFiles {

    private InputFiles() {
    }

    /**
     * The data files {@code spec} names, sorted: files as they are, a directory's files but those whose names
     * start with {@code _} or {@code .} (Spark's markers, temporary files). A path that exists is taken literally
     * before it is read as a glob, so a {@code [} in a file name is just a character. A FIFO, device or socket is
     * refused by name (reading one would hang or never end).
     */
    private static java.util.SortedSet<String> dataPaths(String spec, Configuration conf, String what) {
        if (spec == null || spec.isBlank()) {
            throw new InputException(what + ": no path given");
        }
        Path pattern = HadoopFs.path(spec, what);
        FileSystem fs = HadoopFs.fileSystem(pattern, conf, what);
        TreeSet<String> paths = new TreeSet<>();
        try {
            FileStatus[] matched;
            if (fs.exists(pattern)) {
                matched = new FileStatus[] {fs.getFileStatus(pattern)};
            } else {
                matched = fs.globStatus(pattern);
            }
            if (matched == null || matched.length == 0) {
                throw new InputException(what + ": " + spec + ": no such file or directory");
            }
            for (FileStatus s : matched) {
                if (s.isDirectory()) {
                    int before = paths.size();
                    for (FileStatus child : fs.listStatus(s.getPath())) {
                        String name = child.getPath().getName();
                        if (child.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                            HadoopFs.requireRegularFile(fs, child.getPath(), what);
                            paths.add(child.getPath().toString());
                        }
                    }
                    if (paths.size() == before) {
                        throw new InputException(what + ": directory " + s.getPath() + " holds no data files");
                    }
                } else {
                    HadoopFs.requireRegularFile(fs, s.getPath(), what);
                    paths.add(s.getPath().toString());
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new InputException(what + ": " + spec + ": cannot list (" + HadoopFs.describe(e, pattern) + ")", e);
        }
        return paths;
    }

    /**
     * Every file {@code spec} reads: the data files and the IDX labels files beside them (so that an output can be
     * checked against all of them before anything is written).
     */
    public static List<String> allPaths(String spec, Configuration conf, String what) {
        List<String> out = new ArrayList<>();
        for (String p : dataPaths(spec, conf, what)) {
            out.add(p);
            String labels = IdxFormat.labelsName(p);
            if (labels != null) {
                out.add(labels);
            }
        }
        return out;
    }

    /** {@link #resolve(String, Configuration, String, InputFormat)} with every file's format detected. */
    public static List<InputFile> resolve(String spec, Configuration conf, String what) {
        return resolve(spec, conf, what, null);
    }

    /**
     * @param spec   what the user gave
     * @param what   what it is for, used in messages (e.g. "training data")
     * @param format the format of every file, or {@code null} to detect each one's: {@code .parquet} files are Parquet;
     *               names with {@code idx3-ubyte} (or starting with the IDX images magic number) are IDX images files,
     *               whose labels are the {@code idx1-ubyte} file beside them; names ending {@code .libsvm}/{@code .svm}
     *               or a first line with {@code index:value} pairs are LIBSVM; anything else is CSV. A directory's
     *               IDX labels files are taken as the labels of its images files, not as data.
     * @throws InputException if the files are missing, empty, unreadable, of mixed formats or malformed at the start
     */
    public static List<InputFile> resolve(String spec, Configuration conf, String what, InputFormat format) {
        java.util.SortedSet<String> paths = dataPaths(spec, conf, what);
        if (paths.size() > 1) {
            java.util.Set<String> partners = new java.util.HashSet<>();
            for (String p : paths) {
                String labels = IdxFormat.labelsName(p);
                if (labels != null) {
                    partners.add(labels);
                }
            }
            paths.removeIf(partners::contains);
        }
        List<InputFile> files = new ArrayList<>();
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        for (String p : paths) {
            InputFormat f = format != null ? format : detect(p, conf, codecs, what);
            files.add(DigitFormat.of(f).inspect(p, files.size(), conf, what));
        }
        InputFile first = files.get(0);
        for (InputFile f : files) {
            if (f.format() != first.format()) {
                throw new InputException(what + ": " + first.path() + " is " + first.format().id() + " but " + f.path()
                        + " is " + f.format().id() + ": give files of one format");
            }
            if (f.labelled() != first.labelled()) {
                throw new InputException(what + ": " + first.path() + (first.labelled() ? " has" : " has no")
                        + " label column but " + f.path() + (f.labelled() ? " has one" : " has none"));
            }
        }
        return files;
    }

    /** Rows per partition that {@link #autoPartitions} aims below: 500 000 rows are 400 MB of cached blocks. */
    public static final long ROWS_PER_PARTITION = 500_000;

    /**
     * {@code --partitions auto}: Spark's default parallelism (one task per core), or a multiple of it when the data
     * would give partitions of more than {@link #ROWS_PER_PARTITION} rows, so that a set larger than memory is cached
     * partly in memory and partly on disk in pieces of a few hundred MB rather than all on disk in a few huge ones.
     * The rows are counted from the headers of IDX and Parquet files and estimated from the size of text files
     * (1 000 bytes a row, 250 if compressed: a deliberate overestimate).
     */
    public static int autoPartitions(List<InputFile> files, Configuration conf, int parallelism) {
        long rows = estimatedRows(files, conf);
        int p = Math.max(1, parallelism);
        long perRound = p * ROWS_PER_PARTITION;
        long rounds = Math.max(1, (rows + perRound - 1) / perRound);
        return (int) Math.min(100_000, p * rounds);
    }

    /**
     * The rows of {@code files} as far as they are known before reading: counted from the headers of IDX and Parquet
     * files, estimated from the size of text files (1 000 bytes a row, 250 if compressed: a deliberate overestimate).
     */
    public static long estimatedRows(List<InputFile> files, Configuration conf) {
        return rows(files, conf, (f, bytes, compressed) -> bytes < 0 ? 0 : compressed ? bytes / 250 : bytes / 1000);
    }

    /** Bytes of the shortest CSV row: 784 single-digit pixels and their commas (a labelled one is 2 bytes more). */
    static final long MIN_CSV_ROW = 2 * RowParser.PIXELS - 1;

    /**
     * The most rows {@code files} can hold, from what is known before reading them: the counts of IDX and Parquet files,
     * the sizes of uncompressed CSV (a row is at least {@value #MIN_CSV_ROW} bytes) and LIBSVM (2 bytes: an all-zero
     * row is its label) files; {@link Long#MAX_VALUE} when a file is compressed text.
     */
    public static long maxRows(List<InputFile> files, Configuration conf) {
        return rows(files, conf, (f, bytes, compressed) -> bytes < 0 || compressed ? Long.MAX_VALUE
                : f.format() == InputFormat.CSV ? (bytes + 1) / MIN_CSV_ROW : (bytes + 1) / 2);
    }

    /** Rows of a text file of {@code bytes} (-1: its size is unknown), {@link Long#MAX_VALUE} for no bound. */
    private interface TextRows {
        long of(InputFile file, long bytes, boolean compressed);
    }

    /** The sum of the rows of {@code files}: their record counts where known, else {@code text}'s figure. */
    private static long rows(List<InputFile> files, Configuration conf, TextRows text) {
        long rows = 0;
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        for (InputFile f : files) {
            long n = f.records();
            if (n < 0) {
                Path p = new Path(f.path());
                long bytes;
                try {
                    bytes = p.getFileSystem(conf).getFileStatus(p).getLen();
                } catch (IOException e) {
                    bytes = -1;   // the load reports unreadable files by name
                }
                n = text.of(f, bytes, codecs.getCodec(p) != null);
            }
            if (n == Long.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
            rows += n;
        }
        return rows;
    }

    /** A file name without its directory and compression suffix, lower case. */
    private static String bareName(String p) {
        String name = new Path(p).getName().toLowerCase(java.util.Locale.ROOT);
        for (String ext : new String[] {".gz", ".bz2", ".deflate", ".zst", ".lz4", ".snappy"}) {
            if (name.endsWith(ext)) {
                return name.substring(0, name.length() - ext.length());
            }
        }
        return name;
    }

    private static InputFormat detect(String p, Configuration conf, CompressionCodecFactory codecs, String what) {
        String name = bareName(p);
        if (name.endsWith(".parquet")) {
            return InputFormat.PARQUET;
        }
        if (name.contains("idx3-ubyte") || name.contains("idx1-ubyte")) {
            return InputFormat.IDX;
        }
        if (name.endsWith(".libsvm") || name.endsWith(".svm")) {
            return InputFormat.LIBSVM;
        }
        try (InputStream in = openStream(new Path(p), conf, codecs)) {
            byte[] head = in.readNBytes(4096);
            if (IdxHeader.looksLikeIdx(head)) {
                return InputFormat.IDX;
            }
            String text = new String(head, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            String line = nl >= 0 ? text.substring(0, nl) : text;
            return line.indexOf(':') >= 0 && line.indexOf(',') < 0 ? InputFormat.LIBSVM : InputFormat.CSV;
        } catch (IOException e) {
            throw new InputException(what + ": " + p + ": cannot read (" + describe(e) + ")", e);
        }
    }

    /** Where the labels of IDX images file {@code p} are looked for (for messages). */
    public static String idxLabelsFor(String p) {
        String l = IdxFormat.labelsName(p);
        return l == null ? "a file named like it with idx1-ubyte for idx3-ubyte" : l;
    }

    /** The lines of {@code path}, decompressed by its extension, each bounded ({@link BoundedLines}). */
    public static BoundedLines lines(Path path, Configuration conf, CompressionCodecFactory codecs, String what)
            throws IOException {
        return new BoundedLines(new InputStreamReader(openStream(path, conf, codecs), StandardCharsets.UTF_8),
                path.toString(), what);
    }

    /** Opens {@code path} for reading lines, decompressing by its extension (.gz, .bz2, ...). */
    public static BufferedReader open(Path path, Configuration conf, CompressionCodecFactory codecs) throws IOException {
        return new BufferedReader(new InputStreamReader(openStream(path, conf, codecs), StandardCharsets.UTF_8), 1 << 16);
    }

    /** Opens {@code path} for reading bytes, decompressing by its extension (.gz, .bz2, ...). */
    public static InputStream openStream(Path path, Configuration conf, CompressionCodecFactory codecs) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        InputStream raw = HadoopFs.open(fs, path, "data", Long.MAX_VALUE);
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
        return in;
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
        return HadoopFs.describe(e);
    }

    /** Reads {@code file} to its end; returns what went wrong, or {@code null} if it reads cleanly. */
    public static String readProblem(Configuration conf, String file) {
        try (BufferedReader in = open(new Path(file), conf, new CompressionCodecFactory(conf))) {
            char[] buf = new char[1 << 16];
            while (in.read(buf) >= 0) {
                // read through
            }
            return null;
        } catch (IOException e) {
            return describe(e);
        }
    }

    /** Rows of each file, and files of each input, that {@link #checkFirstRows} parses. */
    static final int CHECKED_ROWS = 100;
    static final int CHECKED_FILES = 8;

    /**
     * Parses the first {@value #CHECKED_ROWS} rows of each of the first {@value #CHECKED_FILES} text files (CSV,
     * LIBSVM) of {@code spec} as the load will, before Spark starts (the command line) or before any job (the
     * library): a bad row near the start of an input is reported in a second, naming its file and line, instead of
     * after Spark's start-up and a whole read. For {@code --on-bad-row fail} only: with {@code skip} the load drops
     * bad rows and counts them.
     */
    public static void checkFirstRows(String spec, Configuration conf, String what, InputFormat format) {
        List<InputFile> files = resolve(spec, conf, what, format);
        for (int i = 0; i < Math.min(files.size(), CHECKED_FILES); i++) {
            InputFile f = files.get(i);
            if (f.format().text()) {
                ((TextFormat) DigitFormat.of(f.format())).checkFirstRows(f, CHECKED_ROWS, conf, what);
            }
        }
    }

    /** The first {@code n} rows of the first file of {@code spec} (CSV, LIBSVM or IDX), validated like any input. */
    public static DigitBlock firstRows(String spec, int n) {
        Configuration conf = new Configuration();
        InputFile f = resolve(spec, conf, "data").get(0);
        if (!f.labelled()) {
            throw new InputException("data: " + f.path() + " has no labels: gradcheck needs labels");
        }
        return DigitFormat.of(f.format()).firstRows(f, n, conf);
    }
}
