package org.sparkdigits.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.cli.CliRun;
import org.sparkdigits.cli.Main;
import org.sparkdigits.testing.Jvm;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.StandaloneCluster;
import org.sparkdigits.testing.TestCsv;

/**
 * The collective engine on a REAL standalone cluster (a Master and two Workers of one core as JVMs, the executors
 * forked by the Workers, the driver in a JVM of its own) when things go wrong in the middle of a segment's barrier
 * stage: an executor killed (SIGKILL), or an executor that stops answering (SIGSTOP, then SIGCONT once its peer gave
 * up on it). The stage fails, the driver runs the segment again from its start, and the model is the same bits as an
 * undisturbed run's. The kill and the stop land while the second segment's barrier stage runs (seen through the
 * driver's REST API), so each test fails if the retry does not happen. No timing is asserted; waits are hang guards.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CollectiveFaultsTest {

    /** Steps of a segment (an epoch): 6000 rows in batches of 4. */
    private static final int STEPS = 1500;
    /** The first step line of a segment (--log-every). */
    private static final int FIRST_LINE = 500;
    /**
     * 2 segments (epochs) of 1500 steps of 4 rows on 2 partitions, 256 hidden units: a few seconds a segment even on an
     * idle machine (the update of 200k weights on every task), long enough to land in the middle of one.
     */
    private static final List<String> TRAIN = List.of("--engine", "collective", "--partitions", "2", "--batch-size", "4",
            "--epochs", "2", "--hidden", "256", "--optimizer", "adam", "--lr", "0.01", "--seed", "5", "--log-every",
            String.valueOf(FIRST_LINE));
    private static final String RETRY = "(attempt 1 of 3)";

    @TempDir
    static Path dir;
    private static StandaloneCluster cluster;
    private static Path data;
    private static byte[] reference;

    @BeforeAll
    static void start() throws Exception {
        data = TestCsv.labelled(dir.resolve("digits.csv"), 6000, 29, true);
        SparkTestSession.get();
        // the undisturbed run: the collective engine on the test session's local[2] (the jobs engine's bits:
        // CollectiveEngineTest, CollectiveProcessTest)
        Path out = dir.resolve("reference");
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString()));
        args.addAll(TRAIN);
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        reference = Files.readAllBytes(out.resolve("model.safetensors"));
        cluster = new StandaloneCluster(dir.resolve("cluster"), 2, "1g");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void theClusterTrainsTheBitsOfLocal2() throws Exception {
        Driver d = Driver.start("undisturbed", List.of());
        d.await();
        assertFalse(d.text().contains(RETRY), d.tail());
        assertArrayEquals(reference, d.weights(), "the cluster's model differs from local[2]'s");
    }

    @Test
    @Order(2)
    void anExecutorKilledMidSegmentFailsTheStageWhichRunsAgainFromItsStart() throws Exception {
        Driver d = Driver.start("executor-kill", List.of());
        try {
            d.awaitSegmentRunning("epoch 2/2");
            List<ProcessHandle> executors = cluster.executors();
            assertEquals(2, executors.size(), "two executor JVMs under the Workers");
            ProcessHandle victim = executors.get(1);
            victim.destroyForcibly();   // SIGKILL
            victim.onExit().get(30, TimeUnit.SECONDS);
            d.await();
        } finally {
            d.process().destroyForcibly();
        }
        String text = d.text();
        text.lines().filter(l -> l.contains(RETRY)).forEach(l -> System.out.println("executor-kill: " + l));
        assertTrue(text.contains("the barrier stage of epoch 2/2 steps 1-" + STEPS + "/" + STEPS + " failed " + RETRY)
                && text.contains("running it again from its start"), d.tail());
        assertFalse(text.contains("(attempt 2 of 3)"), "one retry was enough:\n" + d.tail());
        assertArrayEquals(reference, d.weights(), "the model after a killed executor differs");
    }

    @Test
    @Order(3)
    void anExecutorThatStopsAnsweringFailsTheStageAtTheDeadlineNamingTheRankWaitedFor() throws Exception {
        Driver d = Driver.start("executor-stop", List.of("-Dspark.digits.collective.timeout=5s"));
        ProcessHandle victim = null;
        try {
            d.awaitSegmentRunning("epoch 2/2");
            List<ProcessHandle> executors = cluster.executors();
            assertEquals(2, executors.size(), "two executor JVMs under the Workers (the killed one was replaced)");
            victim = executors.get(0);
            signal("STOP", victim);
            // its peer gives up on it after 5 s: the stage fails and the driver says so
            d.awaitLog(RETRY);
            signal("CONT", victim);
            victim = null;
            d.await();
        } finally {
            if (victim != null) {
                signal("CONT", victim);
            }
            d.process().destroyForcibly();
        }
        String text = d.text();
        String warn = text.lines().filter(l -> l.contains(RETRY)).findFirst().orElseThrow();
        System.out.println("executor-stop: " + warn);
        assertTrue(warn.contains("the barrier stage of epoch 2/2 steps 1-" + STEPS + "/" + STEPS + " failed " + RETRY)
                && warn.contains("running it again from its start"), warn);
        assertTrue(warn.matches(".*rank [01] waited 5 s for rank [01] \\(127\\.0\\.0\\.1:\\d+\\) in epoch 2/2 steps "
                + "1-" + STEPS + "/" + STEPS + " attempt 1.*"), "the failure names the rank waited for and its address:\n" + warn);
        assertFalse(text.contains("(attempt 2 of 3)"), "one retry was enough:\n" + d.tail());
        assertArrayEquals(reference, d.weights(), "the model after a stopped executor differs");
    }

    private static void signal(String sig, ProcessHandle h) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, String.valueOf(h.pid())).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue(), "kill -" + sig + " " + h.pid());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A driver JVM running {@code train} in client mode on the cluster, its UI on (its REST API shows the stages). */
    private record Driver(Process process, Path out, Path log, int ui) {

        static Driver start(String name, List<String> props) throws IOException {
            Path work = Files.createDirectories(dir.resolve(name));
            int ui = freePort();
            List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
            cluster.driverProperties(2, "512m").stream().filter(p -> !p.startsWith("-Dspark.ui.enabled")).forEach(jvm::add);
            jvm.addAll(List.of("-Dspark.ui.enabled=true", "-Dspark.ui.port=" + ui,
                    // a barrier stage short of slots (an executor lost, its replacement registering) is checked again
                    // every 15 s by default
                    "-Dspark.scheduler.barrier.maxConcurrentTasksCheck.interval=1s"));
            jvm.addAll(props);
            List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", work.resolve("model").toString()));
            args.addAll(TRAIN);
            Path log = work.resolve("driver.log");
            return new Driver(Jvm.start(jvm, Main.class.getName(), args, log, cluster.environment()), work.resolve("model"), log, ui);
        }

        /**
         * Waits until the barrier stage of the segment {@code epoch} (e.g. "epoch 2/2") is a third of the way through:
         * its step lines come live from rank 0 while the stage runs (a step needs both tasks), so the line of step
         * {@value #FIRST_LINE} says both are running and two thirds of the segment are still ahead.
         */
        void awaitSegmentRunning(String epoch) throws Exception {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < end) {
                assertTrue(process.isAlive(), "the driver ended before " + epoch + "'s stage ran:\n" + tail());
                String text = text();
                assertFalse(text.contains(epoch + "  step " + STEPS + "/" + STEPS), epoch + " ended before it was seen "
                        + "running:\n" + tail());
                if (text.contains(epoch + "  step " + FIRST_LINE + "/" + STEPS)) {
                    return;
                }
                Thread.sleep(10);
            }
            process.destroyForcibly();
            throw new AssertionError("the barrier stage of " + epoch + " was not seen running within 3 minutes\n" + tail());
        }

        void awaitLog(String wanted) throws Exception {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < end) {
                if (text().contains(wanted)) {
                    return;
                }
                assertTrue(process.isAlive(), "the driver ended before logging " + wanted + ":\n" + tail());
                Thread.sleep(50);
            }
            throw new AssertionError("no '" + wanted + "' within 3 minutes:\n" + tail());
        }

        void await() throws Exception {
            boolean done = process.waitFor(5, TimeUnit.MINUTES);
            if (!done) {
                process.destroyForcibly();
            }
            assertTrue(done, "the driver did not finish:\n" + tail());
            assertEquals(0, process.exitValue(), tail());
            JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
            assertEquals("collective", m.path("engine").asText(), m.toString());
            System.out.printf("%s: training %.1f s, %.2f ms per step%n", out.getParent().getFileName(),
                    m.get("train_seconds").asDouble(), m.get("ms_per_iteration").asDouble());
        }

        byte[] weights() throws IOException {
            return Files.readAllBytes(out.resolve("model.safetensors"));
        }

        String text() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        String tail() throws IOException {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
    }
}
