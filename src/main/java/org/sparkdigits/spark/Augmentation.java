package org.sparkdigits.spark;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkdigits.augment.Distortion;
import org.sparkdigits.core.DigitBlock;

/**
 * The {@code augment} job: every row of the cached blocks, and {@code copies} distorted variants of it, written
 * as Parquet ({@code label} tinyint, {@code pixels} binary of 784 bytes: 785 bytes a row, against ~2.3 KB as CSV
 * text or 6.3 KB as doubles) or as headerless CSV lines. Rows are spread over {@code files} files by a hash of
 * their row key and sorted by (row key, copy) within each, so the files' contents do not depend on the input's
 * partitioning; the directory is written under a temporary name and renamed into place.
 */
public final class Augmentation {

    /** Output columns (Parquet). */
    public static final StructType SCHEMA = new StructType()
            .add("label", DataTypes.ByteType, false)
            .add("pixels", DataTypes.BinaryType, false);

    private Augmentation() {
    }

    /** @return the number of rows written */
    public static long write(SparkSession spark, JavaRDD<DigitBlock> blocks, Distortion distortion, long seed, int copies,
                             boolean original, int files, boolean csv, String out) {
        JavaRDD<Row> rows = blocks.flatMap(b -> variants(b, distortion, seed, copies, original));
        StructType keyed = new StructType().add("key", DataTypes.LongType, false).add("copy", DataTypes.IntegerType, false)
                .add("label", DataTypes.ByteType, false).add("pixels", DataTypes.BinaryType, false);
        Dataset<Row> frame = spark.createDataFrame(rows, keyed)
                .repartition(files, functions.col("key"))
                .sortWithinPartitions("key", "copy");
        Path target = new Path(out);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
        try {
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(target)) {
                throw new IllegalArgumentException("--out " + out + " exists: augment writes a new directory");
            }
            if (csv) {
                frame.map((org.apache.spark.api.java.function.MapFunction<Row, String>) Augmentation::csvLine,
                        org.apache.spark.sql.Encoders.STRING()).write().text(tmp.toString());
                // Spark's text writer names its files part-*.txt: these are CSV lines
                for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(tmp)) {
                    String name = f.getPath().getName();
                    if (name.startsWith("part-") && name.endsWith(".txt")
                            && !fs.rename(f.getPath(), new Path(tmp, name.substring(0, name.length() - 4) + ".csv"))) {
                        throw new IOException("cannot rename " + f.getPath() + " to .csv");
                    }
                }
            } else {
                frame.select("label", "pixels").write().mode(SaveMode.ErrorIfExists).parquet(tmp.toString());
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            return LineParser.literal(spark.read()).format(csv ? "text" : "parquet").load(out).count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * Task side: every row of {@code b} (if {@code original}) and its {@code copies} variants, made one at a time as
     * Spark consumes them: a block of 30 000 rows with 134 copies would be 3.6 GB as a list.
     */
    private static java.util.Iterator<Row> variants(DigitBlock b, Distortion distortion, long seed, int copies, boolean original) {
        int first = original ? 0 : 1;
        return new java.util.Iterator<>() {
            private int row;
            private int copy = first;

            @Override
            public boolean hasNext() {
                return row < b.rows() && copies + 1 > first;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                byte[] px = java.util.Arrays.copyOfRange(b.pixels(), row * b.inputs(), (row + 1) * b.inputs());
                long key = b.rowKey(row);
                Row r = RowFactory.create(key, copy, (byte) b.label(row), copy == 0 ? px : distortion.apply(px, seed, key, copy));
                if (++copy > copies) {
                    copy = first;
                    row++;
                }
                return r;
            }
        };
    }

    private static String csvLine(Row r) {
        byte[] px = r.getAs("pixels");
        StringBuilder s = new StringBuilder(4 * px.length);
        s.append((byte) r.getAs("label"));
        for (byte p : px) {
            s.append(',').append(p & 0xFF);
        }
        return s.toString();
    }
}
