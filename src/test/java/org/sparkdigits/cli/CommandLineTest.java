package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.TrainOption;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;

/**
 * The command line on picocli: {@code COMMAND --help} lists every option with its default (train's from the one place
 * defaults live), a mistyped option gets a suggestion, {@code --version} names the versions, and a defaults file
 * overrides the defaults and is overridden by the command line.
 */
class CommandLineTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandsHelpListsEveryOptionWithItsDefault() {
        CommandLine root = Main.commandLine(DefaultValues.builtIn());
        for (var e : root.getSubcommands().entrySet()) {
            CliRun r = CliRun.of(e.getKey(), "--help");
            assertEquals(0, r.code(), e.getKey() + ": " + r.err());
            String help = r.out().replaceAll("\\s+", " ");   // as read, whatever the line breaks
            for (CommandLine.Model.OptionSpec o : e.getValue().getCommandSpec().options()) {
                assertTrue(r.out().contains(o.longestName()), e.getKey() + " --help lacks " + o.longestName() + ":\n" + r.out());
                String d = DefaultValues.builtIn().defaultValue(o);
                if (d != null && o.arity().max() > 0) {
                    assertTrue(help.contains("[default: " + d + "]"), e.getKey() + " --help lacks the default of "
                            + o.longestName() + " (" + d + "):\n" + r.out());
                }
            }
        }
        CliRun train = CliRun.of("train", "--help");
        for (TrainOption o : TrainOption.values()) {
            assertTrue(train.out().contains(o.flag()), o.flag());
        }
        assertTrue(train.out().contains("[default: 10]") && train.out().contains("[default: MEMORY_AND_DISK]"), train.out());
    }

    @Test
    void aMistypedOptionOrCommandGetsASuggestion() {
        CliRun option = CliRun.of("train", "--hiden", "5");
        assertEquals(2, option.code());
        assertTrue(option.err().startsWith("error: unknown option --hiden for train; did you mean --hidden?"), option.err());
        CliRun command = CliRun.of("trian");
        assertEquals(2, command.code());
        assertTrue(command.err().contains("did you mean train?"), command.err());
        CliRun value = CliRun.of("train", "--hidden", "ten");
        assertTrue(value.err().startsWith("error: --hidden must be a whole number, got 'ten'"), value.err());
        CliRun range = CliRun.of("gradcheck", "--hidden", "5000");
        assertEquals(2, range.code());
        assertTrue(range.err().startsWith("error: --hidden must be between 1 and 4096, got 5000"), range.err());
        CliRun format = CliRun.of("evaluate", "--model", "m", "--data", "d.csv", "--format", "xml");
        assertEquals(2, format.code(), format.err());   // before Spark and the model: a usage error
        assertTrue(format.err().startsWith("error: ") && format.err().contains("'xml'"), format.err());
        CliRun evaluate = CliRun.of("evaluate", "--model", "m", "--rows", "3");
        assertTrue(evaluate.err().startsWith("error: unknown option --rows for evaluate"), evaluate.err());
    }

    @Test
    void versionNamesSparkScalaAndJava() {
        CliRun r = CliRun.of("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().matches("spark-digits \\S+ \\(Spark \\d+\\.\\d+\\.\\d+, Scala 2\\.1[23]\\.\\d+, Java \\d+.*\\)\\R"),
                r.out());
    }

    @Test
    void aDefaultsFileOverridesTheDefaultsAndTheCommandLineOverridesIt() throws IOException {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("d.csv"), 60, 5, true);
        Path defaults = Files.writeString(dir.resolve("my.properties"), "hidden = 12\niterations = 3\nseed = 4\nrows = 2\n");
        Path a = dir.resolve("a");
        CliRun fromFile = CliRun.of("train", "--defaults", defaults.toString(), "--data", data.toString(), "--out", a.toString());
        assertEquals(0, fromFile.code(), fromFile.err());
        var m = new ObjectMapper().readTree(a.resolve("model.json").toFile());
        assertEquals(12, m.get("architecture").get("hidden").asInt());
        assertEquals(3, m.get("training").get("iterations").asInt());
        Path b = dir.resolve("b");
        CliRun typed = CliRun.of("train", "--defaults", defaults.toString(), "--data", data.toString(), "--out", b.toString(),
                "--hidden", "14");
        assertEquals(0, typed.code(), typed.err());
        assertEquals(14, new ObjectMapper().readTree(b.resolve("model.json").toFile()).get("architecture").get("hidden").asInt());
        // the usage shows the file's defaults
        CliRun usage = CliRun.of("help", "--defaults", defaults.toString());
        assertTrue(usage.out().contains("--hidden=H") && usage.out().contains("[default: 12]"), usage.out());
        // in every command that shares the option
        CliRun gradcheck = CliRun.of("gradcheck", "--help", "--defaults", defaults.toString());
        assertTrue(gradcheck.out().replaceAll("\\s+", " ").contains("[default: 12]"), gradcheck.out());
        // and the file's settings are the options' names
        Path bad = Files.writeString(dir.resolve("bad.properties"), "hiden = 12\n");
        CliRun refused = CliRun.of("train", "--defaults", bad.toString(), "--data", data.toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().startsWith("error: " + bad + ": unknown setting 'hiden'"), refused.err());
        // a flag is no default: resume = true would make every run continue another
        Path flag = Files.writeString(dir.resolve("flag.properties"), "resume = true\n");
        CliRun resume = CliRun.of("train", "--defaults", flag.toString(), "--data", data.toString());
        assertEquals(2, resume.code());
        assertTrue(resume.err().startsWith("error: " + flag + ": unknown setting 'resume'"), resume.err());
        // the usage prints whatever the file holds, with the built-in defaults
        CliRun help = CliRun.of("help", "--defaults", bad.toString());
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("[default: 10]"), help.out());
    }
}
