package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.TestCsv;

/**
 * Runs the application in its own JVM, as a user would (with the shipped conf/log4j2.properties), to see
 * exactly what reaches the terminal: one error line and no stack trace on bad input, progress on success.
 */
@Tag("slow")
class CliProcessTest {

    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {
    }

    private Outcome run(String... args) throws IOException, InterruptedException {
        return run(List.of(), args);
    }

    private Outcome run(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-XX:+IgnoreUnrecognizedVMOptions", "-Xmx1g",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
                "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Dspark.master=local[2]", "-Dspark.ui.enabled=false",
                "-Dlog4j2.configurationFile=" + Path.of("conf/log4j2.properties").toAbsolutePath().toUri()));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(Arrays.asList(args));
        File out = dir.resolve("stdout").toFile();
        File err = dir.resolve("stderr").toFile();
        Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
        try {
            assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the process did not finish");
        } finally {
            p.destroyForcibly();
        }
        return new Outcome(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    private static void assertNoStackTrace(String err) {
        assertFalse(err.contains("\tat ") || err.contains("Exception in thread"), "stack trace on the terminal:\n" + err);
    }

    @Test
    void aTruncatedGzipGivesOneLineAndExitCode2() throws Exception {
        Path good = TestCsv.labelled(dir.resolve("good.csv.gz"), 300, 31, true);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.csv.gz"), Arrays.copyOf(bytes, bytes.length / 2));
        Path model = dir.resolve("model");
        Outcome o = run("train", "--data", cut.toString(), "--test", good.toString(), "--out", model.toString());
        assertEquals(2, o.code(), o.err());
        assertNoStackTrace(o.err());
        List<String> errors = o.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), o.err());
        assertTrue(errors.get(0).contains("cut.csv.gz: cannot read (truncated compressed data"), errors.get(0));
        assertFalse(Files.exists(model));
    }

    @Test
    void anUnreachableMasterIsOneLineNamingIt() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Path train = TestCsv.labelled(dir.resolve("m.csv"), 30, 34, true);
        Outcome o = run(List.of("-Dspark.master=spark://127.0.0.1:" + port), "train", "--data", train.toString(),
                "--out", dir.resolve("unreached").toString());
        assertEquals(2, o.code(), o.err());
        assertNoStackTrace(o.err());
        List<String> errors = o.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), o.err());
        assertTrue(errors.get(0).startsWith("error: --master spark://127.0.0.1:" + port + ": cannot reach the Spark master"),
                errors.get(0));
        assertTrue(o.err().lines().count() <= 3, o.err());
    }

    /**
     * A bad row near the start of an input is found before Spark starts: with a master that nobody answers, the error
     * is the row's (had Spark started first, it would be the master's).
     */
    @Test
    void aBadRowNearTheStartIsReportedBeforeSparkStarts() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        List<String> lines = new ArrayList<>(TestCsv.rows(200, 36, true));
        lines.set(41, lines.get(41).replaceFirst("^\\d", "12"));   // line 42: label 12
        Path bad = TestCsv.write(dir.resolve("early.csv"), lines);
        Path test = TestCsv.labelled(dir.resolve("t.csv"), 30, 37, true);
        for (String[] which : new String[][] {{"--data", bad.toString(), "--test", test.toString(), "training data"},
            {"--data", test.toString(), "--test", bad.toString(), "test data"}}) {
            Path model = dir.resolve("never");
            Outcome o = run(List.of("-Dspark.master=spark://127.0.0.1:" + port), "train", which[0], which[1], which[2],
                    which[3], "--out", model.toString());
            assertEquals(2, o.code(), o.err());
            assertNoStackTrace(o.err());
            List<String> errors = o.err().lines().filter(l -> l.startsWith("error: ")).toList();
            assertEquals(1, errors.size(), o.err());
            assertTrue(errors.get(0).startsWith("error: " + which[4] + ": ") && errors.get(0).endsWith(
                    "early.csv:42: label is 12, not a digit 0-9; use --on-bad-row skip to drop bad rows"), errors.get(0));
            assertFalse(Files.exists(model));
        }
    }

    @Test
    void aSuccessfulRunShowsProgressAndTheTestAccuracy() throws Exception {
        Path train = TestCsv.labelled(dir.resolve("train.csv"), 300, 32, false);
        Path test = TestCsv.labelled(dir.resolve("test.csv"), 50, 33, true);
        Outcome o = run("train", "--data", train.toString(), "--test", test.toString(), "--out", dir.resolve("m").toString(),
                "--iterations", "4", "--log-every", "2");
        assertEquals(0, o.code(), o.err());
        assertNoStackTrace(o.err());
        assertTrue(o.err().contains("iteration 2/4  loss "), o.err());
        assertTrue(o.err().contains(" ms/it  ETA "), o.err());
        assertTrue(o.out().contains("test accuracy "), o.out());
        assertTrue(Files.exists(dir.resolve("m/model.safetensors")));
    }

    /**
     * A session with {@code spark.serializer=KryoSerializer} (common in clusters' spark-defaults.conf): Kryo serializes
     * task results, broadcasts, spilled blocks and parallelized collections, and its field serializer cannot build a
     * record. Every class of ours that travels names Java serialization as its Kryo serializer, so the same command
     * gives the same model bytes under either serializer, with blocks spilled serialized, a validation split, fresh
     * distortions and dropout; and a model is evaluated under Kryo.
     */
    @Test
    void aKryoSessionTrainsTheSameModelAsJavaSerialization() throws Exception {
        Path train = TestCsv.labelled(dir.resolve("train.csv"), 600, 34, false);
        Path test = TestCsv.labelled(dir.resolve("test.csv"), 100, 35, true);
        List<String> common = List.of("train", "--data", train.toString(), "--test", test.toString(), "--validation", "100",
                "--hidden", "16", "--batch-size", "50", "--epochs", "2", "--optimizer", "adamw", "--dropout", "0.2",
                "--augment-on-the-fly", "--storage-level", "DISK_ONLY", "--log-every", "100");
        List<String> kryo = List.of("-Dspark.serializer=org.apache.spark.serializer.KryoSerializer");
        Map<String, byte[]> models = new java.util.LinkedHashMap<>();
        for (String serializer : List.of("java", "kryo")) {
            List<String> args = new ArrayList<>(common);
            args.addAll(List.of("--out", dir.resolve("m-" + serializer).toString()));
            Outcome o = run(serializer.equals("kryo") ? kryo : List.of(), args.toArray(String[]::new));
            assertEquals(0, o.code(), serializer + ": " + o.err());
            assertNoStackTrace(o.err());
            models.put(serializer, Files.readAllBytes(dir.resolve("m-" + serializer + "/model.safetensors")));
        }
        assertArrayEquals(models.get("java"), models.get("kryo"), "Kryo changed the trained model");
        Outcome evaluated = run(kryo, "evaluate", "--model", dir.resolve("m-kryo").toString(), "--data", test.toString());
        assertEquals(0, evaluated.code(), evaluated.err());
        assertTrue(evaluated.out().contains("accuracy"), evaluated.out());
    }
}
