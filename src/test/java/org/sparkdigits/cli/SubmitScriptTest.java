package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit.sh} as a user runs it, with a stand-in Spark installation ({@code SPARK_HOME} whose
 * {@code bin/spark-submit} prints its arguments): what the script answers itself and what it hands to Spark.
 */
class SubmitScriptTest {

    private static final String SPARK_SUBMIT_SAYS = "fake spark-submit:";

    @TempDir
    Path dir;

    private Path sparkHome;

    private record Outcome(int code, String out, String err) {
    }

    @BeforeEach
    void fakeSpark() throws IOException {
        sparkHome = Files.createDirectories(dir.resolve("spark"));
        Files.writeString(sparkHome.resolve("RELEASE"), "Spark 4.2.0 built for Hadoop 3.4.1\n");
        Path bin = Files.createDirectories(sparkHome.resolve("bin"));
        Path submit = Files.writeString(bin.resolve("spark-submit"), "#!/usr/bin/env bash\necho \"" + SPARK_SUBMIT_SAYS
                + " $*\"\n");
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** {@code submit.sh args} with this build's classes and classpath, {@code env} over the environment. */
    private Outcome submit(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", Path.of("submit.sh").toAbsolutePath().toString()));
        cmd.addAll(Arrays.asList(args));
        File out = dir.resolve("stdout").toFile();
        File err = dir.resolve("stderr").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err);
        pb.environment().remove("HADOOP_CONF_DIR");
        pb.environment().remove("YARN_CONF_DIR");
        pb.environment().remove("SPARK_DIGITS_SPARK_LINE");
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_DIGITS_JAR", Path.of("target/classes").toAbsolutePath().toString());
        pb.environment().put("SPARK_DIGITS_CLASSPATH", System.getProperty("java.class.path"));
        env.forEach((k, v) -> {
            if (v.isEmpty()) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), "submit.sh did not finish");
        } finally {
            p.destroyForcibly();
        }
        return new Outcome(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    private Outcome submit(String... args) throws IOException, InterruptedException {
        return submit(Map.of(), args);
    }

    @Test
    void usageHelpVersionAndOptionErrorsAnswerWithoutStartingSpark() throws Exception {
        Outcome typo = submit("train", "--hiden", "5");
        assertEquals(2, typo.code(), typo.err());
        assertTrue(typo.err().startsWith("error: unknown option --hiden for train; did you mean --hidden?"), typo.err());
        assertFalse(typo.out().contains(SPARK_SUBMIT_SAYS), typo.out());

        Outcome value = submit("train", "--hidden", "ten", "--master", "local[2]");
        assertEquals(2, value.code(), value.err());
        assertTrue(value.err().startsWith("error: --hidden must be a whole number, got 'ten'"), value.err());
        assertFalse(value.out().contains(SPARK_SUBMIT_SAYS), value.out());

        Outcome help = submit("train", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("--hidden") && help.out().contains("[default: "), help.out());
        assertFalse(help.out().contains(SPARK_SUBMIT_SAYS), help.out());

        Outcome version = submit("--version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("spark-digits ") && version.out().contains("(Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ","),
                version.out());
        assertFalse(version.out().contains(SPARK_SUBMIT_SAYS), version.out());

        Outcome usage = submit();
        assertEquals(0, usage.code(), usage.err());
        assertTrue(usage.out().startsWith("usage: ./submit.sh COMMAND"), usage.out());
        assertFalse(usage.out().contains(SPARK_SUBMIT_SAYS), usage.out());
    }

    @Test
    void aValidCommandLineGoesToSparkSubmitAsBefore() throws Exception {
        Outcome o = submit("train", "--hidden", "5", "--master", "local[2]", "--out", "m");
        assertEquals(0, o.code(), o.err());
        String conf = Path.of("conf").toAbsolutePath().toString();
        assertEquals(SPARK_SUBMIT_SAYS + " --class org.sparkdigits.cli.Main --driver-java-options -Dlog4j2.configurationFile=file:"
                + conf + "/log4j2.properties  --master local[2] --properties-file " + conf + "/spark-defaults.conf "
                + Path.of("target/classes").toAbsolutePath() + " train --defaults " + conf + "/train.properties --hidden 5 --out m",
                o.out().strip());
        assertEquals("", o.err());
    }

    @Test
    void aSparkHomeWithoutSparkSubmitIsOneLineNamingIt() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("not-spark"));
        Outcome o = submit(Map.of("SPARK_HOME", empty.toString()), "train", "--out", "m");
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().startsWith("submit.sh: " + empty + "/bin/spark-submit is missing"), o.err());
        // the help needs no Spark installation
        Outcome help = submit(Map.of("SPARK_HOME", empty.toString()), "train", "--help");
        assertEquals(0, help.code(), help.err());
    }

    @Test
    void yarnWithoutTheHadoopConfigurationIsOneLineNamingIt() throws Exception {
        Outcome o = submit(Map.of("SPARK_HOME", ""), "train", "--master", "yarn", "--out", "m");
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().startsWith("submit.sh: --master yarn needs HADOOP_CONF_DIR (or YARN_CONF_DIR)"), o.err());
        // a Spark installation's spark-env.sh may set it
        Files.createDirectories(sparkHome.resolve("conf"));
        Files.writeString(sparkHome.resolve("conf/spark-env.sh"), "export HADOOP_CONF_DIR=/etc/hadoop/conf\n");
        Outcome installed = submit("train", "--master", "yarn", "--out", "m");
        assertEquals(0, installed.code(), installed.err());
        assertTrue(installed.out().startsWith(SPARK_SUBMIT_SAYS), installed.out());
    }

    /** The check loads none of Spark's classes: that is what makes it fast. */
    @Test
    void theCheckLoadsNoSparkClass() throws Exception {
        for (List<String> args : List.of(List.of("train", "--hiden", "5"), List.of("train", "--help"), List.of("--version"),
                List.of("train", "--hidden", "5", "--batch-size", "100", "--epochs", "2"))) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-verbose:class", "-cp", System.getProperty("java.class.path"), Main.class.getName(), Main.CHECK_ONLY));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(1, TimeUnit.MINUTES));
            List<String> spark = said.lines().filter(l -> l.contains("class,load] org.apache.spark.")).toList();
            // the bytecode verifier may load a type it meets in a signature (Dataset), but nothing of Spark runs
            assertTrue(spark.size() <= 2 && spark.stream().noneMatch(l -> l.matches(
                    ".*org\\.apache\\.spark\\.(SparkConf|SparkContext|sql\\.SparkSession|deploy\\.|package\\$).*")),
                    args + ":\n" + String.join("\n", spark));
        }
    }
}
