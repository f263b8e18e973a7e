package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.spark.load.DigitLoader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.Kernel;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.optim.LearningRateSchedule;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.io.InputException;
import org.sparkdigits.train.LoopSpec;
import org.sparkdigits.train.NetworkSpec;
import org.sparkdigits.train.OptimizerSpec;
import org.sparkdigits.train.ScheduleSpec;
import org.sparkdigits.train.TrainingSpec;

/**
 * {@code bench}: the speed figures of this machine, each a median (with min and max) over repeated runs in
 * one Spark session: loading the data into cached blocks; one pass of each kernel over all rows on one
 * thread (the arithmetic alone); what Spark's per-step overhead is made of (jobs without arithmetic);
 * full-batch iterations at H=10 (each kernel) and H=128; mini-batch steps at B=256, H=10. Timings are
 * printed, never asserted: {@code bench/speed.sh} runs this beside the numpy and MLlib peers.
 */
public final class SpeedBench {

    private static final Logger LOG = LoggerFactory.getLogger(SpeedBench.class);

    /** Rows (at least) of the one-thread kernel figures. */
    static final int KERNEL_ROWS = 60_000;

    /** The mini-batch size of the step figure. */
    public static final int BATCH = 256;

    private SpeedBench() {
    }

    /** Median, min, max. */
    public record Stat(double median, double min, double max) {
        static Stat of(double[] values) {
            double[] s = values.clone();
            Arrays.sort(s);
            int n = s.length;
            double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
            return new Stat(median, s[0], s[n - 1]);
        }

        public String ms() {
            return String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", median, min, max);
        }
    }

    /**
     * What to measure.
     *
     * @param data       the labelled rows (any format)
     * @param format     their format, {@code null} to detect it
     * @param repeats    loads timed
     * @param passes     full-batch iterations timed at H=10 (a third of them at H=128 and on ojalgo)
     * @param steps      mini-batch steps timed (B=256, H=10)
     * @param jobs       jobs timed per figure of Spark's overhead (after 3 x jobs warm-up jobs)
     * @param partitions partitions of the cached rows, 0 for one per core
     */
    public record Settings(String data, InputFormat format, int repeats, int passes, int steps, int jobs, long seed,
                           int partitions) {
    }

