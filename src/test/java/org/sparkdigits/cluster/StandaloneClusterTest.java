package org.sparkdigits.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import org.sparkdigits.cli.Main;
import org.sparkdigits.testing.AppJar;
import org.sparkdigits.testing.Jvm;
import org.sparkdigits.testing.StandaloneCluster;
import org.sparkdigits.testing.TestCsv;

/**
 * Training on a REAL standalone cluster on loopback (a Master and two Workers as separate JVMs, executors forked
 * by the Workers), the driver in client mode in a JVM of its own: the final weights are bit-identical to the
 * same job on local[2] with the same seed and partition count, also when an executor or a whole Worker is
 * killed (SIGKILL) in the middle of training. The cluster starts once for the class. The steps run on the default
 * engine, {@code auto}: collective (barrier stages) while the cluster has a slot for each partition.
 */
@Tag("cluster")
@Tag("spark-layer")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {

    /** The training job: full batch, long enough to kill something in the middle. */
    private static final String[] TRAIN = {"--hidden", "16", "--iterations", "120", "--lr", "0.5", "--seed", "3",
            "--partitions", "2", "--log-every", "5"};

    @TempDir
    static Path dir;
    private static StandaloneCluster cluster;
    private static Path data;
    private static byte[] local;

    @BeforeAll
    static void start() throws Exception {
        data = TestCsv.labelled(dir.resolve("digits.csv"), 3000, 17, true);
        cluster = new StandaloneCluster(dir.resolve("cluster"), 2, "1g");
        System.out.printf("standalone cluster: Master and 2 Workers alive after %.1f s%n", cluster.startSeconds());
        Driver d = Driver.start(dir.resolve("local"), List.of("-Dspark.master=local[2]", "-Dspark.ui.enabled=false"), null);
        d.await();
        local = d.weights();
        System.out.printf("local[2]: %s%n", d.timing());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void trainingOnTheClusterGivesTheLocalWeights() throws Exception {
        Driver d = Driver.start(dir.resolve("cluster-run"), cluster.driverProperties(2, "512m"), cluster);
        d.await();
        System.out.printf("cluster: %s%n", d.timing());
        assertArrayEquals(local, d.weights(), "cluster weights differ from local[2]");
    }

    @Test
    @Order(2)
    void clusterDeployModeRunsTheDriverInAWorkerAndWritesTheLocalWeightsToTheSharedFileSystem() throws Exception {
        Path work = Files.createDirectories(dir.resolve("cluster-mode"));
        Path model = work.resolve("model");
        String classpath = System.getProperty("java.class.path");
        List<String> args = new ArrayList<>(List.of("--master", cluster.masterUrl(), "--deploy-mode", "cluster",
                "--class", Main.class.getName(), "--driver-memory", "512m", "--executor-memory", "512m",
                "--conf", "spark.standalone.submit.waitAppCompletion=true", "--conf", "spark.cores.max=2",
                "--conf", "spark.executor.cores=1", "--conf", "spark.ui.enabled=false",
                // a cluster's Workers have Spark installed; these have this build's classpath instead
                "--conf", "spark.driver.extraClassPath=" + classpath, "--conf", "spark.executor.extraClassPath=" + classpath,
                "--conf", "spark.driver.extraJavaOptions=" + String.join(" ", StandaloneCluster.jvmFlags()),
                "--conf", "spark.executorEnv.SPARK_SCALA_VERSION=" + StandaloneCluster.scalaBinaryVersion(),
                AppJar.write(work.resolve("spark-digits.jar")).toString(),
                "train", "--data", data.toString(), "--out", model.toString()));
        args.addAll(List.of(TRAIN));
        Path log = work.resolve("submit.log");
        Process submit = Jvm.start(List.of("-Xmx512m"), "org.apache.spark.deploy.SparkSubmit", args, log, cluster.environment());
        boolean done = submit.waitFor(5, TimeUnit.MINUTES);
        if (!done) {
            submit.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done && submit.exitValue() == 0, out);
        assertTrue(Files.exists(model.resolve("model.safetensors")), "no model from the driver in the Worker:\n" + out);
        JsonNode m = new ObjectMapper().readTree(model.resolve("metrics.json").toFile());
        assertTrue(m.get("spark_master").asText().startsWith("spark://"), m.toString());
        System.out.printf("cluster deploy mode: %s%n", Driver.timing(m));
        assertArrayEquals(local, Files.readAllBytes(model.resolve("model.safetensors")), "cluster-mode weights differ from local[2]");
    }

    @Test
    @Order(3)
    void killingAnExecutorMidwayChangesNothing() throws Exception {
        Driver d = Driver.start(dir.resolve("executor-kill"), cluster.driverProperties(2, "512m"), cluster);
        d.awaitIteration(30);
        List<ProcessHandle> executors = cluster.executors();
        assertFalse(executors.isEmpty(), "no executor JVM found under the Workers");
        ProcessHandle victim = executors.get(0);
        victim.destroyForcibly();   // SIGKILL
        victim.onExit().get(30, TimeUnit.SECONDS);
        assertTrue(d.process().isAlive(), "the kill must land while the driver is still training");
        d.await();
        System.out.printf("executor killed at iteration 30: %s%n", d.timing());
        assertArrayEquals(local, d.weights(), "weights after an executor was killed differ");
    }

    @Test
    @Order(4)
    void killingAWorkerMidwayChangesNothing() throws Exception {
        Driver d = Driver.start(dir.resolve("worker-kill"), cluster.driverProperties(2, "512m"), cluster);
        d.awaitIteration(30);
        Process worker = cluster.workers().get(1);
        worker.destroyForcibly();   // SIGKILL; its executor goes with it
        assertTrue(worker.waitFor(30, TimeUnit.SECONDS));
        assertTrue(d.process().isAlive(), "the kill must land while the driver is still training");
        d.await();
        System.out.printf("Worker killed at iteration 30: %s%n", d.timing());
        assertArrayEquals(local, d.weights(), "weights after a Worker was killed differ");
        // the default engine (auto) ran the iterations in a barrier stage; one slot left for two partitions, the run
        // went on on the jobs engine (a barrier stage would have waited for the lost slot forever)
        JsonNode m = new ObjectMapper().readTree(d.out().resolve("metrics.json").toFile());
        assertEquals("collective", m.get("engine").asText(), m.toString());
        assertTrue(m.get("engine_reason").asText().contains(" on jobs: auto: the cluster has 1 task slot for 2 "
                + "partitions"), m.toString());
    }

    /** A driver JVM running {@code train} on the generated data. */
    private record Driver(Process process, Path out, Path log) {

        static Driver start(Path work, List<String> props, StandaloneCluster cluster) throws IOException {
            Files.createDirectories(work);
            List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
            jvm.addAll(props);
            List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", work.resolve("model").toString()));
            args.addAll(List.of(TRAIN));
            Path log = work.resolve("driver.log");
            Process p = Jvm.start(jvm, Main.class.getName(), args, log, cluster == null ? java.util.Map.of() : cluster.environment());
            return new Driver(p, work.resolve("model"), log);
        }

        void awaitIteration(int iteration) throws Exception {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < end) {
                if (Files.readString(log, StandardCharsets.UTF_8).contains("iteration " + iteration + "/")) {
                    return;
                }
                assertTrue(process.isAlive(), "the driver ended before iteration " + iteration + ":\n" + tail());
                Thread.sleep(50);
            }
            process.destroyForcibly();
            throw new AssertionError("no iteration " + iteration + " within 3 minutes:\n" + tail());
        }

        void await() throws Exception {
            boolean done = process.waitFor(5, TimeUnit.MINUTES);
            if (!done) {
                process.destroyForcibly();
            }
            assertTrue(done, "the driver did not finish:\n" + tail());
            assertEquals(0, process.exitValue(), tail());
        }

        byte[] weights() throws IOException {
            return Files.readAllBytes(out.resolve("model.safetensors"));
        }

        String timing() throws IOException {
            return timing(new ObjectMapper().readTree(out.resolve("metrics.json").toFile()));
        }

        static String timing(JsonNode m) {
            return String.format("load %.1f s, training %.1f s, iteration median %.1f ms, max %.1f ms, engine %s (%s)",
                    m.get("load_seconds").asDouble(), m.get("train_seconds").asDouble(), m.get("ms_per_iteration").asDouble(),
                    m.get("ms_per_iteration_max").asDouble(), m.path("engine").asText(), m.path("engine_reason").asText());
        }

        String tail() throws IOException {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }
    }
}
