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
import org.sparkdigits.io.HadoopFs;
import org.sparkdigits.io.InputException;

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
            String labels = idxLabelsName(p);
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
                String labels = idxLabelsName(p);
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
            files.add(switch (f) {
                case CSV -> inspect(p, files.size(), conf, codecs, what);
                case LIBSVM -> inspectLibsvm(p, files.size(), conf, codecs, what);
                case PARQUET -> inspectParquet(p, files.size(), conf, what);
                case IDX -> inspectIdx(p, files.size(), conf, codecs, what);
            });
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
     * (1 000 bytes a row, 4 000 if compressed: a deliberate overestimate).
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
        long rows = 0;
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        for (InputFile f : files) {
            if (f.records() >= 0) {
                rows += f.records();
            } else {
                try {
                    Path p = new Path(f.path());
                    long bytes = p.getFileSystem(conf).getFileStatus(p).getLen();
                    rows += codecs.getCodec(p) == null ? bytes / 1000 : bytes / 250;
                } catch (IOException e) {
                    // the load reports unreadable files by name
                }
            }
        }
        return rows;
    }

    /** Bytes of the shortest CSV row: 784 single-digit pixels and their commas (a labelled one is 2 bytes more). */
    static final long MIN_CSV_ROW = 2 * RowParser.PIXELS - 1;

    /**
     * The most rows {@code files} can hold, from what is known before reading them: the counts of IDX and Parquet files,
     * the sizes of uncompressed CSV (a row is at least {@value #MIN_CSV_ROW} bytes) and LIBSVM (2 bytes: an all-zero
     * row is its label) files; {@link Long#MAX_VALUE} when a file is compressed text.
     */
    public static long maxRows(List<InputFile> files, Configuration conf) {
        long rows = 0;
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        for (InputFile f : files) {
            if (f.records() >= 0) {
                rows += f.records();
                continue;
            }
            Path p = new Path(f.path());
            if (codecs.getCodec(p) != null) {
                return Long.MAX_VALUE;
            }
            try {
                long bytes = p.getFileSystem(conf).getFileStatus(p).getLen();
                rows += f.format() == InputFormat.CSV ? (bytes + 1) / MIN_CSV_ROW : (bytes + 1) / 2;
            } catch (IOException e) {
                return Long.MAX_VALUE;
            }
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
            if (head.length >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 8 && (head[3] == 3 || head[3] == 1)) {
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

    private static InputFile inspectLibsvm(String p, int index, Configuration conf, CompressionCodecFactory codecs, String what) {
        try (BoundedLines in = lines(new Path(p), conf, codecs, what)) {
            String line;
            while ((line = in.next()) != null) {
                long n = in.number();
                if (!line.isBlank()) {
                    String problem = new LibsvmParser().parse(line, new byte[RowParser.PIXELS + 1]);
                    if (problem != null) {
                        throw new InputException(what + ": " + p + ":" + n + ": not a LIBSVM digit row (label index:value ...): "
                                + problem);
                    }
                    return new InputFile(p, index, false, true, InputFormat.LIBSVM, null, -1);
                }
            }
            throw new InputException(what + ": " + p + ": file is empty");
        } catch (IOException e) {
            throw new InputException(what + ": " + p + ": cannot read (" + describe(e) + ")", e);
        }
    }

    /** Checks a Parquet file's schema from its footer: {@code pixels} binary, {@code label} integer if present. */
    private static InputFile inspectParquet(String p, int index, Configuration conf, String what) {
        try (org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(new Path(p), conf))) {
            org.apache.parquet.schema.MessageType schema = r.getFooter().getFileMetaData().getSchema();
            String expected = "Parquet input needs a pixels column (binary, 784 bytes) and, for training, a label column "
                    + "(integer 0-9), as augment writes; found " + schema.toString().replaceAll("\\s+", " ").trim();
            if (!schema.containsField("pixels") || !schema.getType("pixels").isPrimitive()
                    || schema.getType("pixels").asPrimitiveType().getPrimitiveTypeName()
                    != org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY
                    || schema.getType("pixels").getLogicalTypeAnnotation() != null) {
                throw new InputException(what + ": " + p + ": " + expected);
            }
            boolean labelled = schema.containsField("label");
            if (labelled && (!schema.getType("label").isPrimitive() || !java.util.Set.of(
                    org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32,
                    org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64).contains(
                    schema.getType("label").asPrimitiveType().getPrimitiveTypeName()))) {
                throw new InputException(what + ": " + p + ": " + expected);
            }
            return new InputFile(p, index, false, labelled, InputFormat.PARQUET, null, r.getRecordCount());
        } catch (IOException | RuntimeException e) {
            if (e instanceof InputException ie) {
                throw ie;
            }
            throw new InputException(what + ": " + p + ": not a readable Parquet file (" + describe(e) + ")", e);
        }
    }

    /** Where the labels of IDX images file {@code p} are looked for (for messages). */
    public static String idxLabelsFor(String p) {
        String l = idxLabelsName(p);
        return l == null ? "a file named like it with idx1-ubyte for idx3-ubyte" : l;
    }

    /** The labels file name that goes with an IDX images file name, or {@code null} if it is not one. */
    static String idxLabelsName(String p) {
        Path path = new Path(p);
        String name = path.getName();
        for (String images : new String[] {"images-idx3-ubyte", "patterns-idx3-ubyte", "idx3-ubyte"}) {
            int at = name.indexOf(images);
            if (at >= 0) {
                String labels = images.replace("images-", "labels-").replace("patterns-", "labels-").replace("idx3", "idx1");
                return new Path(path.getParent(), name.substring(0, at) + labels + name.substring(at + images.length())).toString();
            }
        }
        return null;
    }

    /** IDX header bytes: the images file's 16, the labels file's 8. */
    private static int[] idxHeader(String p, Configuration conf, CompressionCodecFactory codecs, int ints, String what)
            throws IOException {
        try (InputStream in = openStream(new Path(p), conf, codecs)) {
            byte[] h = in.readNBytes(4 * ints);
            if (h.length < 4 * ints) {
                throw new InputException(what + ": " + p + ": " + (h.length == 0 ? "file is empty" : "too short for an IDX header ("
                        + h.length + " bytes)"));
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h);
            int[] out = new int[ints];
            for (int i = 0; i < ints; i++) {
                out[i] = b.getInt();
            }
            return out;
        }
    }

    private static InputFile inspectIdx(String p, int index, Configuration conf, CompressionCodecFactory codecs, String what) {
        try {
            int[] h = idxHeader(p, conf, codecs, 4, what);
            if (h[0] == 0x801) {
                throw new InputException(what + ": " + p + " is an IDX labels file: give the images file (idx3-ubyte); "
                        + "its labels are read from the idx1-ubyte file beside it");
            }
            if (h[0] != 0x803) {
                throw new InputException(what + ": " + p + ": magic number 0x" + Integer.toHexString(h[0])
                        + " is not that of an IDX images file (0x803)");
            }
            long n = h[1] & 0xFFFFFFFFL;
            if (h[2] != 28 || h[3] != 28) {
                throw new InputException(what + ": " + p + ": images are " + h[2] + "x" + h[3] + ", expected 28x28");
            }
            checkLength(p, conf, codecs, 16 + n * RowParser.PIXELS, n + " images", what);
            String labels = idxLabelsName(p);
            if (labels == null || !new Path(labels).getFileSystem(conf).exists(new Path(labels))) {
                return new InputFile(p, index, false, false, InputFormat.IDX, null, n);
            }
            int[] l = idxHeader(labels, conf, codecs, 2, what);
            if (l[0] != 0x801) {
                throw new InputException(what + ": " + labels + ": magic number 0x" + Integer.toHexString(l[0])
                        + " is not that of an IDX labels file (0x801)");
            }
            if ((l[1] & 0xFFFFFFFFL) != n) {
                throw new InputException(what + ": " + labels + " holds " + (l[1] & 0xFFFFFFFFL) + " labels but " + p
                        + " holds " + n + " images");
            }
            checkLength(labels, conf, codecs, 8 + n, n + " labels", what);
            return new InputFile(p, index, false, true, InputFormat.IDX, labels, n);
        } catch (IOException e) {
            throw new InputException(what + ": " + p + ": cannot read (" + describe(e) + ")", e);
        }
    }

    /** The most a gzip or deflate stream inflates: deflate's limit is 1032 to 1. */
    static final long MAX_INFLATION = 1032;

    /**
     * An uncompressed file's length must be what its header says. A gzip or deflate file cannot hold more than
     * {@value #MAX_INFLATION} times its size, so a header that promises more (a forged count, 2^31 images in a few KB) is
     * refused before any work is planned on it; otherwise a compressed file is checked as it is read.
     */
    private static void checkLength(String p, Configuration conf, CompressionCodecFactory codecs, long expected, String holds,
                                    String what) throws IOException {
        Path path = new Path(p);
        CompressionCodec codec = codecs.getCodec(path);
        long length = path.getFileSystem(conf).getFileStatus(path).getLen();
        if (codec != null) {
            String ext = codec.getDefaultExtension();
            if ((ext.equals(".gz") || ext.equals(".deflate")) && expected > length * MAX_INFLATION + 64) {
                throw new InputException(what + ": " + p + ": its header promises " + holds + " (" + expected
                        + " bytes), more than a compressed file of " + length + " bytes can hold (at most "
                        + length * MAX_INFLATION + "): a damaged or forged header");
            }
            return;
        }
        if (length < expected) {
            throw new InputException(what + ": " + p + ": truncated: " + length + " bytes, but its header promises " + holds
                    + " (" + expected + " bytes)");
        }
        if (length > expected) {
            throw new InputException(what + ": " + p + ": " + (length - expected) + " bytes after the " + holds
                    + " its header announces");
        }
    }

    private static InputFile inspect(String p, int index, Configuration conf, CompressionCodecFactory codecs, String what) {
        Path path = new Path(p);
        try (BoundedLines in = lines(path, conf, codecs, what)) {
            String line1 = in.next();
            if (line1 == null) {
                throw new InputException(what + ": " + p + ": file is empty");
            }
            if (line1.indexOf(':') >= 0 && line1.indexOf(',') < 0) {
                throw new InputException(what + ": " + p + ":1: looks like LIBSVM (label index:value ...), not CSV: "
                        + "give --format libsvm or leave --format auto");
            }
            boolean header = RowParser.isHeader(line1);
            String data = header ? in.next() : line1;
            while (data != null && data.isBlank()) {
                data = in.next();
            }
            if (data == null) {
                throw new InputException(what + ": " + p + (header ? ": has a header line but no data rows"
                        : ": no data rows (only blank lines)"));
            }
            int fields = RowParser.countFields(data.strip());
            if (fields != RowParser.PIXELS + 1 && fields != RowParser.PIXELS) {
                throw new InputException(what + ": " + p + ":" + in.number() + ": expected " + (RowParser.PIXELS + 1)
                        + " fields (label + 784 pixels) or " + RowParser.PIXELS + " (pixels only), found " + fields);
            }
            return new InputFile(p, index, header, fields == RowParser.PIXELS + 1);
        } catch (IOException e) {
            throw new InputException(what + ": " + p + ": cannot read (" + describe(e) + ")", e);
        }
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

    /** The first {@code n} rows of the first file of {@code spec} (CSV, LIBSVM or IDX), validated like any input. */
    public static DigitBlock firstRows(String spec, int n) {
        Configuration conf = new Configuration();
        List<InputFile> files = resolve(spec, conf, "data");
        InputFile f = files.get(0);
        if (!f.labelled()) {
            throw new InputException("data: " + f.path() + " has no labels: gradcheck needs labels");
        }
        byte[] px = new byte[n * RowParser.PIXELS];
        byte[] lb = new byte[n];
        int got = 0;
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        if (f.format() == InputFormat.PARQUET) {
            throw new InputException("data: " + f.path() + ": gradcheck reads CSV, LIBSVM or IDX rows, not Parquet");
        }
        if (f.format() == InputFormat.IDX) {
            try (java.io.DataInputStream images = new java.io.DataInputStream(openStream(new Path(f.path()), conf, codecs));
                 java.io.DataInputStream labels = new java.io.DataInputStream(openStream(new Path(f.labels()), conf, codecs))) {
                images.skipNBytes(16);
                labels.skipNBytes(8);
                got = (int) Math.min(n, f.records());
                images.readFully(px, 0, got * RowParser.PIXELS);
                labels.readFully(lb, 0, got);
                for (int i = 0; i < got; i++) {
                    if (lb[i] < 0 || lb[i] > 9) {
                        throw new InputException("data: " + f.labels() + ": label " + (lb[i] & 0xFF) + " of image " + (i + 1)
                                + " is not 0-9");
                    }
                }
            } catch (IOException e) {
                throw new InputException("data: " + f.path() + ": cannot read (" + describe(e) + ")", e);
            }
        } else {
            LineSyntax parser = LineSyntax.of(f.format(), true);
            byte[] rec = new byte[parser.fields()];
            long line = 0;
            try (BoundedLines in = lines(new Path(f.path()), conf, codecs, "data")) {
                String s;
                while (got < n && (s = in.next()) != null) {
                    line = in.number();
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
        }
        return new DigitBlock(got, RowParser.PIXELS, java.util.Arrays.copyOf(lb, got),
                java.util.Arrays.copyOf(px, got * RowParser.PIXELS));
    }
}
