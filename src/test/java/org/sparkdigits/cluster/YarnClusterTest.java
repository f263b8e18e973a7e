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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
import org.sparkdigits.testing.AppJar;
import org.sparkdigits.testing.MiniHadoop;
import org.sparkdigits.testing.StandaloneCluster;
import org.sparkdigits.testing.TestCsv;

/**
 * Training on a REAL YARN with its data, checkpoints and model on a REAL HDFS (a MiniYARNCluster and a MiniDFSCluster
 * on loopback; the ApplicationMaster and the executors are container processes), submitted with {@code --master yarn}
 * through {@code submit.sh} (cluster deploy mode) and spark-submit's {@code SparkSubmit} (client and cluster mode): the model is bit-identical to
 * the same job on local[2]; an executor container killed (SIGKILL) in the middle changes nothing; the ApplicationMaster,
 * with the driver inside it, killed in the middle is started again by YARN and its second attempt continues the first
 * attempt's checkpoints on HDFS by itself, to the same model (a fresh submission is refused them: {@code YarnAttemptTest}). One run uses the security settings
 * {@code conf/spark-defaults.cluster.conf} recommends. The clusters start once for the class.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnClusterTest {

    /** The training job: mini-batch Adam with checkpoints, long enough to kill something in the middle. */
    private static final String[] TRAIN = {"--hidden", "32", "--batch-size", "50", "--epochs", "4", "--optimizer", "adam",
            "--lr", "0.01", "--seed", "5", "--partitions", "2", "--log-every", "10", "--checkpoint-every", "10"};

    @TempDir
    static Path dir;
    private static MiniHadoop hadoop;
    private static Path appJar;
    private static String data;
    private static String test;
    private static byte[] local;
    private static JsonNode localMetrics;

    @BeforeAll
    static void start() throws Exception {
        hadoop = new MiniHadoop(dir.resolve("hadoop"));
        System.out.printf("MiniDFSCluster and MiniYARNCluster up after %.1f s%n", hadoop.startSeconds());
        data = hadoop.upload(TestCsv.labelled(dir.resolve("train.csv"), 2000, 41, true), "/in/train.csv");
        test = hadoop.upload(TestCsv.labelled(dir.resolve("test.csv"), 300, 42, true), "/in/test.csv");
        appJar = AppJar.write(dir.resolve("spark-digits.jar"));
        // the reference: the same job on local[2], data and model on local disk
        Path localModel = dir.resolve("local-model");
        List<String> args = new ArrayList<>(List.of("train", "--data", dir.resolve("train.csv").toString(), "--test",
                dir.resolve("test.csv").toString(), "--out", localModel.toString(), "--checkpoint-dir",
                dir.resolve("local-checkpoints").toString()));
        args.addAll(List.of(TRAIN));
        CliRun run = CliRun.of(args.toArray(new String[0]));   // in this JVM's local[2] session
        assertEquals(0, run.code(), run.err());
        local = Files.readAllBytes(localModel.resolve("model.safetensors"));
        localMetrics = new ObjectMapper().readTree(localModel.resolve("metrics.json").toFile());
        System.out.printf("local[2]: %s%n", timing(localMetrics));
    }

    @AfterAll
    static void stop() {
        if (hadoop != null) {
            hadoop.close();
        }
    }

    @Test
    @Order(1)
    void clusterModeOnYarnWritesTheLocalModelToHdfsAndEvaluateReadsIt() throws Exception {
        String out = hadoop.root() + "/models/cluster";
        Submission s = Submission.submitSh(dir.resolve("cluster"), List.of(), train(out, "/ck/cluster"));
        s.awaitSuccess();
        String said = Files.readString(s.log(), StandardCharsets.UTF_8);
        assertTrue(said.contains("Submitting application application_") && said.contains("final status: SUCCEEDED")
                && said.contains("submit.sh: train finished on yarn (cluster deploy mode); the model is in " + out), said);
        assertArrayEquals(local, hadoop.read(out + "/model.safetensors"), "the cluster-mode model differs from local[2]'s");
        JsonNode m = new ObjectMapper().readTree(hadoop.read(out + "/metrics.json"));
        assertEquals("yarn", m.get("spark_master").asText());
        System.out.printf("YARN cluster mode: %s (submission to exit: %.1f s)%n", timing(m), s.seconds());
        assertTrue(hadoop.exists(hadoop.root() + "/ck/cluster/.application-id"));
        // evaluate and predict read the model from HDFS
        CliRun evaluate = CliRun.of("evaluate", "--model", out, "--data", test);
        assertEquals(0, evaluate.code(), evaluate.err());
        assertTrue(evaluate.out().contains(String.format(java.util.Locale.ROOT, "%.4f",
                localMetrics.get("test_accuracy").asDouble())), evaluate.out() + " vs " + localMetrics);
        CliRun predict = CliRun.of("predict", "--model", out, "--data", test, "--out",
                hadoop.root() + "/out/cluster.csv");
        assertEquals(0, predict.code(), predict.err());
        assertEquals(301, new String(hadoop.read(hadoop.root() + "/out/cluster.csv"), StandardCharsets.UTF_8).split("\n").length);
    }

    /**
     * On the collective engine (its barrier stages on YARN's executors, the tasks' mesh authenticated and encrypted with
     * the application's secret): an executor killed mid-segment fails the stage, which runs again from its start on
     * the executor YARN gives back, to the same bits as the jobs engine on local[2].
     */
    @Test
    @Order(2)
    void clientModeWithAuthenticationAndEncryptionSurvivesAKilledExecutor() throws Exception {
        String out = hadoop.root() + "/models/client";
        List<String> conf = List.of("spark.authenticate=true", "spark.network.crypto.enabled=true",
                "spark.io.encryption.enabled=true", "spark.executor.instances=2");
        List<String> args = train(out, "/ck/client");
        args.addAll(List.of("--engine", "collective"));
        Submission s = Submission.sparkSubmit(dir.resolve("client"), "client", conf, args);
        s.awaitLine("epoch 2/", 4);
        List<ProcessHandle> executors = containers("YarnCoarseGrainedExecutorBackend");
        assertFalse(executors.isEmpty(), "no executor container found");
        long killedAt = System.nanoTime();
        executors.get(0).destroyForcibly();   // SIGKILL
        executors.get(0).onExit().get(30, TimeUnit.SECONDS);
        assertTrue(s.process().isAlive(), "the kill must land while the driver is still training");
        s.awaitSuccess();
        double recovery = (System.nanoTime() - killedAt) / 1e9;
        assertArrayEquals(local, hadoop.read(out + "/model.safetensors"), "the model after an executor kill differs");
        JsonNode m = new ObjectMapper().readTree(hadoop.read(out + "/metrics.json"));
        assertEquals("collective", m.get("engine").asText(), m.toString());
        System.out.printf("YARN client mode, collective engine, authenticated and encrypted, executor killed in epoch 2: %s; kill to end %.1f s"
                + " (the run takes %.1f s of training undisturbed)%n", timing(m), recovery, localMetrics.get("train_seconds").asDouble());
    }

    @Test
    @Order(3)
    void aKilledApplicationMasterIsStartedAgainAndItsSecondAttemptResumesByItself() throws Exception {
        String out = hadoop.root() + "/models/reattempt";
        Submission s = Submission.sparkSubmit(dir.resolve("reattempt"), "cluster", List.of("spark.yarn.maxAppAttempts=2"),
                train(out, "/ck/reattempt"));
        awaitCheckpoint(hadoop.root() + "/ck/reattempt", s);
        List<ProcessHandle> am = containers("org.apache.spark.deploy.yarn.ApplicationMaster");
        assertEquals(1, am.size(), "one ApplicationMaster");
        long killedAt = System.nanoTime();
        am.get(0).destroyForcibly();   // SIGKILL: the driver goes with it
        am.get(0).onExit().get(30, TimeUnit.SECONDS);
        assertFalse(hadoop.exists(out), "the first attempt must be killed before it wrote the model");
        s.awaitSuccess();
        double recovery = (System.nanoTime() - killedAt) / 1e9;
        assertArrayEquals(local, hadoop.read(out + "/model.safetensors"), "the re-attempt's model differs from an undisturbed run");
        String logs = containerLogs();
        assertTrue(logs.contains("attempt 2 of application_") && logs.contains("resuming from the checkpoint of step"),
                "the second attempt did not say it resumed");
        System.out.printf("YARN cluster mode, ApplicationMaster killed after the first checkpoint: kill to end %.1f s%n", recovery);
    }

    private static List<String> train(String out, String checkpoints) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data, "--test", test, "--out", out, "--checkpoint-dir",
                hadoop.root() + checkpoints));
        args.addAll(List.of(TRAIN));
        return args;
    }

    private static void awaitCheckpoint(String ck, Submission s) throws Exception {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < end) {
            if (hadoop.exists(ck) && Arrays.stream(hadoop.fs().listStatus(new org.apache.hadoop.fs.Path(ck)))
                    .anyMatch(f -> f.getPath().getName().startsWith("ckpt-"))) {
                return;
            }
            assertTrue(s.process().isAlive(), "the submission ended before the first checkpoint:\n" + s.tail());
            Thread.sleep(50);
        }
        throw new AssertionError("no checkpoint in " + ck + " within 4 minutes:\n" + s.tail());
    }

    /** The container processes (children of this JVM's NodeManager) whose command line names {@code mainClass}. */
    private static List<ProcessHandle> containers(String mainClass) {
        return ProcessHandle.current().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
                .filter(h -> commandLine(h).contains(mainClass)).collect(Collectors.toList());
    }

    private static String commandLine(ProcessHandle h) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(h.pid()), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Everything the containers wrote to their stderr (the NodeManager's log directories, not its busy local ones). */
    private static String containerLogs() throws IOException {
        StringBuilder sb = new StringBuilder();
        List<Path> logDirs;
        try (Stream<Path> d = Files.find(MiniHadoop.workDir(), 2, (p, a) -> a.isDirectory()
                && p.getFileName().toString().contains("-logDir-"))) {
            logDirs = d.collect(Collectors.toList());
        }
        for (Path logDir : logDirs) {
            try (Stream<Path> files = Files.walk(logDir)) {
                for (Path p : files.filter(p -> p.getFileName().toString().equals("stderr")).collect(Collectors.toList())) {
                    sb.append(Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        }
        return sb.toString();
    }

    private static String timing(JsonNode m) {
        return String.format("load %.1f s, training %.1f s, step median %.1f ms, max %.1f ms", m.get("load_seconds").asDouble(),
                m.get("train_seconds").asDouble(), m.get("ms_per_iteration").asDouble(), m.get("ms_per_iteration_max").asDouble());
    }

    /** A submission to the MiniYARNCluster in a process of its own, its output in {@code log}. */
    private record Submission(Process process, Path log, long startNanos) {

        /** spark-submit's {@code SparkSubmit} in a JVM of its own, the client configuration first on its classpath. */
        static Submission sparkSubmit(Path work, String deployMode, List<String> conf, List<String> args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(StandaloneCluster.jvmFlags());
            cmd.add("-Xmx1g");
            cmd.add("-Dlog4j2.configurationFile=" + Path.of("src/test/resources/log4j2-test.properties").toAbsolutePath().toUri());
            cmd.addAll(List.of("-cp", hadoop.confDir() + java.io.File.pathSeparator + System.getProperty("java.class.path"),
                    "org.apache.spark.deploy.SparkSubmit", "--master", "yarn", "--deploy-mode", deployMode,
                    "--class", Main.class.getName(), "--driver-memory", "512m", "--executor-memory", "512m",
                    "--executor-cores", "1", "--conf", "spark.driver.extraJavaOptions=" + String.join(" ", StandaloneCluster.jvmFlags())));
            if (deployMode.equals("client")) {
                cmd.addAll(List.of("--conf", "spark.yarn.am.extraJavaOptions=" + String.join(" ", StandaloneCluster.jvmFlags())));
            }
            cmd.addAll(settings(conf));
            cmd.add(appJar.toString());
            cmd.addAll(args);
            return start(work, cmd, Map.of());
        }

        /**
         * {@code submit.sh COMMAND --master yarn --deploy-mode cluster ...} as a user runs it without SPARK_HOME: the
         * application jar and the Spark of this build ({@code SPARK_DIGITS_JAR}, {@code SPARK_DIGITS_CLASSPATH}: this
         * test's, which has spark-yarn), the cluster's configuration from {@code HADOOP_CONF_DIR}.
         */
        static Submission submitSh(Path work, List<String> conf, List<String> args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("bash", Path.of("submit.sh").toAbsolutePath().toString(), args.get(0),
                    "--master", "yarn", "--deploy-mode", "cluster", "--driver-memory", "512m", "--executor-memory", "512m",
                    "--executor-cores", "1", "--driver-java-options", String.join(" ", StandaloneCluster.jvmFlags())));
            cmd.addAll(settings(conf));
            cmd.addAll(args.subList(1, args.size()));
            return start(work, cmd, Map.of("SPARK_DIGITS_JAR", appJar.toString(),
                    "SPARK_DIGITS_CLASSPATH", System.getProperty("java.class.path")));
        }

        /** The settings every submission here needs, then {@code conf}, as {@code --conf} options. */
        private static List<String> settings(List<String> conf) {
            String jvmFlags = String.join(" ", StandaloneCluster.jvmFlags());
            List<String> settings = new ArrayList<>(List.of("spark.ui.enabled=false",
                    // the containers run Spark from this build's jars, as a cluster's own Spark installation would be
                    "spark.yarn.jars=" + Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                            .filter(j -> j.endsWith(".jar")).map(j -> "local:" + j).collect(Collectors.joining(",")),
                    "spark.yarn.am.memory=512m", "spark.executor.instances=1", "spark.yarn.maxAppAttempts=1",
                    "spark.yarn.report.interval=500ms", "spark.executor.heartbeatInterval=2s",
                    "spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1", "spark.executorEnv.SPARK_LOCAL_IP=127.0.0.1",
                    "spark.executor.extraJavaOptions=" + jvmFlags));
            settings.addAll(conf);
            List<String> out = new ArrayList<>();
            for (String s : settings) {
                out.addAll(List.of("--conf", s));
            }
            return out;
        }

        private static Submission start(Path work, List<String> cmd, Map<String, String> env) throws IOException {
            Files.createDirectories(work);
            Path log = work.resolve("submit.log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().remove("SPARK_HOME");
            pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
            pb.environment().put("HADOOP_CONF_DIR", hadoop.confDir().toString());
            pb.environment().put("YARN_CONF_DIR", hadoop.confDir().toString());
            pb.environment().putAll(env);
            return new Submission(pb.start(), log, System.nanoTime());
        }

        void awaitLine(String text, int minutes) throws Exception {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
            while (System.nanoTime() < end) {
                if (Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
                    return;
                }
                assertTrue(process.isAlive(), "the submission ended before \"" + text + "\":\n" + tail());
                Thread.sleep(50);
            }
            process.destroyForcibly();
            throw new AssertionError("no \"" + text + "\" within " + minutes + " minutes:\n" + tail());
        }

        void awaitSuccess() throws Exception {
            boolean done = process.waitFor(6, TimeUnit.MINUTES);
            if (!done) {
                process.destroyForcibly();
            }
            assertTrue(done, "the submission did not finish:\n" + tail());
            assertEquals(0, process.exitValue(), tail());
        }

        double seconds() {
            return (System.nanoTime() - startNanos) / 1e9;
        }

        String tail() throws IOException {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
    }
}
