package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * What the help looks like: a mistyped option says where the usage is once; {@code --help} breaks lines at spaces
 * only, never inside a value or a {@code [default: ...]}; {@code ./submit.sh} alone lists each command's options as
 * that command's {@code --help} does, {@code --defaults} included.
 */
class HelpLayoutTest {

    @Test
    void aMistypedOptionGivesTheUsageHintOnce() {
        CliRun r = CliRun.of("train", "--hiden", "5");
        assertEquals(2, r.code());
        assertEquals(1, r.err().split("without arguments for usage", -1).length - 1, r.err());
        assertTrue(r.err().startsWith("error: unknown option --hiden for train; did you mean --hidden?\n"), r.err());
    }

    @Test
    void helpBreaksLinesBetweenWordsOnly() {
        for (String command : Main.commandLine(DefaultValues.builtIn()).getSubcommands().keySet()) {
            String help = CliRun.of(command, "--help").out();
            for (String line : help.split("\n")) {
                int at = line.indexOf("[default:");
                assertTrue(at < 0 || line.indexOf(']', at) > 0, command + " --help breaks a [default: ...]: " + line);
                assertTrue(line.length() <= 110 || !line.strip().contains(" "), command + " --help: too wide: " + line);
            }
            // the synopsis breaks between its [--option=LABEL] parts only
            for (String line : help.substring(0, help.indexOf("\n" + description(command))).split("\n")) {
                assertEquals(line.chars().filter(c -> c == '[').count(), line.chars().filter(c -> c == ']').count(),
                        command + " --help breaks a bracket: " + line);
            }
        }
        String train = CliRun.of("train", "--help").out();
        assertTrue(train.contains("U(-0.5,0.5)"), train);
        assertTrue(train.contains("[default: 1000]") && train.contains("[default: sgd]"), train);
        assertTrue(train.contains("[--teacher=DIR[,DIR...]]"), train);
    }

    @Test
    void theUsageListsEachCommandsOptionsAsItsHelpDoes() {
        String usage = CliRun.of().out();
        CommandLine root = Main.commandLine(DefaultValues.builtIn());
        for (String command : root.getSubcommands().keySet()) {
            String help = CliRun.of(command, "--help").out();
            String options = help.substring(Math.min(index(help, "\n  -h"), index(help, "\n      --")) + 1);
            assertTrue(usage.contains(command + " options:\n" + options), command + ":\n" + options + "\nnot in\n" + usage);
        }
        assertTrue(usage.contains("      --defaults=FILE"), usage);
    }

    private static int index(String s, String part) {
        int i = s.indexOf(part);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    private static String description(String command) {
        return Main.commandLine(DefaultValues.builtIn()).getSubcommands().get(command).getCommandSpec().usageMessage()
                .description()[0].substring(0, 20);
    }
}
