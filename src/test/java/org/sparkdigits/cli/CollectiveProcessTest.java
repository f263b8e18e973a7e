package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.Jvm;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.StandaloneCluster;
import org.sparkdigits.testing.TestCsv;

/**
 * {@code train --engine collective} as a process of its own, where the shared local[2] test session cannot go: 3 and
 * 4 partitions (a barrier stage needs a slot per partition at once: local[4]), Spark's authentication and encryption
 * on, and real executor JVMs ({@code local-cluster[2,1,1024]}). Every run trains the model.safetensors of
 * {@code --engine jobs} with the same options, bit for bit, and says {@code "engine" : "collective"} in metrics.json.
 * The jobs engine's bits do not depend on the master (StandaloneClusterTest), so its references are trained
 * in-process (the same CLI on the test session), which keeps this class to a few JVMs.
 */
@Tag("cluster")
class CollectiveProcessTest {

    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void setUp() throws IOException {
        SparkTestSession.get();
        data = TestCsv.labelled(dir.resolve("train.csv"), 900, 23, true);   // 18 steps per epoch of 50 rows
    }

    private static List<String> train(String engine, int partitions, Path out) {
        return new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString(), "--engine", engine,
                "--partitions", String.valueOf(partitions), "--batch-size", "50", "--epochs", "2", "--hidden", "130",
                "--optimizer", "adam", "--lr", "0.01", "--l2", "0.001", "--ema", "0.9", "--seed", "5", "--log-every", "6"));
    }

    /** The jobs engine's model, trained in-process. */
    private static byte[] jobs(int partitions) throws IOException {
        Path out = dir.resolve("jobs-" + partitions);
        CliRun r = CliRun.of(train("jobs", partitions, out).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return Files.readAllBytes(out.resolve("model.safetensors"));
    }

    /** A collective run in a JVM of its own. */
    private record Run(String name, Process process, Path out, Path log) {

        static Run start(String name, int partitions, List<String> jvmArgs, Map<String, String> env) throws IOException {
            Path work = Files.createDirectories(dir.resolve(name));
            List<String> jvm = new ArrayList<>(List.of("-Xmx768m", "-Dspark.ui.enabled=false",
                    // a hang guard: a peer that never answers fails the stage instead of waiting 120 s
                    "-Dspark.digits.collective.timeout=60s"));
            jvm.addAll(jvmArgs);
            Path log = work.resolve("driver.log");
            Process p = Jvm.start(jvm, Main.class.getName(), train("collective", partitions, work.resolve("model")), log, env);
            return new Run(name, p, work.resolve("model"), log);
        }

        byte[] await() throws Exception {
            boolean done = process.waitFor(4, TimeUnit.MINUTES);   // hang guard only
            if (!done) {
                process.destroyForcibly();
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(done, name + " did not finish:\n" + text);
            assertEquals(0, process.exitValue(), name + ":\n" + text);
            JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
            assertEquals("collective", m.path("engine").asText(), name + ": " + m);
            assertTrue(text.contains("on the collective engine"), name + ":\n" + text);
            return Files.readAllBytes(out.resolve("model.safetensors"));
        }
    }

    /** Two at a time: the JVMs' start-up is mostly one thread each. */
    private static Map<String, byte[]> runAll(List<Object[]> runs) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i += 2) {
            List<Run> wave = new ArrayList<>();
            try {
                for (Object[] r : runs.subList(i, Math.min(runs.size(), i + 2))) {
                    @SuppressWarnings("unchecked")
                    List<String> args = (List<String>) r[2];
                    @SuppressWarnings("unchecked")
                    Map<String, String> env = (Map<String, String>) r[3];
                    wave.add(Run.start((String) r[0], (Integer) r[1], args, env));
                }
                for (Run r : wave) {
                    out.put(r.name(), r.await());
                }
            } finally {
                wave.forEach(r -> r.process().destroyForcibly());
            }
        }
        return out;
    }

    @Test
    void threeAndFourPartitionsAndSparkAuthenticationTrainTheJobsEnginesBits() throws Exception {
        byte[] jobs3 = jobs(3);
        byte[] jobs4 = jobs(4);
        List<String> local4 = List.of("-Dspark.master=local[4]");
        List<String> auth = List.of("-Dspark.master=local[4]", "-Dspark.authenticate=true",
                "-Dspark.authenticate.secret=collective-process-test-secret");
        List<String> crypto = new ArrayList<>(auth);
        crypto.add("-Dspark.network.crypto.enabled=true");
        Map<String, byte[]> got = runAll(List.of(
                new Object[] {"collective-3", 3, local4, Map.of()},
                new Object[] {"collective-4", 4, local4, Map.of()},
                new Object[] {"collective-4-authenticated", 4, auth, Map.of()},
                new Object[] {"collective-3-encrypted", 3, crypto, Map.of()}));
        assertArrayEquals(jobs3, got.get("collective-3"), "3 partitions");
        assertArrayEquals(jobs4, got.get("collective-4"), "4 partitions");
        assertArrayEquals(jobs4, got.get("collective-4-authenticated"), "4 partitions, spark.authenticate");
        assertArrayEquals(jobs3, got.get("collective-3-encrypted"), "3 partitions, spark.authenticate and encryption");
    }

    /**
     * Two executor JVMs (local-cluster: a Master and two Workers inside the driver's JVM, each executor a JVM of its
     * own; from the Maven jars, as StandaloneCluster does): the tasks' mesh crosses processes.
     */
    @Test
    void realExecutorsTrainTheJobsEnginesBits() throws Exception {
        byte[] jobs2 = jobs(2);
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        Files.createDirectories(home.resolve("jars"));
        Map<String, String> env = Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION",
                StandaloneCluster.scalaBinaryVersion(), "SPARK_LOCAL_IP", "127.0.0.1");
        List<String> props = List.of("-Dspark.master=local-cluster[2,1,1024]", "-Dspark.executor.memory=512m",
                "-Dspark.driver.host=127.0.0.1", "-Dspark.executor.extraClassPath=" + System.getProperty("java.class.path"),
                "-Dspark.executorEnv.SPARK_SCALA_VERSION=" + StandaloneCluster.scalaBinaryVersion());
        Map<String, byte[]> got = runAll(List.<Object[]>of(new Object[] {"local-cluster-2", 2, props, env}));
        assertArrayEquals(jobs2, got.get("local-cluster-2"), "2 partitions on two executor JVMs");
    }
}
