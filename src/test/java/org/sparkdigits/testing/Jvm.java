package org.sparkdigits.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts a class of the test classpath in a JVM of its own, with Spark's Java 17 flags and quiet logs. */
public final class Jvm {

    private Jvm() {
    }

    /**
     * @param jvmArgs  heap, -D properties...
     * @param args     the main class's arguments
     * @param log      receives stdout and stderr
     * @param env      added to the environment
     */
    public static Process start(List<String> jvmArgs, String mainClass, List<String> args, Path log, Map<String, String> env)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(StandaloneCluster.jvmFlags());
        cmd.addAll(jvmArgs);
        cmd.add("-Dlog4j2.configurationFile=" + Path.of("conf/log4j2.properties").toAbsolutePath().toUri());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}