    /**
     * Measures everything, prints the table to {@code out} and returns the figures by name (medians with min and max
     * as {@link Stat}).
     *
     * @param base the training settings the full-batch and mini-batch figures start from (the defaults)
     */
    public static Map<String, Object> run(SparkSession spark, Settings s, TrainingSpec base, PrintStream out) {
        String data = s.data();
        int repeats = s.repeats();
        int passes = s.passes();
        int steps = s.steps();
        int jobs = s.jobs();
        long seed = s.seed();
        DigitLoader loader = new DigitLoader(spark, OnBadRow.FAIL, StorageLevel.MEMORY_AND_DISK());
        List<InputFile> files = InputFiles.resolve(data, spark.sparkContext().hadoopConfiguration(), "data", s.format());
        int partitions = s.partitions() == 0 ? spark.sparkContext().defaultParallelism()
                : loader.partitionsFor(files, s.partitions(), spark.sparkContext().defaultParallelism());
        int cores = spark.sparkContext().defaultParallelism();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("master", spark.sparkContext().master());
        results.put("cores", cores);
        results.put("partitions", partitions);
        results.put("simd_available", KernelKind.simdAvailable());
        List<String[]> table = new ArrayList<>();

        // 1. load
        double[] loads = new double[repeats];
        LoadedData loaded = null;
        for (int r = 0; r < repeats; r++) {
            if (loaded != null) {
                loaded.unpersist();
            }
            loaded = loader.loadShuffled(files, partitions, "data");
            loads[r] = loaded.seconds();
            LOG.info(String.format(Locale.ROOT, "load %d/%d: %d rows in %.2f s", r + 1, repeats, loaded.rows(), loads[r]));
        }
        Stat load = Stat.of(loads);
        results.put("load_s", load);
        results.put("load_first_s", loads[0]);
        results.put("rows", loaded.rows());
        table.add(row("load " + loaded.rows() + " rows into cached blocks (s)", load, "first " + fmt(loads[0])));
        JavaRDD<DigitBlock> blocks = loaded.blocks();
        int rows = (int) loaded.rows();
        if (rows < BATCH) {
            throw new InputException("bench needs at least " + BATCH + " rows (one mini-batch); " + data + " has " + rows);
        }

        // 2. the arithmetic alone: one pass of a kernel over the rows, one thread, on the driver (at most the
        //    blocks holding the first KERNEL_ROWS rows are brought to the driver: a large set must not be)
        int perBlock = Math.max(1, rows / partitions);
        List<DigitBlock> local = blocks.take(Math.min(partitions, (KERNEL_ROWS + perBlock - 1) / perBlock));
        int localRows = local.stream().mapToInt(DigitBlock::rows).sum();
        results.put("kernel_rows", localRows);
        for (int h : new int[] {10, 128}) {
            for (KernelKind k : KernelKind.values()) {
                int runs = k == KernelKind.OJALGO && h > 10 ? 2 : 5;
                Stat st = time(runs + 1, () -> onePass(local, NetworkShape.mnist(h), k, seed), true);
                double rowsPerS = localRows / (st.median() / 1000);
                results.put("kernel_h" + h + "_" + k.id() + "_ms", st);
                table.add(row(String.format(Locale.ROOT, "one pass (%d rows), one thread, H=%d, %s kernel (ms)", localRows, h,
                        k.id()), st,
                        String.format(Locale.ROOT, "%.0f rows/s", rowsPerS)));
                LOG.info("kernel H={} {}: {} ms", h, k.id(), st.ms());
            }
        }

        // 3. Spark's floor: jobs without arithmetic, after a warm-up (Spark's scheduler code needs several
        //    hundred jobs before the JIT has compiled it: the first jobs take 15-50 ms, later ones 4-8 ms)
        NetworkShape h10 = NetworkShape.mnist(10);
        double[] w10 = Initializer.HE.initialize(h10, seed).values();
        LOG.info("warming Spark up: {} jobs without arithmetic", 3 * jobs);
        time(3 * jobs, () -> JobFloor.withBroadcast(blocks, h10, w10), false);
        Stat bare = time(jobs, () -> JobFloor.bare(blocks), false);
        Stat result = time(jobs, () -> JobFloor.withResult(blocks, h10), false);
        Stat broadcast = time(jobs, () -> JobFloor.withBroadcast(blocks, h10, w10), false);
        results.put("job_bare_ms", bare);
        results.put("job_with_result_ms", result);
        results.put("job_with_broadcast_ms", broadcast);
        table.add(row("job: one task per partition, nothing returned (ms)", bare, "scheduling"));
        table.add(row("job: + a zero H=10 gradient sum per task (ms)", result, "+ results to the driver"));
        table.add(row("job: + broadcast weights (ms) = a step without arithmetic", broadcast, "+ broadcast"));

        // 4. full batch
        for (KernelKind k : new KernelKind[] {KernelKind.SIMD, KernelKind.FLOAT, KernelKind.OJALGO}) {
            Stat st = fullBatch(blocks, rows, base, h10, k, k == KernelKind.OJALGO ? Math.max(3, passes / 3) : passes, seed);
            results.put("full_batch_h10_" + k.id() + "_ms", st);
            table.add(row("full-batch iteration, H=10, " + k.id() + " (ms)", st,
                    String.format(Locale.ROOT, "%.0f samples/s", rows / (st.median() / 1000))));
        }
        for (KernelKind k : new KernelKind[] {KernelKind.SIMD, KernelKind.FLOAT}) {
            Stat h128 = fullBatch(blocks, rows, base, NetworkShape.mnist(128), k, Math.max(3, passes / 3), seed);
            results.put("full_batch_h128_" + k.id() + "_ms", h128);
            table.add(row("full-batch iteration, H=128, " + k.id() + " (ms)", h128,
                    String.format(Locale.ROOT, "%.0f samples/s", rows / (h128.median() / 1000))));
        }

        // 5. mini-batch steps
        int batch = BATCH;
        int perEpoch = (rows + batch - 1) / batch;
        int epochs = (steps + perEpoch - 1) / perEpoch;
        TrainingSpec mb = base.with(new NetworkSpec(10, Activation.RELU, Initializer.HE, KernelKind.SIMD))
                .with(new OptimizerSpec(Optimizer.Kind.ADAM, base.optimizer().momentum(), base.optimizer().beta1(),
                        base.optimizer().beta2(), base.optimizer().eps()))
                .with(new ScheduleSpec(LearningRateSchedule.Kind.CONSTANT, 0.001, 0, 1, 1))
                .with(new LoopSpec(batch, epochs, 1, 1, 1_000_000, seed));
        SparkTrainer.Result r = SparkTrainer.train(blocks, rows, Initializer.HE.initialize(h10, seed), mb);
        Stat step = new Stat(r.msPerStep()[0], r.msPerStep()[1], r.msPerStep()[2]);
        Stat sliceCompute = time(51, () -> {
            GradientSum sum = new GradientSum(h10);
            Kernel kernel = KernelKind.SIMD.create(Initializer.HE.initialize(h10, seed), Activation.RELU);
            kernel.accumulateGradient(local.get(0), null, 0, Math.min(batch / partitions, local.get(0).rows()), sum);
            return sum;
        }, true);
        results.put("mini_batch_b256_h10_step_ms", step);
        results.put("mini_batch_b256_h10_steps", r.steps());
        results.put("mini_batch_b256_task_compute_ms", sliceCompute);
        table.add(row("mini-batch step, B=256, H=10, adam (ms)", step, r.steps() + " steps"));
        table.add(row("  of which arithmetic per task (" + batch / partitions + " rows, ms)", sliceCompute,
                partitions + " tasks on " + cores + " cores"));

        out.println();
        out.printf(Locale.ROOT, "spark-digits bench: %s, %d partitions, %d rows of %s, SIMD %s%n",
                spark.sparkContext().master(), partitions, rows, data, KernelKind.simdAvailable() ? "on" : "off");
        out.printf(Locale.ROOT, "%-66s %-24s %s%n", "figure", "median (min-max)", "");
        for (String[] t : table) {
            out.printf(Locale.ROOT, "%-66s %-24s %s%n", t[0], t[1], t[2]);
        }
        loaded.unpersist();
        return results;
    }

