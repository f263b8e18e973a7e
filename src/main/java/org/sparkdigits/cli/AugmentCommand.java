package org.sparkdigits.cli;

import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.augment.Distortion;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.io.InputException;
import org.sparkdigits.data.InputFiles;
import org.sparkdigits.image.DigitImage;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.io.Outputs;
import org.sparkdigits.spark.Augmentation;
import org.sparkdigits.spark.DigitLoader;
import org.sparkdigits.spark.LoadedData;

/** {@code augment}: a larger training set of distorted digits ({@link Distortion}), written by a Spark job. */
final class AugmentCommand {

    private static final Logger LOG = LoggerFactory.getLogger(AugmentCommand.class);
    static final int ROWS_PER_FILE = 250_000;

    private AugmentCommand() {
    }

    /** The distortion ranges of {@code --rotation --scale --shear --shift --alpha --sigma} (augment and train). */
    static Distortion distortion(Args a) {
        try {
            return new Distortion(a.number(Opt.ROTATION, 0, true, 180, true), a.number(Opt.SCALE, 0, true, 0.9, true),
                    a.number(Opt.SHEAR, 0, true, 2, true), a.number(Opt.SHIFT, 0, true, 28, true),
                    a.number(Opt.ALPHA, 0, true, 1000, true), a.number(Opt.SIGMA, 0.1, true, 20, true));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Everything that can be checked before Spark starts. */
    static Settings check(Args a) {
        if (!a.given(Opt.OUT)) {
            throw new UsageException("augment needs --out DIR (the directory to write)");
        }
        int copies = a.integer(Opt.COPIES, 0, 10_000);
        boolean original = !a.given(Opt.NO_ORIGINAL);
        if (copies == 0 && !original) {
            throw new UsageException("--copies 0 with --no-original would write nothing");
        }
        String format = a.required(Opt.FORMAT).trim().toLowerCase(Locale.ROOT);
        if (!format.equals("parquet") && !format.equals("csv")) {
            throw new UsageException("--format must be parquet or csv, got '" + a.required(Opt.FORMAT) + "'");
        }
        Distortion d = distortion(a);
        String partitions = a.required(Opt.PARTITIONS);
        int p = "auto".equals(partitions.trim()) ? 0 : a.integer(Opt.PARTITIONS, 1, 100_000);
        return new Settings(copies, original, format.equals("csv"), d, p, a.integer(Opt.FILES, 0, 100_000),
                a.longValue(Opt.SEED));
    }

    /**
     * Everything about the outputs that can be checked before Spark starts: --out is new and apart from the inputs,
     * --preview is not one of them.
     */
    static void checkOutputs(Args a, org.apache.hadoop.conf.Configuration conf) {
        check(a);
        String out = a.required(Opt.OUT);
        java.util.List<String> inputs = InputFiles.allPaths(a.required(Opt.DATA), conf, "data");
        org.apache.hadoop.fs.Path p = org.sparkdigits.io.HadoopFs.path(out, "--out");
        try {
            if (org.sparkdigits.io.HadoopFs.fileSystem(p, conf, "--out").exists(p)) {
                throw new UsageException("--out " + out + " exists: augment writes a new directory (give a new name, or "
                        + "delete the old output yourself)");
            }
        } catch (java.io.IOException e) {
            throw new InputException("--out " + out + ": " + org.sparkdigits.io.HadoopFs.describe(e, p), e);
        }
        Outputs.directory("--out", out, conf, inputs);
        if (a.given(Opt.PREVIEW)) {
            Outputs.file("--preview", a.required(Opt.PREVIEW), conf, inputs, null);
        }
    }

    record Settings(int copies, boolean original, boolean csv, Distortion distortion, int partitions, int files, long seed) {
    }

    static int run(Args a, SparkSession spark, PrintStream out) {
        Settings s = check(a);
        java.util.List<org.sparkdigits.data.InputFile> in = InputFiles.resolve(a.required(Opt.DATA),
                spark.sparkContext().hadoopConfiguration(), "data");
        DigitLoader loader = new DigitLoader(spark, EvaluateCommand.onBadRow(a), StorageLevel.MEMORY_AND_DISK());
        int parallelism = spark.sparkContext().defaultParallelism();
        int partitions = s.partitions() > 0 ? loader.partitionsFor(in, s.partitions(), parallelism)
                : InputFiles.autoPartitions(in, spark.sparkContext().hadoopConfiguration(), parallelism);
        LoadedData data = loader.loadShuffled(in, partitions, "data");
        long perRow = s.copies() + (s.original() ? 1 : 0);
        long expected = data.rows() * perRow;
        int files = s.files() > 0 ? s.files() : (int) Math.max(1, (expected + ROWS_PER_FILE - 1) / ROWS_PER_FILE);
        LOG.info("augmenting {} rows: {} variants each{}, {} rows into {} {} file(s)", data.rows(), s.copies(),
                s.original() ? " plus the original" : "", expected, files, s.csv() ? "CSV" : "Parquet");
        long t0 = System.nanoTime();
        long written;
        try {
            written = Augmentation.write(spark, data.blocks(), s.distortion(), s.seed(), s.copies(), s.original(), files,
                    s.csv(), a.required(Opt.OUT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (written != expected) {
            throw new IllegalStateException("wrote " + written + " rows, expected " + expected);
        }
        if (a.given(Opt.PREVIEW)) {
            preview(data.blocks().first(), s, Path.of(a.required(Opt.PREVIEW)));
        }
        data.unpersist();
        out.printf(Locale.ROOT, "wrote %d rows (%d inputs x %d) to %s as %s in %.1f s: %.0f images/s%n", written, data.rows(),
                perRow, a.required(Opt.OUT), s.csv() ? "CSV" : "Parquet", seconds, written / seconds);
        if (a.given(Opt.PREVIEW)) {
            out.println("preview written to " + a.required(Opt.PREVIEW));
        }
        return 0;
    }

    /** 8 digits of {@code block}, each followed by 8 of its variants (copies 1-8), 3x enlarged, ink white on black. */
    static void preview(DigitBlock block, Settings s, Path file) {
        if (block.rows() == 0) {
            throw new InputException("data: nothing to preview");
        }
        int rows = Math.min(8, block.rows());
        BufferedImage grid = new BufferedImage(9 * 28, rows * 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < rows; i++) {
            byte[] px = Arrays.copyOfRange(block.pixels(), i * 784, (i + 1) * 784);
            grid.getGraphics().drawImage(DigitImage.toImage(px), 0, i * 28, null);
            for (int c = 1; c <= 8; c++) {
                grid.getGraphics().drawImage(DigitImage.toImage(s.distortion().apply(px, s.seed(), block.rowKey(i), c)),
                        c * 28, i * 28, null);
            }
        }
        BufferedImage big = new BufferedImage(grid.getWidth() * 3, grid.getHeight() * 3, BufferedImage.TYPE_BYTE_GRAY);
        big.getGraphics().drawImage(grid.getScaledInstance(big.getWidth(), big.getHeight(), Image.SCALE_REPLICATE), 0, 0, null);
        AtomicFiles.write(file, tmp -> {
            if (!ImageIO.write(big, "png", tmp.toFile())) {
                throw new IOException("no PNG writer");
            }
        });
    }
}
