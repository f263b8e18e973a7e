package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.StandaloneCluster;
import org.sparkdigits.testing.TestCsv;

/**
 * docs/library.md's spark-shell snippet, as the page has it, compiled by the Scala compiler of Spark's Scala and run
 * where spark-shell would run it: in a JVM of its own with a {@code spark} session on {@code local[2]} (and
 * {@code spark.implicits._} imported, as the shell does), on generated CSVs in the places of MNIST's. It must train,
 * print the test accuracy and save the model. On the default line only (Spark 4.2, Scala 2.13), the snippet's.
 */
@Tag("slow")
class ScalaSnippetTest {

    @TempDir
    Path dir;

    @Test
    void theSparkShellSnippetOfTheLibraryPageCompilesAndRuns() throws Exception {
        assumeTrue(onClasspath("scala.tools.nsc.Main") && scala.util.Properties.versionNumberString().startsWith("2.13"),
                "the Scala compiler of the snippet's Scala 2.13 is a test dependency of the default line (Spark 4.2) only");
        String snippet = snippet(Files.readString(Path.of("docs/library.md")));
        Path train = TestCsv.labelled(dir.resolve("train.csv"), 300, 61, true);
        Path test = TestCsv.labelled(dir.resolve("test.csv"), 100, 62, true);
        Path saved = dir.resolve("m1");
        snippet = replace(snippet, "\"data/mnist_train.csv\"", quoted(train));
        snippet = replace(snippet, "\"data/mnist_test.csv\"", quoted(test));
        snippet = replace(snippet, "\"/tmp/m1\"", quoted(saved));
        Path source = Files.writeString(dir.resolve("Snippet.scala"), """
                object Snippet {
                  def main(args: Array[String]): Unit = {
                    val spark = org.apache.spark.sql.SparkSession.builder().master("local[2]").appName("snippet")
                      .config("spark.ui.enabled", "false").getOrCreate()
                    import spark.implicits._
                """ + snippet.indent(4) + """
                    spark.stop()
                  }
                }
                """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String cp = System.getProperty("java.class.path");
        Outcome compiled = java(cp, "scala.tools.nsc.Main", "-usejavacp", "-deprecation", "-d", classes.toString(),
                source.toString());
        assertEquals(0, compiled.code(), "the snippet does not compile:\n" + compiled.output() + "\n" + source);
        Outcome ran = java(classes + File.pathSeparator + cp, "Snippet");
        assertEquals(0, ran.code(), ran.output());
        assertTrue(ran.output().matches("(?s).*\ntest accuracy 0\\.\\d{4} on 100 rows\n.*"), ran.output());
        assertTrue(ran.output().contains("|label|prediction|"), ran.output());
        assertTrue(Files.size(saved.resolve("model.safetensors")) > 0, "the model was not saved");
    }

    /** The code block under "## From spark-shell". */
    private static String snippet(String page) {
        int section = page.indexOf("## From spark-shell");
        assertTrue(section >= 0, "docs/library.md has no section 'From spark-shell'");
        int from = page.indexOf("```scala\n", section);
        int to = page.indexOf("```", from + 9);
        assertTrue(from > 0 && to > from, "no ```scala block in 'From spark-shell'");
        return page.substring(from + 9, to);
    }

    private static String replace(String snippet, String what, String with) {
        assertTrue(snippet.contains(what), "the snippet no longer reads " + what + ": update this test");
        return snippet.replace(what, with);
    }

    private static String quoted(Path p) {
        return "\"" + p.toAbsolutePath().toString().replace("\\", "\\\\") + "\"";
    }

    private static boolean onClasspath(String name) {
        try {
            Class.forName(name, false, ScalaSnippetTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private record Outcome(int code, String output) {
    }

    private Outcome java(String classpath, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(StandaloneCluster.jvmFlags());
        cmd.add("-Dlog4j2.configurationFile=" + Path.of("conf/log4j2.properties").toAbsolutePath().toUri());
        cmd.addAll(List.of("-cp", classpath, mainClass));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, mainClass, ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), mainClass + " did not finish within 5 minutes");
        } finally {
            p.destroyForcibly();
        }
        return new Outcome(p.exitValue(), Files.readString(log));
    }
}
