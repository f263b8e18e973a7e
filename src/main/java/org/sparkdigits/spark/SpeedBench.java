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
        DigitLoader loader = new DigitLoader(spark, OnBadRow.FAIL, StorageLevel.MEMORY_AND_DISK());
        List<InputFile> files = InputFiles.resolve(s.data(), spark.sparkContext().hadoopConfiguration(), "data", s.format());
        int cores = spark.sparkContext().defaultParallelism();
        int partitions = s.partitions() == 0 ? cores : loader.partitionsFor(files, s.partitions(), cores);
        Figures f = new Figures();
        f.results.put("master", spark.sparkContext().master());
        f.results.put("cores", cores);
        f.results.put("partitions", partitions);
        f.results.put("simd_available", KernelKind.simdAvailable());
        LoadedData loaded = load(loader, files, partitions, s.repeats(), f);
        JavaRDD<DigitBlock> blocks = loaded.blocks();
        int rows = (int) loaded.rows();
        if (rows < BATCH) {
            throw new InputException("bench needs at least " + BATCH + " rows (one mini-batch); " + s.data() + " has " + rows);
        }
        // the arithmetic alone: at most the blocks holding the first KERNEL_ROWS rows are brought to the driver
        int perBlock = Math.max(1, rows / partitions);
        List<DigitBlock> local = blocks.take(Math.min(partitions, (KERNEL_ROWS + perBlock - 1) / perBlock));
        kernels(local, s.seed(), f);
        jobFloor(blocks, s.jobs(), s.seed(), f);
        fullBatches(blocks, rows, base, s.passes(), s.seed(), f);
        miniBatch(blocks, rows, local, base, s.steps(), s.seed(), partitions, cores, f);
        out.println();
        out.printf(Locale.ROOT, "spark-digits bench: %s, %d partitions, %d rows of %s, SIMD %s%n",
                spark.sparkContext().master(), partitions, rows, s.data(), KernelKind.simdAvailable() ? "on" : "off");
        out.printf(Locale.ROOT, "%-66s %-24s %s%n", "figure", "median (min-max)", "");
        for (String[] t : f.table) {
            out.printf(Locale.ROOT, "%-66s %-24s %s%n", t[0], t[1], t[2]);
        }
        loaded.unpersist();
        return f.results;
    }

    /** The figures by name (for --json) and the printed table's rows, as they are measured. */
    private static final class Figures {
        final Map<String, Object> results = new LinkedHashMap<>();
        final List<String[]> table = new ArrayList<>();

        void add(String key, Stat stat, String what, String note) {
            results.put(key, stat);
            table.add(row(what, stat, note));
        }
    }

    /** The load into cached blocks, {@code repeats} times (each after unpersisting the last); the last load stays. */
    private static LoadedData load(DigitLoader loader, List<InputFile> files, int partitions, int repeats, Figures f) {
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
        f.add("load_s", Stat.of(loads), "load " + loaded.rows() + " rows into cached blocks (s)", "first " + fmt(loads[0]));
        f.results.put("load_first_s", loads[0]);
        f.results.put("rows", loaded.rows());
        return loaded;
    }

    /** One pass of each kernel over the {@code local} rows, one thread, on the driver, at H=10 and H=128. */
    private static void kernels(List<DigitBlock> local, long seed, Figures f) {
        int localRows = local.stream().mapToInt(DigitBlock::rows).sum();
        f.results.put("kernel_rows", localRows);
        for (int h : new int[] {10, 128}) {
            for (KernelKind k : KernelKind.values()) {
                int runs = k == KernelKind.OJALGO && h > 10 ? 2 : 5;
                Stat st = time(runs + 1, () -> onePass(local, NetworkShape.mnist(h), k, seed), true);
                f.add("kernel_h" + h + "_" + k.id() + "_ms", st, String.format(Locale.ROOT,
                        "one pass (%d rows), one thread, H=%d, %s kernel (ms)", localRows, h, k.id()),
                        String.format(Locale.ROOT, "%.0f rows/s", localRows / (st.median() / 1000)));
                LOG.info("kernel H={} {}: {} ms", h, k.id(), st.ms());
            }
        }
    }

    /**
     * Spark's floor: jobs without arithmetic, after a warm-up (Spark's scheduler code needs several hundred jobs before
     * the JIT has compiled it: the first jobs take 15-50 ms, later ones 4-8 ms).
     */
    private static void jobFloor(JavaRDD<DigitBlock> blocks, int jobs, long seed, Figures f) {
        NetworkShape h10 = NetworkShape.mnist(10);
        double[] w10 = Initializer.HE.initialize(h10, seed).values();
        LOG.info("warming Spark up: {} jobs without arithmetic", 3 * jobs);
        time(3 * jobs, () -> JobFloor.withBroadcast(blocks, h10, w10), false);
        f.add("job_bare_ms", time(jobs, () -> JobFloor.bare(blocks), false),
                "job: one task per partition, nothing returned (ms)", "scheduling");
        f.add("job_with_result_ms", time(jobs, () -> JobFloor.withResult(blocks, h10), false),
                "job: + a zero H=10 gradient sum per task (ms)", "+ results to the driver");
        f.add("job_with_broadcast_ms", time(jobs, () -> JobFloor.withBroadcast(blocks, h10, w10), false),
                "job: + broadcast weights (ms) = a step without arithmetic", "+ broadcast");
    }

    /** Full-batch iterations at H=10 (simd, float, ojalgo) and H=128 (simd, float). */
    private static void fullBatches(JavaRDD<DigitBlock> blocks, int rows, TrainingSpec base, int passes, long seed,
                                    Figures f) {
        for (KernelKind k : new KernelKind[] {KernelKind.SIMD, KernelKind.FLOAT, KernelKind.OJALGO}) {
            Stat st = fullBatch(blocks, rows, base, NetworkShape.mnist(10), k,
                    k == KernelKind.OJALGO ? Math.max(3, passes / 3) : passes, seed);
            f.add("full_batch_h10_" + k.id() + "_ms", st, "full-batch iteration, H=10, " + k.id() + " (ms)",
                    String.format(Locale.ROOT, "%.0f samples/s", rows / (st.median() / 1000)));
        }
        for (KernelKind k : new KernelKind[] {KernelKind.SIMD, KernelKind.FLOAT}) {
            Stat st = fullBatch(blocks, rows, base, NetworkShape.mnist(128), k, Math.max(3, passes / 3), seed);
            f.add("full_batch_h128_" + k.id() + "_ms", st, "full-batch iteration, H=128, " + k.id() + " (ms)",
                    String.format(Locale.ROOT, "%.0f samples/s", rows / (st.median() / 1000)));
        }
    }

    /** Mini-batch steps (B=256, H=10, adam) of the real loop, and the arithmetic of one task's share of a step. */
    private static void miniBatch(JavaRDD<DigitBlock> blocks, int rows, List<DigitBlock> local, TrainingSpec base,
                                  int steps, long seed, int partitions, int cores, Figures f) {
        NetworkShape h10 = NetworkShape.mnist(10);
        int batch = BATCH;
        int perEpoch = (rows + batch - 1) / batch;
        int epochs = (steps + perEpoch - 1) / perEpoch;
        TrainingSpec mb = base.with(new NetworkSpec(10, Activation.RELU, Initializer.HE, KernelKind.SIMD))
                .with(new OptimizerSpec(Optimizer.Kind.ADAM, base.optimizer().momentum(), base.optimizer().beta1(),
                        base.optimizer().beta2(), base.optimizer().eps()))
                .with(new ScheduleSpec(LearningRateSchedule.Kind.CONSTANT, 0.001, 0, 1, 1))
                .with(new LoopSpec(batch, epochs, 1, 1, 1_000_000, seed));
        SparkTrainer.Result r = SparkTrainer.train(blocks, rows, Initializer.HE.initialize(h10, seed), mb);
        Stat sliceCompute = time(51, () -> {
            GradientSum sum = new GradientSum(h10);
            Kernel kernel = KernelKind.SIMD.create(Initializer.HE.initialize(h10, seed), Activation.RELU);
            kernel.accumulateGradient(local.get(0), null, 0, Math.min(batch / partitions, local.get(0).rows()), sum);
            return sum;
        }, true);
        f.add("mini_batch_b256_h10_step_ms", new Stat(r.msPerStep()[0], r.msPerStep()[1], r.msPerStep()[2]),
                "mini-batch step, B=256, H=10, adam (ms)", r.steps() + " steps");
        f.results.put("mini_batch_b256_h10_steps", r.steps());
        f.add("mini_batch_b256_task_compute_ms", sliceCompute,
                "  of which arithmetic per task (" + batch / partitions + " rows, ms)", partitions + " tasks on " + cores + " cores");
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
