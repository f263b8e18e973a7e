package org.sparkdigits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.io.InputException;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.train.TrainingCancelledException;

/**
 * A fit releases what it cached however it ends (failures after the load, during training, success, the command
 * line's train); it says what it is about to load and how big that looks before the load's first job; an interrupt of
 * its thread or a cancellation of its Spark job group ends it promptly with a {@link TrainingCancelledException},
 * during the load of ten billion rows and during training.
 */
@Tag("spark-layer")
class FitReleaseAndCancelTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    static SparkContext sc;

    static final StructType KAGGLE;

    static {
        StructType t = new StructType().add("label", DataTypes.IntegerType);
        for (int j = 0; j < 784; j++) {
            t = t.add("pixel" + j, DataTypes.IntegerType);
        }
        KAGGLE = t;
    }

    /** A hang guard only: each cancellation is expected within seconds. */
    static final Duration GUARD = Duration.ofMinutes(2);

    @BeforeAll
    static void session() {
        spark = SparkTestSession.get();
        sc = spark.sparkContext();
    }

    /**
     * Whatever a test started on the executors ends before the next test (the machine has few cores): a task of a
     * cancelled job that goes on would hold a slot for good, and the next barrier stage would wait for it.
     */
    @AfterEach
    void quiet() throws InterruptedException, java.util.concurrent.TimeoutException {
        // Spark's status is told by events: a cancelled job is over at once, but its tasks' starts and ends may still be
        // on their way. So the listener bus is drained before each look, and quiet means three looks in a row.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int calm = 0; calm < 3 && System.nanoTime() < end; Thread.sleep(200)) {
            sc.listenerBus().waitUntilEmpty();
            calm = sc.statusTracker().getActiveJobIds().length == 0 && runningTasks() == 0 ? calm + 1 : 0;
        }
        sc.listenerBus().waitUntilEmpty();
        assertEquals(0, runningTasks(), () -> "tasks still run 60 s after the test's jobs ended or were cancelled: "
                + running());
    }

    /** The active stages (id, name, running tasks) and the stacks of the executor's task threads: what still runs. */
    private static String running() {
        StringBuilder b = new StringBuilder();
        for (int id : sc.statusTracker().getActiveStageIds()) {
            var info = sc.statusTracker().getStageInfo(id);
            if (info.isDefined()) {
                b.append("stage ").append(id).append(" '").append(info.get().name()).append("' (")
                        .append(info.get().numActiveTasks()).append(" running tasks); ");
            }
        }
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().startsWith("Executor task launch worker")) {
                b.append("\n").append(t.getName()).append(" (").append(t.getState()).append(")");
                for (int i = 0; i < Math.min(stack.length, 40); i++) {
                    b.append("\n    at ").append(stack[i]);
                }
            }
        });
        return b.toString();
    }

    private static int runningTasks() {
        int n = 0;
        for (var e : sc.statusTracker().getExecutorInfos()) {
            n += e.numRunningTasks();
        }
        return n;
    }

    /**
     * The ids of Spark's persisted RDDs. Compared as sets, not counted: Spark holds them weakly, so an RDD another test
     * left behind may be collected meanwhile.
     */
    private static Set<Integer> cached() {
        return new TreeSet<>(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(sc).getPersistentRDDs().keySet());
    }

    /** The RDDs persisted since {@code before} and still persisted. */
    private static Set<Integer> newSince(Set<Integer> before) {
        Set<Integer> now = cached();
        now.removeAll(before);
        return now;
    }

    private static Dataset<Row> kaggle(Path csv) {
        return spark.read().option("header", "true").schema(KAGGLE).csv(csv.toString());
    }

    private static DigitTrainer.Builder shortRun() {
        return DigitTrainer.builder().hidden(16).batchSize(64).epochs(2).optimizer("adam").lr(0.01).partitions(2).seed(3)
                .logEvery(5);
    }

    /** {@code n} rows (10 billion: far more than could be loaded here) in the array layout fit accepts. */
    private static Dataset<Row> range(long n) {
        return spark.range(n).select(functions.col("id").mod(10).cast("int").as("label"),
                functions.array_repeat(functions.lit(0), 784).as("pixels"));
    }

    @Tag("slow")
    @Test
    void failingAndSucceedingFitsLeaveNothingCached() throws IOException {
        Path csv = TestCsv.labelled(dir.resolve("train.csv"), 200, 91, true);
        Dataset<Row> train = kaggle(csv);
        train.cache().count();   // the user's own cached DataFrame: never unpersisted by a fit
        Set<Integer> before = cached();
        assertFalse(before.isEmpty(), "the user's DataFrame is cached");
        Dataset<Row> badTest = kaggle(TestCsv.labelled(dir.resolve("bad-test.csv"), 30, 92, true))
                .withColumn("pixel3", functions.lit(400));
        Object[][] failures = {
                {shortRun().batchSize(1000), "--batch-size 1000 is larger than the 200 training rows"},
                // held-out validation rows leave fewer than a batch: train and validation were both cached
                {shortRun().validationRows(50).batchSize(180), "--batch-size 180 is larger than the 150 training rows"},
                {shortRun().holdout(20).validationRows(50).batchSize(160), "--batch-size 160 is larger than the 130"},
                {shortRun().holdout(500), "--holdout 500 must be between 1 and 199"},
                {shortRun().testSet(badTest), "test data: DataFrame (test data): row"},
                {shortRun().validation(badTest), "validation data: DataFrame (validation data): row"}};
        for (Object[] f : failures) {
            DigitTrainer trainer = ((DigitTrainer.Builder) f[0]).build();
            InputException e = assertThrows(InputException.class, () -> trainer.fit(train));
            assertTrue(e.getMessage().contains((String) f[1]), e.getMessage());
            assertEquals(Set.of(), newSince(before), "cached RDDs after: " + e.getMessage());
        }
        // a failure during training (the loss overflows at once), with an epoch's permutations cached
        IllegalStateException diverged = assertThrows(IllegalStateException.class,
                () -> shortRun().optimizer("sgd").lr(1e300).build().fit(train));
        assertTrue(diverged.getMessage().contains("the loss became"), diverged.getMessage());
        assertEquals(Set.of(), newSince(before), "cached RDDs after a failure during training");
        DigitModel m = shortRun().validationRows(40).build().fit(train);
        assertEquals(160, m.report().metrics().scores().train().rows());
        assertEquals(Set.of(), newSince(before), "cached RDDs after a successful fit");
        assertEquals(200, m.evaluate(train).count(), "the model still scores");
        assertTrue(train.storageLevel().useMemory(), "the user's DataFrame is still cached");
        train.unpersist();
    }

    @Test
    void theCommandLinesTrainLeavesNothingCachedEither() throws IOException {
        Path csv = TestCsv.labelled(dir.resolve("cli.csv"), 100, 93, true);
        Set<Integer> before = cached();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = org.sparkdigits.cli.Main.run(new String[] {"train", "--data", csv.toString(), "--hidden", "8",
                "--batch-size", "500", "--epochs", "1", "--validation", "20", "--out", dir.resolve("cli-model").toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--batch-size 500 is larger than the 80 training rows"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(Set.of(), newSince(before));
    }

    @Test
    void theSizeOfADataFrameIsSaidBeforeAnyJob() {
        Set<Integer> before = cached();
        AtomicInteger jobs = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                jobs.incrementAndGet();
            }
        };
        List<String> lines = new ArrayList<>();
        TrainingListener stop = new TrainingListener() {
            @Override
            public void onLoad(String what, String description) {
                lines.add(what + ": " + description);
                Thread.currentThread().interrupt();   // a notebook's interrupt, right after the line
            }
        };
        sc.addSparkListener(counter);
        TrainingCancelledException e;
        try {
            e = assertTimeoutPreemptively(GUARD, () -> {
                TrainingCancelledException c = assertThrows(TrainingCancelledException.class,
                        () -> shortRun().listener(stop).build().fit(range(10_000_000_000L)));
                assertTrue(Thread.interrupted(), "the thread's interrupt status is set again");
                // a shuffle (an adaptive plan): its RDD would run the shuffle's stage, so only its plan is told
                assertThrows(TrainingCancelledException.class,
                        () -> shortRun().listener(stop).build().fit(range(10_000_000_000L).repartition(3)));
                assertTrue(Thread.interrupted());
                return c;
            });
            sc.listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException t) {
            throw new AssertionError(t);
        } finally {
            sc.removeSparkListener(counter);
        }
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("training data: loading the training data from a DataFrame of 3 partitions or "
                + "fewer (adaptive) (Spark's estimate: 10000000000 rows, "), lines.get(1));
        String line = lines.get(0);
        assertTrue(line.startsWith("training data: loading the training data from a DataFrame of 2 partitions (Spark's "
                + "estimate: "), line);
        assertTrue(line.matches(".*estimate: 10000000000 rows, [0-9.]+ [kMGTPE]B\\)$"), line);
        assertEquals("training cancelled before loading the training data (the thread was interrupted)", e.getMessage());
        assertTrue(e.interrupted());
        assertEquals(0, jobs.get(), "no Spark job ran for the size");
        assertEquals(Set.of(), newSince(before));
    }

    @Test
    void theSizeOfFilesIsSaid() throws IOException {
        Path csv = TestCsv.labelled(dir.resolve("sized.csv"), 120, 94, true);
        Path test = TestCsv.labelled(dir.resolve("sized-test.csv"), 30, 95, true);
        List<String> lines = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onLoad(String what, String description) {
                lines.add(what + ": " + description);
            }
        };
        shortRun().data(csv.toString()).test(test.toString()).listener(l).build().fit();
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("training data: loading the training data from " + csv + " (1 csv file, "
                + String.format(Locale.ROOT, "%.1f kB)", csv.toFile().length() / 1e3), lines.get(0));
        assertEquals("test data: loading the test data from " + test + " (1 csv file, "
                + String.format(Locale.ROOT, "%.1f kB)", test.toFile().length() / 1e3), lines.get(1));
    }

    /**
     * Runs {@code fit} in a thread of its own job group, calls {@code cancel} with the thread once {@code started}
     * opened (and a job of the group runs, when {@code duringJob}) until the thread ends, and returns what the fit threw.
     */
    private static Throwable cancelled(Runnable fit, CountDownLatch started, boolean duringJob,
                                       BiConsumer<Thread, String> cancel) {
        return cancelled(fit, started, duringJob, true, cancel);
    }

    /** As above, the job group interrupting its tasks' threads on cancellation or not ({@code interruptOnCancel}). */
    private static Throwable cancelled(Runnable fit, CountDownLatch started, boolean duringJob, boolean interruptOnCancel,
                                       BiConsumer<Thread, String> cancel) {
        Set<Integer> before = cached();
        String group = "cancel-test-" + System.nanoTime();
        AtomicBoolean groupJob = new AtomicBoolean();
        SparkListener watch = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                if (group.equals(start.properties().getProperty("spark.jobGroup.id"))) {
                    groupJob.set(true);
                }
            }
        };
        sc.addSparkListener(watch);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            sc.setJobGroup(group, "a fit to cancel", interruptOnCancel);
            try {
                fit.run();
            } catch (Throwable e) {
                thrown.set(e);
            } finally {
                sc.clearJobGroup();
            }
        }, "fit-to-cancel");
        try {
            assertTimeoutPreemptively(GUARD, () -> {
                t.start();
                started.await();
                while (duringJob && !groupJob.get() && t.isAlive()) {
                    Thread.sleep(20);
                }
                while (t.isAlive()) {
                    cancel.accept(t, group);
                    t.join(250);
                }
            });
        } finally {
            sc.removeSparkListener(watch);
            t.interrupt();
        }
        assertNotNull(thrown.get(), "the fit ended without an exception");
        assertEquals(Set.of(), newSince(before), "cached RDDs after the cancelled fit");
        return thrown.get();
    }

    @Tag("slow")
    @Test
    void cancellingTheJobGroupEndsTheLoadOfTenBillionRows() {
        CountDownLatch announced = new CountDownLatch(1);
        TrainingListener l = new TrainingListener() {
            @Override
            public void onLoad(String what, String description) {
                announced.countDown();
            }
        };
        Throwable e = cancelled(() -> shortRun().listener(l).build().fit(range(10_000_000_000L)), announced, true,
                (t, group) -> sc.cancelJobGroup(group));
        TrainingCancelledException c = assertInstanceOf(TrainingCancelledException.class, e);
        assertTrue(c.getMessage().startsWith("training cancelled while loading the training data (Job "), c.getMessage());
        assertTrue(c.getMessage().contains("cancelled part of cancelled job group cancel-test-"), c.getMessage());
        assertFalse(c.interrupted());
    }

    @Tag("slow")
    @Test
    void interruptingTheThreadEndsTheLoadAndItsJob() {
        CountDownLatch announced = new CountDownLatch(1);
        TrainingListener l = new TrainingListener() {
            @Override
            public void onLoad(String what, String description) {
                announced.countDown();
            }
        };
        Throwable e = cancelled(() -> shortRun().listener(l).build().fit(range(10_000_000_000L)), announced, true,
                (t, group) -> t.interrupt());
        TrainingCancelledException c = assertInstanceOf(TrainingCancelledException.class, e);
        assertEquals("training cancelled while loading the training data (the thread was interrupted)", c.getMessage());
        assertTrue(c.interrupted());
        assertNoJobsWithin(Duration.ofSeconds(30));   // the job the thread waited for was cancelled with it
    }

    private static void assertNoJobsWithin(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (sc.statusTracker().getActiveJobIds().length > 0) {
            assertTrue(System.nanoTime() < end, "a job still runs");
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** A training run of 40 000 steps that tells {@code started} after its first. */
    private static Runnable longTraining(Dataset<Row> train, CountDownLatch started, AtomicLong steps) {
        TrainingListener l = new TrainingListener() {
            @Override
            public void onStep(long step, double epoch, double loss, double accuracy, double learningRate) {
                steps.set(step);
                started.countDown();
            }
        };
        return () -> shortRun().batchSize(10).epochs(2000).listener(l).build().fit(train);
    }

    @Tag("slow")
    @Test
    void cancellingTheJobGroupEndsTraining() throws IOException {
        Dataset<Row> train = kaggle(TestCsv.labelled(dir.resolve("long.csv"), 200, 96, true));
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong steps = new AtomicLong();
        Throwable e = cancelled(longTraining(train, started, steps), started, false, (t, group) -> sc.cancelJobGroup(group));
        TrainingCancelledException c = assertInstanceOf(TrainingCancelledException.class, e);
        assertTrue(c.getMessage().startsWith("training cancelled while training (Job "), c.getMessage());
        assertTrue(steps.get() >= 1 && steps.get() < 40_000, "steps " + steps);
    }

    /**
     * A job group that does not interrupt its tasks (Spark's default): the collective engine's tasks look at their kill
     * flag at every step, so a segment of 60 000 steps ends within seconds of the cancellation, not at its end.
     */
    @Tag("slow")
    @Test
    void cancellingAGroupThatDoesNotInterruptEndsTheCollectiveSegmentAtItsNextStep() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong steps = new AtomicLong();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onStep(long step, double epoch, double loss, double accuracy, double learningRate) {
                steps.set(step);
                started.countDown();
            }
        };
        AtomicLong cancelledAt = new AtomicLong();
        Throwable e = cancelled(() -> shortRun().engine("collective").batchSize(1).epochs(1).logEvery(1).listener(l)
                .build().fit(range(60_000)), started, false, false, (t, group) -> {
                    cancelledAt.compareAndSet(0, System.nanoTime());
                    sc.cancelJobGroup(group);
                });
        TrainingCancelledException c = assertInstanceOf(TrainingCancelledException.class, e);
        assertTrue(c.getMessage().startsWith("training cancelled while training (Job "), c.getMessage());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runningTasks() > 0 && System.nanoTime() < end) {
            Thread.yield();
        }
        assertEquals(0, runningTasks(), () -> "the segment's tasks still run "
                + (System.nanoTime() - cancelledAt.get()) / 1_000_000 + " ms after the cancellation: " + running());
        assertTrue(steps.get() >= 1 && steps.get() < 60_000, "steps " + steps);
    }

    @Tag("slow")
    @Test
    void interruptingTheThreadEndsTraining() throws IOException {
        Dataset<Row> train = kaggle(TestCsv.labelled(dir.resolve("long-i.csv"), 200, 97, true));
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong steps = new AtomicLong();
        Throwable e = cancelled(longTraining(train, started, steps), started, false, (t, group) -> t.interrupt());
        TrainingCancelledException c = assertInstanceOf(TrainingCancelledException.class, e);
        assertTrue(c.getMessage().startsWith("training cancelled "), c.getMessage());
        assertTrue(c.getMessage().endsWith("(the thread was interrupted)"), c.getMessage());
        assertTrue(steps.get() >= 1 && steps.get() < 40_000, "steps " + steps);
        assertNoJobsWithin(Duration.ofSeconds(30));
    }
}
