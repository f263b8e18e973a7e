package org.sparkdigits.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFiles;
import org.sparkdigits.data.RowParser;

/**
 * The rows of the input files as {@link LineParser.Parsed} records, whatever their format: CSV and LIBSVM lines from
 * Spark SQL's text source, Parquet rows from its Parquet source, IDX images read in chunks by our own tasks. Every
 * format gives the same records ({@code label, p0..p783} or pixels only), so loading, placement and training do
 * not depend on the format. A bad row becomes a rejected record naming what is wrong, never an exception, so
 * {@code --on-bad-row} works for all of them.
 */
final class RecordSources {

    /** IDX images read per task from an uncompressed file (51 MB). */
    static final int IDX_CHUNK = 1 << 16;

    private RecordSources() {
    }

    static JavaRDD<LineParser.Parsed> parsed(SparkSession spark, List<InputFile> files) {
        return switch (files.get(0).format()) {
            case CSV, LIBSVM -> text(spark, files);
            case PARQUET -> parquet(spark, files);
            case IDX -> idx(spark, files);
        };
    }

    private static Map<String, InputFile> byKey(List<InputFile> files) {
        Map<String, InputFile> m = new HashMap<>();
        for (InputFile f : files) {
            m.put(LineParser.key(f.path()), f);
        }
        return m;
    }

    private static JavaRDD<LineParser.Parsed> text(SparkSession spark, List<InputFile> files) {
        String[] paths = files.stream().map(InputFile::path).toArray(String[]::new);
        LineParser parser = new LineParser(byKey(files));
        return LineParser.literal(spark.read()).text(paths)
                .select(col("_metadata.file_path"), col("_metadata.file_block_start"), col("value"))
                .javaRDD()
                .mapPartitions(parser::parse);
    }

    private static JavaRDD<LineParser.Parsed> parquet(SparkSession spark, List<InputFile> files) {
        String[] paths = files.stream().map(InputFile::path).toArray(String[]::new);
        boolean labelled = files.get(0).labelled();
        Map<String, InputFile> known = byKey(files);
        return LineParser.literal(spark.read()).parquet(paths)
                .select(col("_metadata.file_path"), col("_metadata.file_block_start"), col("_metadata.row_index"),
                        labelled ? col("label").cast("long") : lit(0L), col("pixels"))
                .javaRDD()
                .mapPartitions(rows -> new Iterator<LineParser.Parsed>() {
                    private String lastPath;
                    private InputFile f;

                    @Override
                    public boolean hasNext() {
                        return rows.hasNext();
                    }

                    @Override
                    public LineParser.Parsed next() {
                        Row r = rows.next();
                        if (!r.getString(0).equals(lastPath)) {
                            lastPath = r.getString(0);
                            f = known.get(LineParser.sparkKey(lastPath));
                            if (f == null) {
                                throw new IllegalStateException("unexpected input file " + lastPath);
                            }
                        }
                        long start = r.getLong(1);
                        long row = r.getLong(2);
                        byte[] px = r.isNullAt(4) ? null : (byte[]) r.get(4);
                        if (labelled && (r.isNullAt(3) || r.getLong(3) < 0 || r.getLong(3) > 9)) {
                            return new LineParser.Parsed(f, start, row, null,
                                    "label " + (r.isNullAt(3) ? "null" : String.valueOf(r.getLong(3))) + " is not 0-9");
                        }
                        if (px == null || px.length != RowParser.PIXELS) {
                            return new LineParser.Parsed(f, start, row, null, (px == null ? "no" : String.valueOf(px.length))
                                    + " pixel bytes (" + RowParser.PIXELS + " expected)");
                        }
                        int off = labelled ? 1 : 0;
                        byte[] record = new byte[RowParser.PIXELS + off];
                        if (labelled) {
                            record[0] = (byte) r.getLong(3);
                        }
                        System.arraycopy(px, 0, record, off, RowParser.PIXELS);
                        return new LineParser.Parsed(f, start, row, record, null);
                    }
                });
    }

    /** One task's share of an IDX file: images {@code [first, first + count)}. */
    private record Chunk(int file, long first, long count) implements java.io.Serializable {
    }

    private static JavaRDD<LineParser.Parsed> idx(SparkSession spark, List<InputFile> files) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        CompressionCodecFactory codecs = new CompressionCodecFactory(spark.sparkContext().hadoopConfiguration());
        List<Chunk> chunks = new ArrayList<>();
        for (InputFile f : files) {
            boolean compressed = codecs.getCodec(new Path(f.path())) != null;
            long step = compressed ? Math.max(1, f.records()) : IDX_CHUNK;
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
    private static Iterator<LineParser.Parsed> readChunk(InputFile f, Chunk c, org.apache.hadoop.conf.Configuration conf)
            throws IOException {
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        DataInputStream images = new DataInputStream(open(f.path(), 16 + c.first() * RowParser.PIXELS, conf, codecs));
        DataInputStream labels = f.labels() == null ? null
                : new DataInputStream(open(f.labels(), 8 + c.first(), conf, codecs));
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
            public LineParser.Parsed next() {
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
                            return new LineParser.Parsed(f, c.first(), at, null, "label " + label + " (in " + f.labels()
                                    + ") is not 0-9");
                        }
                        record[0] = (byte) label;
                    }
                    return new LineParser.Parsed(f, c.first(), at, record, null);
                } catch (IOException e) {
                    done = true;
                    String why = e instanceof EOFException ? "the data ends before the " + f.records()
                            + " images its header promises" : InputFiles.describe(e);
                    return new LineParser.Parsed(f, c.first(), at, null, why);
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
    private static java.io.InputStream open(String path, long offset, org.apache.hadoop.conf.Configuration conf,
                                            CompressionCodecFactory codecs) throws IOException {
        Path p = new Path(path);
        if (codecs.getCodec(p) == null) {
            FSDataInputStream in = p.getFileSystem(conf).open(p, 1 << 16);
            in.seek(offset);
            return new java.io.BufferedInputStream(in, 1 << 16);
        }
        java.io.InputStream in = new java.io.BufferedInputStream(InputFiles.openStream(p, conf, codecs), 1 << 16);
        in.skipNBytes(offset);
        return in;
    }
}
