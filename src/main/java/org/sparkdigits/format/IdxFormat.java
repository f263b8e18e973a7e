package org.sparkdigits.format;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.data.IdxHeader;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.RowParser;
import org.sparkdigits.io.InputException;

/**
 * The original MNIST files: an {@code idx3-ubyte} images file and the {@code idx1-ubyte} labels file beside it
 * (unlabelled without one), plain or compressed. Inspecting reads both headers ({@link IdxHeader}) and checks the
 * files' lengths against them; our own tasks read the images in chunks of {@link #CHUNK}, each located by its number.
 */
final class IdxFormat implements DigitFormat {

    static final IdxFormat INSTANCE = new IdxFormat();

    /** Images read per task from an uncompressed file (51 MB). */
    static final int CHUNK = 1 << 16;

    /** The most a gzip or deflate stream inflates: deflate's limit is 1032 to 1. */
    static final long MAX_INFLATION = 1032;

    @Override
    public InputFile inspect(String p, int index, Configuration conf, String what) {
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        try {
            IdxHeader images = IdxHeader.digits(head(p, IdxHeader.IMAGES_HEADER, conf, codecs), p);
            long n = images.count();
            checkLength(p, conf, codecs, images.fileLength(), n + " images", what);
            String labels = labelsName(p);
            if (labels == null || !new Path(labels).getFileSystem(conf).exists(new Path(labels))) {
                return new InputFile(p, index, false, false, InputFormat.IDX, null, n);
            }
            IdxHeader l = IdxHeader.labels(head(labels, IdxHeader.LABELS_HEADER, conf, codecs), labels);
            if (l.count() != n) {
                throw new InputException(what + ": " + labels + " holds " + l.count() + " labels but " + p + " holds " + n
                        + " images");
            }
            checkLength(labels, conf, codecs, l.fileLength(), n + " labels", what);
            return new InputFile(p, index, false, true, InputFormat.IDX, labels, n);
        } catch (IllegalArgumentException e) {
            throw new InputException(what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InputException(what + ": " + p + ": cannot read (" + InputFiles.describe(e) + ")", e);
        }
    }

    /** The first {@code bytes} of {@code p}'s content (fewer if it is shorter). */
    private static byte[] head(String p, int bytes, Configuration conf, CompressionCodecFactory codecs) throws IOException {
        try (InputStream in = InputFiles.openStream(new Path(p), conf, codecs)) {
            return in.readNBytes(bytes);
        }
    }

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

    /** The labels file name that goes with an IDX images file name, or {@code null} if it is not one. */
    static String labelsName(String p) {
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

    /** One task's share of an IDX file: images {@code [first, first + count)}. */
    @DefaultSerializer(JavaSerializer.class)
    private record Chunk(int file, long first, long count) implements Serializable {
    }

    @Override
    public JavaRDD<ParsedRow> read(SparkSession spark, List<InputFile> files) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        CompressionCodecFactory codecs = new CompressionCodecFactory(spark.sparkContext().hadoopConfiguration());
        List<Chunk> chunks = new ArrayList<>();
        for (InputFile f : files) {
            boolean compressed = codecs.getCodec(new Path(f.path())) != null;
            long step = compressed ? Math.max(1, f.records()) : CHUNK;
            for (long first = 0; first < f.records() || first == 0; first += step) {
                chunks.add(new Chunk(f.index(), first, Math.min(step, f.records() - first)));
            }
        }
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(
                new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        List<InputFile> all = List.copyOf(files);
        return jsc.parallelize(chunks, Math.max(1, chunks.size()))
                .flatMap(c -> readChunk(all.get(c.file()), c, conf.value().value()));
    }

    /** Task side: the images of {@code c}; a truncated file or a label outside 0-9 becomes a rejected record. */
    private static Iterator<ParsedRow> readChunk(InputFile f, Chunk c, Configuration conf) throws IOException {
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        DataInputStream images = new DataInputStream(open(f.path(), IdxHeader.IMAGES_HEADER + c.first() * RowParser.PIXELS,
                conf, codecs));
        DataInputStream labels = f.labels() == null ? null
                : new DataInputStream(open(f.labels(), IdxHeader.LABELS_HEADER + c.first(), conf, codecs));
        int off = f.labelled() ? 1 : 0;
        return new Iterator<>() {
            private long i;
            private boolean done = c.count() == 0;

            @Override
            public boolean hasNext() {
                if (done) {
                    close();
                }
                return !done;
            }

            @Override
            public ParsedRow next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                long at = c.first() + i++;
                if (i == c.count()) {
                    done = true;
                }
                byte[] record = new byte[RowParser.PIXELS + off];
                try {
                    images.readFully(record, off, RowParser.PIXELS);
                    if (labels != null) {
                        int label = labels.readUnsignedByte();
                        if (label > 9) {
                            return ParsedRow.rejected(f, c.first(), at, "label " + label + " (in " + f.labels()
                                    + ") is not 0-9");
                        }
                        record[0] = (byte) label;
                    }
                    return ParsedRow.valid(f, c.first(), at, record);
                } catch (IOException e) {
                    done = true;
                    String why = e instanceof EOFException ? "the data ends before the " + f.records()
                            + " images its header promises" : InputFiles.describe(e);
                    return ParsedRow.rejected(f, c.first(), at, why);
                }
            }

            private void close() {
                try {
                    images.close();
                    if (labels != null) {
                        labels.close();
                    }
                } catch (IOException ignored) {
                    // read-only streams: nothing is lost
                }
            }
        };
    }

    /** Opens {@code path} at byte {@code offset} of its (decompressed) content. */
    private static InputStream open(String path, long offset, Configuration conf, CompressionCodecFactory codecs)
            throws IOException {
        Path p = new Path(path);
        if (codecs.getCodec(p) == null) {
            FSDataInputStream in = org.sparkdigits.io.HadoopFs.open(p.getFileSystem(conf), p, "data", Long.MAX_VALUE);
            in.seek(offset);
            return new BufferedInputStream(in, 1 << 16);
        }
        InputStream in = new BufferedInputStream(InputFiles.openStream(p, conf, codecs), 1 << 16);
        in.skipNBytes(offset);
        return in;
    }

    @Override
    public String locate(Configuration conf, InputFile file, Reject r) {
        return file.path() + ": image " + (r.position() + 1);
    }

    @Override
    public DigitBlock firstRows(InputFile f, int n, Configuration conf) {
        int got = (int) Math.min(n, f.records());
        byte[] px = new byte[got * RowParser.PIXELS];
        byte[] lb = new byte[got];
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        try (DataInputStream images = new DataInputStream(open(f.path(), IdxHeader.IMAGES_HEADER, conf, codecs));
             DataInputStream labels = new DataInputStream(open(f.labels(), IdxHeader.LABELS_HEADER, conf, codecs))) {
            images.readFully(px);
            labels.readFully(lb);
        } catch (IOException e) {
            throw new InputException("data: " + f.path() + ": cannot read (" + InputFiles.describe(e) + ")", e);
        }
        for (int i = 0; i < got; i++) {
            if (lb[i] < 0 || lb[i] > 9) {
                throw new InputException("data: " + f.labels() + ": label " + (lb[i] & 0xFF) + " of image " + (i + 1)
                        + " is not 0-9");
            }
        }
        return new DigitBlock(got, RowParser.PIXELS, lb, px);
    }
}
