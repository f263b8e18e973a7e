package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.Jvm;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/**
 * Checkpoints and --resume: a driver killed with SIGKILL in the middle of training, resumed (from the checkpoint
 * before the newest, which is torn on purpose), ends with a model bit-identical to an uninterrupted run.
 */
@Tag("spark-layer")
class ResumeTest {

    @TempDir
    Path dir;

    /**
     * Mini-batch Adam with dropout, a schedule, label smoothing, the weights' average and validation: every kind of
     * state a checkpoint must carry.
     */
    private List<String> options(Path data) {
        return List.of("--data", data.toString(), "--hidden", "12", "--batch-size", "30", "--epochs", "40",
                "--optimizer", "adam", "--lr", "0.01", "--dropout", "0.2", "--schedule", "cosine", "--warmup", "50",
                "--ema", "0.99", "--label-smoothing", "0.1",
                "--validation", "60", "--partitions", "3", "--seed", "5", "--log-every", "5");
    }

    @Tag("slow")
    @Test
    void aKilledDriverResumesToTheSameWeights() throws Exception {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("train.csv"), 600, 8, true);
        Path reference = dir.resolve("reference");
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(options(data));
        args.addAll(List.of("--out", reference.toString()));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());

        Path checkpoints = dir.resolve("checkpoints");
        Path out = dir.resolve("resumed");
        List<String> resumable = new ArrayList<>(options(data));
        resumable.addAll(List.of("--out", out.toString(), "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "20"));
        Process first = start(resumable, dir.resolve("first.log"));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (checkpointSteps(checkpoints).stream().noneMatch(s -> s >= 200)) {
            assertTrue(first.isAlive(), "the first run ended before its checkpoint of step 200:\n" + tail(dir.resolve("first.log")));
            assertTrue(System.nanoTime() < deadline, "no checkpoint of step 200 within 3 minutes");
            Thread.sleep(20);
        }
        first.destroyForcibly();   // SIGKILL, in the middle of training (720 steps in all)
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(out), "no model directory from a killed run");
        List<Long> steps = checkpointSteps(checkpoints);
        assertTrue(steps.size() >= 2 && steps.get(0) < 720, "checkpoints " + steps);

        // tear the newest checkpoint: resume must detect it and take the one before
        Path newest = checkpoints.resolve(String.format("ckpt-%012d", steps.get(0)));
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(bytes, bytes.length / 2));

        List<String> again = new ArrayList<>(resumable);
        again.add("--resume");
        Process second = start(again, dir.resolve("second.log"));
        assertTrue(second.waitFor(3, TimeUnit.MINUTES), tail(dir.resolve("second.log")));
        assertEquals(0, second.exitValue(), tail(dir.resolve("second.log")));
        String log = Files.readString(dir.resolve("second.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("skipping a damaged checkpoint: ") && log.contains(newest.getFileName().toString()), log);
        assertTrue(log.contains("resuming from the checkpoint of step " + steps.get(1)), log);

        assertArrayEquals(Files.readAllBytes(reference.resolve("model.safetensors")), Files.readAllBytes(out.resolve("model.safetensors")),
                "resumed weights differ from the uninterrupted run");
        assertEquals(withoutTimes(reference.resolve("history.csv")), withoutTimes(out.resolve("history.csv")));
        String metrics = Files.readString(out.resolve("metrics.json"), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("\"weights\" : \"ema\"") || metrics.contains("\"weights\":\"ema\""), metrics);
        System.out.printf("killed after the checkpoint of step %d, resumed from step %d (the newest torn): bit-identical%n",
                steps.get(0), steps.get(1));
    }

    @Test
    void fullBatchRunsResumeToo() throws Exception {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("full.csv"), 300, 10, true);
        Path checkpoints = dir.resolve("full-ck");
        List<String> common = List.of("train", "--data", data.toString(), "--iterations", "30", "--optimizer", "momentum",
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "10", "--log-every", "5");
        List<String> a = new ArrayList<>(common);
        a.addAll(List.of("--out", dir.resolve("full-a").toString()));
        assertEquals(0, CliRun.of(a.toArray(String[]::new)).code());
        assertEquals(List.of(30L, 20L), checkpointSteps(checkpoints), "the newest two are kept");
        Files.delete(checkpoints.resolve(String.format("ckpt-%012d", 30)));   // as if stopped after iteration 29
        List<String> b = new ArrayList<>(common);
        b.addAll(List.of("--out", dir.resolve("full-b").toString(), "--resume"));
        CliRun r = CliRun.of(b.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("full-a/model.safetensors")),
                Files.readAllBytes(dir.resolve("full-b/model.safetensors")));
        assertEquals(withoutTimes(dir.resolve("full-a/history.csv")), withoutTimes(dir.resolve("full-b/history.csv")));
        // it really resumed: the rows up to iteration 20 came from the checkpoint, timings included
        List<String> ha = Files.readAllLines(dir.resolve("full-a/history.csv"));
        List<String> hb = Files.readAllLines(dir.resolve("full-b/history.csv"));
        int restored = (int) ha.stream().skip(1).filter(l -> Integer.parseInt(l.split(",")[0]) <= 20).count();
        assertEquals(ha.subList(0, restored + 1), hb.subList(0, restored + 1));
    }

    @Test
    void resumeWithOtherOptionsIsRefused() throws Exception {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("small.csv"), 200, 9, true);
        Path checkpoints = dir.resolve("ck");
        CliRun a = CliRun.of("train", "--data", data.toString(), "--out", dir.resolve("a").toString(), "--batch-size", "20",
                "--epochs", "2", "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "5");
        assertEquals(0, a.code(), a.err());
        CliRun b = CliRun.of("train", "--data", data.toString(), "--out", dir.resolve("b").toString(), "--batch-size", "20",
                "--epochs", "2", "--lr", "0.05", "--checkpoint-dir", checkpoints.toString(), "--resume");
        assertEquals(2, b.code(), b.err());
        assertTrue(b.err().contains("was written by another training configuration"), b.err());
        CliRun c = CliRun.of("train", "--data", data.toString(), "--resume");
        assertEquals(2, c.code());
        assertTrue(c.err().contains("--resume needs --checkpoint-dir"), c.err());
        CliRun d = CliRun.of("train", "--data", data.toString(), "--optimizer", "lbfgs", "--checkpoint-dir", checkpoints.toString());
        assertEquals(2, d.code());
        assertTrue(d.err().contains("checkpoints are for sgd, momentum, nesterov, adam and adamw"), d.err());
    }

    @Tag("slow")
    @Test
    void forgedDamagedAndHugeCheckpointsAreSkippedAndTheGoodOnesKept() throws Exception {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("forge.csv"), 120, 12, true);
        List<String> common = List.of("--data", data.toString(), "--batch-size", "20", "--epochs", "2", "--optimizer", "adam",
                "--lr", "0.01", "--partitions", "2", "--log-every", "3");
        List<String> reference = new ArrayList<>(List.of("train"));
        reference.addAll(common);
        reference.addAll(List.of("--out", dir.resolve("forge-ref").toString()));
        assertEquals(0, CliRun.of(reference.toArray(String[]::new)).code());
        Path ck = dir.resolve("forge-ck");
        List<String> first = new ArrayList<>(List.of("train"));
        first.addAll(common);
        first.addAll(List.of("--out", dir.resolve("forge-first").toString(), "--checkpoint-dir", ck.toString(),
                "--checkpoint-every", "2"));
        CliRun f = CliRun.of(first.toArray(String[]::new));
        assertEquals(0, f.code(), f.err());
        assertEquals(List.of(12L, 10L), checkpointSteps(ck));
        Files.delete(ck.resolve(name(12)));   // as if stopped after step 11
        org.sparkdigits.checkpoint.Checkpoint good = org.sparkdigits.checkpoint.Checkpoint.decode(Files.readAllBytes(ck.resolve(name(10))), "x");
        // valid checksums, wrong contents: an absurd step, a short weight vector, a missing counter
        java.util.Map<String, Double> absurd = new java.util.LinkedHashMap<>(good.counters());
        absurd.put("step", 999_999_999_999.0);
        forge(ck, 999_999_999_999L, new org.sparkdigits.checkpoint.Checkpoint(good.fingerprint(), absurd, good.arrays()));
        java.util.Map<String, double[]> shortTheta = new java.util.LinkedHashMap<>(good.arrays());
        shortTheta.put("theta", Arrays.copyOf(good.arrays().get("theta"), 7));
        forge(ck, 11, new org.sparkdigits.checkpoint.Checkpoint(good.fingerprint(), good.counters(), shortTheta));
        java.util.Map<String, Double> missing = new java.util.LinkedHashMap<>(good.counters());
        missing.remove("position");
        forge(ck, 12, new org.sparkdigits.checkpoint.Checkpoint(good.fingerprint(), missing, good.arrays()));
        try (java.io.RandomAccessFile huge = new java.io.RandomAccessFile(ck.resolve(name(13)).toFile(), "rw")) {
            huge.setLength(3L << 30);   // over 2 GB (sparse): once "error: -1073741824"
        }
        List<String> again = new ArrayList<>(common);
        again.addAll(List.of("--out", dir.resolve("forge-resumed").toString(), "--checkpoint-dir", ck.toString(), "--resume"));
        Path log = dir.resolve("forge.log");
        Process p = start(again, log);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the resumed run did not finish");
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), text);
        for (String expected : List.of(name(13) + ": 3221225472 bytes, more than a checkpoint of this configuration can be",
                name(999_999_999_999L) + ": step 999999999999 is outside this run's 1-12",
                name(12) + ": counter position is missing", name(11) + ": theta has 7 values, not 7960",
                "resuming from the checkpoint of step 10")) {
            assertTrue(text.contains(expected), "log lacks '" + expected + "':\n" + text);
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("forge-ref/model.safetensors")),
                Files.readAllBytes(dir.resolve("forge-resumed/model.safetensors")));
        // the good checkpoint and the damaged ones are all still there; step 12 is the resumed run's own
        assertEquals(List.of(999_999_999_999L, 13L, 12L, 11L, 10L), checkpointSteps(ck));
    }

    @Test
    void resumeOnOtherDataAtTheSamePathIsRefused() throws Exception {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("changing.csv"), 120, 13, true);
        List<String> args = List.of("train", "--data", data.toString(), "--out", dir.resolve("changing").toString(),
                "--batch-size", "20", "--epochs", "1", "--checkpoint-dir", dir.resolve("changing-ck").toString(),
                "--checkpoint-every", "2");
        assertEquals(0, CliRun.of(args.toArray(String[]::new)).code());
        TestCsv.labelled(data, 120, 14, true);   // other rows, the same path and count
        List<String> resume = new ArrayList<>(args);
        resume.add("--resume");
        CliRun r = CliRun.of(resume.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("was written by another training configuration (it differs in data-content"), r.err());
    }

    private static String name(long step) {
        return String.format("ckpt-%012d", step);
    }

    private static void forge(Path dir, long step, org.sparkdigits.checkpoint.Checkpoint c) throws IOException {
        Files.write(dir.resolve(name(step)), c.encode());
    }

    private static Process start(List<String> trainOptions, Path log) throws IOException {
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(trainOptions);
        return Jvm.start(List.of("-Xmx1g", "-Dspark.master=local[2]", "-Dspark.ui.enabled=false"), Main.class.getName(), args,
                log, java.util.Map.of());
    }

    /** Steps of the checkpoint files, newest first. */
    private static List<Long> checkpointSteps(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("ckpt-"))
                    .map(n -> Long.parseLong(n.substring(5))).sorted((x, y) -> Long.compare(y, x)).toList();
        }
    }

    private static List<String> withoutTimes(Path history) throws IOException {
        return Files.readAllLines(history).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
