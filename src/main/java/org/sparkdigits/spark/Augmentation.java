package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.spark.load.DigitLoader;
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
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.format.SparkFiles;

/**
 * The {@code augment} job: every row of the cached blocks, and {@code copies} distorted variants of it, written
 * as Parquet ({@code label} tinyint, {@code pixels} binary of 784 bytes: 785 bytes a row, against ~2.3 KB as CSV
 * text or 6.3 KB as doubles) or as headerless CSV lines. Rows are spread over {@code files} files by a hash of
 * their row key and sorted by (row key, copy) within each, so the files' contents do not depend on the input's
 * partitioning; the directory is written under a temporary name and renamed into place.
 */
public final class Augmentation {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Augmentation.class);

    /** Output columns (Parquet). */
    public static final StructType SCHEMA = new StructType()
            .add("label", DataTypes.ByteType, false)
            .add("pixels", DataTypes.BinaryType, false);

    /** Rows per output file unless the job says how many files. */
    public static final int ROWS_PER_FILE = 250_000;

    private Augmentation() {
    }

    /**
     * An augment job.
     *
     * @param data       the input (any format, detected)
     * @param out        the output directory, which must not exist
     * @param preview    a PNG of 8 inputs beside 8 variants each to write too, or {@code null}
     * @param variants   what is written per input row
     * @param csv        headerless CSV lines instead of Parquet
     * @param files      output files, 0 for one per {@value #ROWS_PER_FILE} rows
     * @param partitions partitions of the cached input, 0 for auto
     */
    public record Job(String data, String out, String preview, Variants variants, boolean csv, int files, int partitions,
                      long seed, org.sparkdigits.data.OnBadRow onBadRow) {

        public Job {
            org.sparkdigits.train.Check.between("--files", files, 0, 100_000);
            org.sparkdigits.train.Check.between("--partitions", partitions, 0, 100_000);
        }
    }

    /**
     * @param copies     distorted variants per input row (0-10 000)
     * @param original   whether the input row is written too
     * @param distortion the ranges of the distortions
     */
    public record Variants(int copies, boolean original, Distortion distortion) {

        public Variants {
            org.sparkdigits.train.Check.between("--copies", copies, 0, 10_000);
            if (copies == 0 && !original) {
                throw new IllegalArgumentException("--copies 0 with --no-original would write nothing");
            }
        }

        int perRow() {
            return copies + (original ? 1 : 0);
        }
    }

    /** What a job wrote: rows, from how many inputs, in how long. */
    public record Written(long rows, long inputs, int perRow, double seconds) {
    }

    /**
     * The checks of a job's outputs before Spark starts: {@code out} is new and apart from the inputs, the preview is not
     * one of them.
     */
    public static void checkOutputs(Job job, org.apache.hadoop.conf.Configuration conf) {
        java.util.List<String> inputs = org.sparkdigits.format.InputFiles.allPaths(job.data(), conf, "data");
        Path p = org.sparkdigits.io.HadoopFs.path(job.out(), "--out");
        try {
            if (org.sparkdigits.io.HadoopFs.fileSystem(p, conf, "--out").exists(p)) {
                throw new IllegalArgumentException("--out " + job.out() + " exists: augment writes a new directory (give a new "
                        + "name, or delete the old output yourself)");
            }
        } catch (IOException e) {
            throw new org.sparkdigits.io.InputException("--out " + job.out() + ": "
                    + org.sparkdigits.io.HadoopFs.describe(e, p), e);
        }
        org.sparkdigits.io.Outputs.directory("--out", job.out(), conf, inputs);
        if (job.preview() != null) {
            org.sparkdigits.io.Outputs.file("--preview", job.preview(), conf, inputs, null);
        }
    }

    /** Runs {@code job}: loads the input once, writes every row and its variants, and the preview. */
    public static Written run(SparkSession spark, Job job) {
        org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
        java.util.List<org.sparkdigits.data.InputFile> in = org.sparkdigits.format.InputFiles.resolve(job.data(), conf, "data");
        DigitLoader loader = new DigitLoader(spark, job.onBadRow(), org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        int parallelism = spark.sparkContext().defaultParallelism();
        int partitions = job.partitions() > 0 ? loader.partitionsFor(in, job.partitions(), parallelism)
                : org.sparkdigits.format.InputFiles.autoPartitions(in, conf, parallelism);
        LoadedData data = loader.loadShuffled(in, partitions, "data");
        Variants v = job.variants();
        long expected = data.rows() * v.perRow();
        int files = job.files() > 0 ? job.files() : (int) Math.max(1, (expected + ROWS_PER_FILE - 1) / ROWS_PER_FILE);
        LOG.info("augmenting {} rows: {} variant{} each{}, {} rows into {} {} file{}", data.rows(), v.copies(),
                v.copies() == 1 ? "" : "s", v.original() ? " plus the original" : "", expected, files,
                job.csv() ? "CSV" : "Parquet", files == 1 ? "" : "s");
        long t0 = System.nanoTime();
        long written = write(spark, data.blocks(), v.distortion(), job.seed(), v.copies(), v.original(), files, job.csv(),
                job.out());
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (written != expected) {
            throw new IllegalStateException("wrote " + written + " rows, expected " + expected);
        }
        if (job.preview() != null) {
            preview(data.blocks().first(), v.distortion(), job.seed(), job.preview(), spark.sparkContext().hadoopConfiguration());
        }
        data.unpersist();
        return new Written(written, data.rows(), v.perRow(), seconds);
    }

    /** 8 digits of {@code block}, each followed by 8 of its variants (copies 1-8), 3x enlarged, ink white on black. */
    static void preview(DigitBlock block, Distortion distortion, long seed, String file, org.apache.hadoop.conf.Configuration conf) {
        if (block.rows() == 0) {
            throw new org.sparkdigits.io.InputException("data: nothing to preview");
        }
        int rows = Math.min(8, block.rows());
        java.awt.image.BufferedImage grid = new java.awt.image.BufferedImage(9 * 28, rows * 28,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < rows; i++) {
            byte[] px = java.util.Arrays.copyOfRange(block.pixels(), i * 784, (i + 1) * 784);
            grid.getGraphics().drawImage(org.sparkdigits.image.DigitImage.toImage(px), 0, i * 28, null);
            for (int c = 1; c <= 8; c++) {
                grid.getGraphics().drawImage(org.sparkdigits.image.DigitImage.toImage(distortion.apply(px, seed, block.rowKey(i), c)),
                        c * 28, i * 28, null);
            }
        }
        java.awt.image.BufferedImage big = new java.awt.image.BufferedImage(grid.getWidth() * 3, grid.getHeight() * 3,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        big.getGraphics().drawImage(grid.getScaledInstance(big.getWidth(), big.getHeight(), java.awt.Image.SCALE_REPLICATE),
                0, 0, null);
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        try {
            if (!javax.imageio.ImageIO.write(big, "png", png)) {
                throw new IOException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--preview " + file + ": " + e.getMessage(), e);
        }
        org.sparkdigits.io.AtomicFiles.write(file, "--preview", conf, png.toByteArray());
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
                throw new org.sparkdigits.io.InputException("--out " + out + " exists: augment writes a new directory");
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
            return SparkFiles.literal(spark.read()).format(csv ? "text" : "parquet").load(out).count();
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