    private static GradientSum onePass(List<DigitBlock> blocks, NetworkShape shape, KernelKind kernel, long seed) {
        Kernel k = kernel.create(Initializer.HE.initialize(shape, seed), Activation.RELU);
        GradientSum sum = new GradientSum(shape);
        for (DigitBlock b : blocks) {
            k.accumulateGradient(b, sum);
        }
        return sum;
    }

    private static Stat fullBatch(JavaRDD<DigitBlock> blocks, int rows, TrainingSpec base, NetworkShape shape,
                                  KernelKind kernel, int iterations, long seed) {
        LOG.info("full batch, H={}, {} kernel: {} iterations", shape.hidden(), kernel.id(), iterations);
        TrainingSpec s = base.with(new NetworkSpec(shape.hidden(), Activation.RELU, Initializer.HE, kernel))
                .with(new ScheduleSpec(LearningRateSchedule.Kind.CONSTANT, 0.1, 0, 1, 1))
                .with(new LoopSpec(0, 1, iterations, 1, Math.max(1, iterations / 4), seed));
        SparkTrainer.Result r = SparkTrainer.train(blocks, rows, Initializer.HE.initialize(shape, seed), s);
        return new Stat(r.msPerStep()[0], r.msPerStep()[1], r.msPerStep()[2]);
    }

    /** Runs {@code work} {@code n} times; the figures (ms) of all runs, or of all but the first (warm-up). */
    private static Stat time(int n, Supplier<?> work, boolean dropFirst) {
        double[] t = new double[dropFirst ? n - 1 : n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Object o = work.get();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (o == null) {
                throw new IllegalStateException("no result");
            }
            if (!dropFirst) {
                t[i] = ms;
            } else if (i > 0) {
                t[i - 1] = ms;
            }
        }
        return Stat.of(t);
    }

    private static String[] row(String what, Stat s, String note) {
        return new String[] {what, s.ms(), note};
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** The figures as one JSON object. */
    public static String toJson(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append('"').append(e.getKey()).append("\": ");
            Object v = e.getValue();
            if (v instanceof Stat s) {
                b.append(String.format(Locale.ROOT, "{\"median\": %.4f, \"min\": %.4f, \"max\": %.4f}", s.median(), s.min(),
                        s.max()));
            } else if (v instanceof String str) {
                b.append('"').append(str.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                b.append(v);
            }
        }
        return b.append('}').toString();
    }
}
