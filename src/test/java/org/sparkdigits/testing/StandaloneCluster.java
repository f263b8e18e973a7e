package org.sparkdigits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster on loopback for tests: a Master and Workers as separate JVMs started from
 * this JVM's classpath (no Spark distribution: {@code SPARK_HOME} is a folder with an empty {@code jars/}),
 * executors forked by the Workers. Every process it starts is stopped by {@link #close()}.
 */
public final class StandaloneCluster implements AutoCloseable {

    private final Path home;
    private final int masterPort;
    private final int masterUi;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final double startSeconds;

    /** Starts a Master and {@code workers} Workers of one core and {@code workerMemory} each; waits until all are alive. */
    public StandaloneCluster(Path dir, int workers, String workerMemory) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        this.home = Files.createDirectories(dir.resolve("spark-home"));
        Files.createDirectories(home.resolve("jars"));
        this.masterPort = freePort();
        this.masterUi = freePort();
        this.master = start(dir.resolve("master.log"), List.of("-Dspark.master.rest.enabled=false"),
                "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(masterPort),
                "--webui-port", String.valueOf(masterUi));
        awaitJson("\"status\" : \"ALIVE\"", 60);
        for (int i = 0; i < workers; i++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + i));
            this.workers.add(start(dir.resolve("worker-" + i + ".log"), List.of("-Dspark.worker.cleanup.enabled=false"),
                    "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory", workerMemory,
                    "--work-dir", work.toString(), "--webui-port", String.valueOf(freePort()), masterUrl()));
        }
        awaitJson("\"aliveworkers\" : " + workers, 90);
        this.startSeconds = (System.nanoTime() - t0) / 1e9;
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** Seconds from the first process start until every Worker was registered. */
    public double startSeconds() {
        return startSeconds;
    }

    public List<Process> workers() {
        return workers;
    }

    /** The executor JVMs running now (children of the Workers). */
    public List<ProcessHandle> executors() {
        List<ProcessHandle> out = new ArrayList<>();
        for (Process w : workers) {
            w.toHandle().descendants().filter(h -> commandLine(h).contains("CoarseGrainedExecutorBackend")).forEach(out::add);
        }
        return out;
    }

    /** The JVM flags Spark 4 needs on Java 17 (from the build), then {@code extra}. */
    public static List<String> jvmFlags() {
        String flags = System.getProperty("spark.digits.jvm.flags", "");
        return flags.isBlank() ? List.of() : Arrays.asList(flags.trim().split("\\s+"));
    }

    /** The Scala line of the Spark on the classpath: 2.13 (Spark 4), 2.12 (Spark 3.5). */
    public static String scalaBinaryVersion() {
        String v = scala.util.Properties.versionNumberString();
        return v.substring(0, v.lastIndexOf('.'));
    }

    /** The environment every JVM of the cluster (and its drivers) needs. */
    public Map<String, String> environment() {
        return Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION", scalaBinaryVersion(), "SPARK_LOCAL_IP", "127.0.0.1");
    }

    /** The driver-side settings for an application on this cluster (client mode), as -D flags. */
    public List<String> driverProperties(int cores, String executorMemory) {
        return List.of("-Dspark.master=" + masterUrl(), "-Dspark.submit.deployMode=client",
                "-Dspark.driver.host=127.0.0.1", "-Dspark.cores.max=" + cores, "-Dspark.executor.cores=1",
                "-Dspark.executor.memory=" + executorMemory,
                "-Dspark.executor.extraClassPath=" + System.getProperty("java.class.path"),
                "-Dspark.executorEnv.SPARK_SCALA_VERSION=" + scalaBinaryVersion(), "-Dspark.ui.enabled=false");
    }

    private Process start(Path log, List<String> props, String mainClass, String... args) throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(props);
        return Jvm.start(jvm, mainClass, Arrays.asList(args), log, environment());
    }

    private void awaitJson(String wanted, int seconds) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < end) {
            try {
                last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUi + "/json/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (last.contains(wanted)) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            if (!master.isAlive()) {
                throw new IllegalStateException("the Master exited with " + master.exitValue());
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("the cluster did not show " + wanted + " within " + seconds + " s; last: " + last);
    }

    static String commandLine(ProcessHandle h) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(h.pid()), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return h.info().commandLine().orElse("");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        List<Process> all = new ArrayList<>(workers);
        all.add(master);
        for (Process p : all) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while stopping the cluster"));
            }
        }
    }
}
