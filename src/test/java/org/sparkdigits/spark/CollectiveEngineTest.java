package org.sparkdigits.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/** The collective engine trains the same model.safetensors as the jobs engine, bit for bit. */
@Tag("spark-layer")
class CollectiveEngineTest {

    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void setUp() throws IOException {
        SparkTestSession.get();
        data = TestCsv.labelled(dir.resolve("train.csv"), 300, 51, true);
    }

    private static byte[] train(String engine, String name, int partitions) throws IOException {
        Path out = dir.resolve(name);
        DigitTrainer.builder().data(data.toString()).hidden(12).batchSize(64).epochs(1).optimizer("adamw").lr(0.01)
                .l2(0.01).dropout(0.2).ema(0.9).partitions(partitions).seed(7).logEvery(2).engine(engine)
                .out(out.toString()).build().fit();
        return Files.readAllBytes(out.resolve("model.safetensors"));
    }

    @Test
    void sameBitsAsTheJobsEngine() throws IOException {
        for (int p : new int[] {1, 2}) {
            assertArrayEquals(train("jobs", "jobs-" + p, p), train("collective", "coll-" + p, p), "partitions " + p);
        }
        // what a step moved: on the jobs engine the sums reached the driver; on the collective engine they went from
        // task to task (each task sent its peer its part of its sums and its new weights), not through the driver
        com.fasterxml.jackson.databind.JsonNode jobs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                dir.resolve("jobs-2/metrics.json").toFile()).get("bytes_per_step");
        com.fasterxml.jackson.databind.JsonNode coll = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                dir.resolve("coll-2/metrics.json").toFile()).get("bytes_per_step");
        assertTrue(jobs.get("driver_received").asDouble() > 0 && jobs.get("task_received") == null, jobs.toString());
        // 2 partitions: what one task sent the other received
        assertTrue(coll.get("task_sent").asDouble() > 0 && coll.get("task_sent").equals(coll.get("task_received")),
                coll.toString());
    }

    private static DigitTrainer.Builder small() {
        return DigitTrainer.builder().data(data.toString()).hidden(10).batchSize(60).epochs(2).lr(0.05).partitions(2)
                .seed(9).logEvery(3);
    }

    /** {@link #small} with full-batch steps. */
    private static DigitTrainer.Builder full() {
        return DigitTrainer.builder().data(data.toString()).hidden(10).lr(0.05).partitions(2).seed(9).logEvery(3);
    }

    private static byte[] fit(DigitTrainer.Builder b, String engine, String name) throws IOException {
        Path out = dir.resolve(name + "-" + engine);
        b.engine(engine).out(out.toString()).build().fit();
        return Files.readAllBytes(out.resolve("model.safetensors"));
    }

    /** Every feature of a mini-batch step, each on both engines: the same model.safetensors. */
    @Tag("slow")
    @Test
    void everyFeatureGivesTheSameBitsOnBothEngines() throws IOException {
        Path teacher = dir.resolve("teacher");
        small().optimizer("adam").lr(0.01).out(teacher.toString()).build().fit();
        java.util.Map<String, java.util.function.Supplier<DigitTrainer.Builder>> cases = new java.util.LinkedHashMap<>();
        cases.put("sgd", () -> small().optimizer("sgd"));
        cases.put("momentum-smoothing", () -> small().optimizer("momentum").labelSmoothing(0.1));
        cases.put("nesterov-validation-evaluations", () -> small().optimizer("nesterov").validationRows(40).evalEvery(2)
                .activation("sigmoid"));
        cases.put("adam-on-the-fly", () -> small().optimizer("adam").lr(0.01).augmentOnTheFly(true).rotation(10));
        cases.put("adamw-teacher", () -> small().optimizer("adamw").lr(0.01).l2(0.05).teacher(teacher.toString())
                .distillTemperature(3).distillWeight(0.6));
        cases.put("float-kernel-ema-schedule", () -> small().optimizer("adam").lr(0.01).kernel("float").ema(0.95)
                .schedule("cosine").warmup(2));
        for (var c : cases.entrySet()) {
            assertArrayEquals(fit(c.getValue().get(), "jobs", c.getKey()), fit(c.getValue().get(), "collective", c.getKey()),
                    c.getKey());
        }
    }

    /**
     * Past 64 hidden units the tasks share out each step (each owner adds up, updates and sends out its shard of the
     * parameters, {@link org.sparkdigits.core.kernel.Shards}): the same bits as the jobs engine, also resumed on the other
     * engine from a checkpoint (the owners' shards of the optimiser's state and of the average, put together).
     */
    @Test
    void shardedStepsGiveTheSameBits() throws IOException {
        assertTrue(CollectiveSteps.sharded(org.sparkdigits.core.network.NetworkShape.mnist(130), 2));
        java.util.Map<String, java.util.function.Supplier<DigitTrainer.Builder>> cases = new java.util.LinkedHashMap<>();
        cases.put("h130-float-adamw-ema-dropout", () -> small().hidden(130).kernel("float").optimizer("adamw").lr(0.01)
                .l2(0.01).ema(0.9).dropout(0.2));
        cases.put("h200-simd-nesterov-smoothing", () -> small().hidden(200).kernel("simd").optimizer("nesterov")
                .labelSmoothing(0.1).l2(0.001));
        cases.put("h130-sparse-sgd", () -> small().hidden(130).kernel("sparse").optimizer("sgd"));
        cases.put("h130-ojalgo-adam", () -> small().hidden(130).kernel("ojalgo").optimizer("adam").lr(0.01));
        for (var c : cases.entrySet()) {
            assertArrayEquals(fit(c.getValue().get(), "jobs", c.getKey()), fit(c.getValue().get(), "collective", c.getKey()),
                    c.getKey());
        }
        java.util.function.Supplier<DigitTrainer.Builder> b = () -> small().hidden(130).optimizer("adam").lr(0.01).ema(0.9);
        byte[] whole = fit(b.get(), "jobs", "sharded-whole");
        Path ck = dir.resolve("ck-sharded");
        assertArrayEquals(whole, fit(b.get().checkpointDir(ck.toString()).checkpointEvery(3), "collective",
                "sharded-checkpointed"));
        try (java.util.stream.Stream<Path> files = Files.list(ck)) {
            Path newest = files.filter(f -> f.getFileName().toString().startsWith("ckpt-")).max(Path::compareTo).orElseThrow();
            Files.delete(newest);
        }
        assertArrayEquals(whole, fit(b.get().checkpointDir(ck.toString()).checkpointEvery(3).resume(true), "jobs",
                "sharded-resumed"));
    }

    /**
     * Full-batch steps too: a segment runs the iterations up to the next evaluation or checkpoint, each over every row
     * with its own dropout masks and distortions; the same bits as the jobs engine (also sharded past 64 units, and
     * checkpointed on one engine, resumed on the other), with the history of the same iterations.
     */
    @Test
    void fullBatchStepsGiveTheSameBits() throws IOException {
        java.util.Map<String, java.util.function.Supplier<DigitTrainer.Builder>> cases = new java.util.LinkedHashMap<>();
        cases.put("full-sgd-1-partition", () -> full().iterations(7).partitions(1));
        cases.put("full-adam-dropout-on-the-fly-validation", () -> full().iterations(8).optimizer("adam")
                .lr(0.01).dropout(0.2).augmentOnTheFly(true).rotation(10).validationRows(40).evalEvery(3));
        cases.put("full-h130-adamw-ema-sharded", () -> full().iterations(5).hidden(130).kernel("float")
                .optimizer("adamw").lr(0.01).l2(0.01).ema(0.9));
        for (var c : cases.entrySet()) {
            assertArrayEquals(fit(c.getValue().get(), "jobs", c.getKey()), fit(c.getValue().get(), "collective", c.getKey()),
                    c.getKey());
            assertEquals(Files.readString(dir.resolve(c.getKey() + "-jobs/history.csv")).lines()
                            .map(l -> l.substring(0, l.lastIndexOf(','))).toList(),
                    Files.readString(dir.resolve(c.getKey() + "-collective/history.csv")).lines()
                            .map(l -> l.substring(0, l.lastIndexOf(','))).toList(), c.getKey() + ": history.csv");
        }
        java.util.function.Supplier<DigitTrainer.Builder> b = () -> full().iterations(9).optimizer("adam")
                .lr(0.01).dropout(0.1);
        byte[] whole = fit(b.get(), "jobs", "full-whole");
        Path ck = dir.resolve("ck-full");
        assertArrayEquals(whole, fit(b.get().checkpointDir(ck.toString()).checkpointEvery(4), "collective",
                "full-checkpointed"));
        try (java.util.stream.Stream<Path> files = Files.list(ck)) {
            Path newest = files.filter(f -> f.getFileName().toString().startsWith("ckpt-")).max(Path::compareTo).orElseThrow();
            Files.delete(newest);
        }
        assertArrayEquals(whole, fit(b.get().checkpointDir(ck.toString()).checkpointEvery(4).resume(true), "jobs",
                "full-resumed"));
        assertArrayEquals(whole, fit(b.get().checkpointDir(ck.toString()).checkpointEvery(4).resume(true), "collective",
                "full-resumed"));
    }

    /**
     * Checkpoints end segments; a run checkpointed on one engine resumes on the other to the bits of an uninterrupted
     * run.
     */
    @Test
    void checkpointsOfOneEngineResumeOnTheOther() throws IOException {
        byte[] whole = fit(small().optimizer("adam").lr(0.01), "jobs", "whole");
        Path ck = dir.resolve("ck");
        byte[] checkpointed = fit(small().optimizer("adam").lr(0.01).checkpointDir(ck.toString()).checkpointEvery(3),
                "collective", "checkpointed");
        assertArrayEquals(whole, checkpointed, "segments cut at checkpoints");
        // as if stopped after the step before the newest checkpoint: resume on the jobs engine
        try (java.util.stream.Stream<Path> files = Files.list(ck)) {
            Path newest = files.filter(f -> f.getFileName().toString().startsWith("ckpt-")).max(Path::compareTo).orElseThrow();
            Files.delete(newest);
        }
        assertArrayEquals(whole, fit(small().optimizer("adam").lr(0.01).checkpointDir(ck.toString()).checkpointEvery(3)
                .resume(true), "jobs", "resumed"));
    }

    /**
     * The tasks' fold of the partitions' sums is {@link OrderedAggregation}'s, bit for bit, also past its fan-in (groups
     * of 32 partitions, then the groups): sums of very different magnitudes make any other order show.
     */
    @Test
    void theTasksFoldIsTheOrderedAggregationsAlsoInGroups() throws Exception {
        org.sparkdigits.core.network.NetworkShape shape = org.sparkdigits.core.network.NetworkShape.mnist(2);
        for (int n : new int[] {1, 3, 32, 33, 70}) {
            java.util.List<org.sparkdigits.core.kernel.GradientSum> partials = new java.util.ArrayList<>();
            java.util.Random r = new java.util.Random(n);
            byte[][] bytes = new byte[n][];
            for (int i = 0; i < n; i++) {
                org.sparkdigits.core.kernel.GradientSum g = new org.sparkdigits.core.kernel.GradientSum(shape);
                double[] a = g.gradient();
                for (int j = 0; j < a.length; j++) {
                    a[j] = r.nextGaussian() * Math.pow(10, r.nextInt(30) - 15);
                }
                partials.add(g);
                bytes[i] = CollectiveSteps.bytes(g);
            }
            org.apache.spark.api.java.JavaRDD<org.sparkdigits.core.kernel.GradientSum> rdd =
                    org.apache.spark.api.java.JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext())
                            .parallelize(partials, n);
            double[] jobs = OrderedAggregation.combineInOrder(rdd, org.sparkdigits.core.kernel.GradientSum::add).gradient();
            double[] tasks = CollectiveSteps.fold(bytes).gradient();
            assertArrayEquals(jobs, tasks, 0.0, n + " partitions");
        }
    }
}
