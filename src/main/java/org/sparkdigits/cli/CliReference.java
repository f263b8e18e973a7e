package org.sparkdigits.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import picocli.CommandLine;

/**
 * docs/cli.md: every command and option with its default, made from the command tree that {@code ./submit.sh} parses
 * with (the options of {@link org.sparkdigits.TrainOption} and each command's own), so that the page cannot drift from
 * the code: {@code CliReferenceTest} regenerates it and fails when the committed file differs.
 */
final class CliReference {

    /** The command that rewrites docs/cli.md (the test's failure message gives it too). */
    static final String REGENERATE = "mvn test -Dtest=CliReferenceTest -Dcli.reference.write=true";

    /** spark-submit's own options, which {@code submit.sh} passes through to spark-submit (taking a value). */
    static final List<String> SPARK_SUBMIT_VALUE_OPTIONS = List.of("--master", "--deploy-mode", "--name", "--jars",
            "--packages", "--exclude-packages", "--repositories", "--py-files", "--files", "--archives", "--conf",
            "--properties-file", "--driver-memory", "--driver-java-options", "--driver-library-path",
            "--driver-class-path", "--driver-cores", "--executor-memory", "--executor-cores", "--total-executor-cores",
            "--num-executors", "--queue", "--principal", "--keytab", "--proxy-user");

    /** spark-submit's flags that {@code submit.sh} passes through. */
    static final List<String> SPARK_SUBMIT_FLAGS = List.of("--supervise");

    /** What {@code submit.sh} itself reads before handing over. */
    static final List<String> LAUNCHER_OPTIONS = List.of("--spark-line");

    /** Options taken before any command. */
    static final List<String> TOP_LEVEL_OPTIONS = List.of("--version", "--help");

    private CliReference() {
    }

    /** Every option name the command line knows: each command's, the launcher's, spark-submit's and the top level's. */
    static Set<String> optionNames() {
        Set<String> names = new TreeSet<>();
        for (CommandLine c : Main.commandLine(DefaultValues.builtIn()).getSubcommands().values()) {
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                for (String n : o.names()) {
                    if (n.startsWith("--")) {
                        names.add(n);
                    }
                }
            }
        }
        names.addAll(SPARK_SUBMIT_VALUE_OPTIONS);
        names.addAll(SPARK_SUBMIT_FLAGS);
        names.addAll(LAUNCHER_OPTIONS);
        names.addAll(TOP_LEVEL_OPTIONS);
        return names;
    }

    /** The page. */
    static String markdown() {
        DefaultValues defaults = DefaultValues.builtIn();
        CommandLine root = Main.commandLine(defaults);
        Map<String, CommandLine> commands = root.getSubcommands();
        StringBuilder sb = new StringBuilder();
        sb.append("# Command-line reference\n\n");
        sb.append("<!-- Generated from the command tree (org.sparkdigits.TrainOption and each command's options) by\n");
        sb.append("     org.sparkdigits.cli.CliReference: do not edit by hand. CliReferenceTest fails when this file differs;\n");
        sb.append("     regenerate it with: ").append(REGENERATE).append(" -->\n\n");
        sb.append("```\n./submit.sh COMMAND [spark-submit options] [options]\n./submit.sh COMMAND --help\n./submit.sh --version\n```\n\n");
        sb.append("`./submit.sh` alone prints every command and option with its default (your `conf/train.properties` "
                + "included); `./submit.sh COMMAND --help` one command's. The defaults below are the built-in ones "
                + "(`TrainOption`); a defaults file changes them (see [commands.md](commands.md#defaults-files-and-conf)), "
                + "and the command line overrides both. Options and commands are explained in depth in "
                + "[commands.md](commands.md).\n\n");
        sb.append("| command | what it does |\n| --- | --- |\n");
        commands.forEach((name, c) -> sb.append("| [`").append(name).append("`](#").append(name).append(") | ")
                .append(cell(c.getCommandSpec().usageMessage().description()[0])).append(" |\n"));
        commands.forEach((name, c) -> {
            sb.append("\n## ").append(name).append("\n\n");
            String description = String.join(" ", c.getCommandSpec().usageMessage().description());
            sb.append(Character.toUpperCase(description.charAt(0))).append(description.substring(1)).append(".\n\n");
            sb.append("| option | default | meaning |\n| --- | --- | --- |\n");
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                if (!COMMON.contains(o.longestName())) {
                    sb.append(row(o, defaults));
                }
            }
        });
        sb.append("\n## Options of every command\n\n");
        sb.append("| option | default | meaning |\n| --- | --- | --- |\n");
        for (CommandLine.Model.OptionSpec o : commands.get("train").getCommandSpec().options()) {
            if (COMMON.contains(o.longestName())) {
                sb.append(row(o, defaults));
            }
        }
        sb.append("\n## Launcher and Spark options\n\n");
        sb.append("- `--spark-line 3.5|4.0|4.1|4.2`, anywhere on the command line (or `SPARK_DIGITS_SPARK_LINE`): the Spark "
                + "line whose jar `submit.sh` builds and runs when `SPARK_HOME` is not set (default 4.2); with `SPARK_HOME` "
                + "set, the installed Spark's line is used (see [cluster.md](cluster.md#spark-lines-and-their-jars)).\n");
        sb.append("- spark-submit's own options pass through, before or after the command's options: ");
        List<String> passed = new ArrayList<>(SPARK_SUBMIT_VALUE_OPTIONS);
        passed.addAll(SPARK_SUBMIT_FLAGS);
        sb.append(String.join(", ", passed.stream().map(n -> "`" + n + "`").toList()));
        sb.append(". `--master` defaults to `local[*]`; without `SPARK_HOME`, `--driver-memory` is the JVM's `-Xmx` "
                + "(default 4g).\n");
        sb.append("- `--version` (before any command): the versions of spark-digits, Spark, Scala and Java.\n");
        sb.append("\n## Exit codes\n\n");
        sb.append("| code | meaning |\n| --- | --- |\n");
        sb.append("| ").append(Main.OK).append(" | success |\n");
        sb.append("| ").append(Main.FAILED).append(" | failure (and `gradcheck` above its tolerance) |\n");
        sb.append("| ").append(Main.BAD_INPUT).append(" | bad input or bad usage: one line naming the problem, no stack "
                + "trace unless `--verbose` |\n");
        return sb.toString();
    }

    /** The options every command takes ({@code CliCommand.CommonOptions}): listed once. */
    private static final Set<String> COMMON = Set.of("--defaults", "--verbose", "--help");

    /** An option's row: its names and placeholder, its built-in default, its help. */
    private static String row(CommandLine.Model.OptionSpec o, DefaultValues defaults) {
        String left = String.join(", ", o.names()) + (o.arity().max() == 0 ? "" : " " + o.paramLabel());
        String help = String.join(" ", o.description()).replaceAll(" \\[default: [^]]*]$", "");
        String def = o.arity().max() == 0 || o.usageHelp() ? null : defaults.defaultValue(o);
        return "| `" + cell(left) + "` | " + (def == null ? "" : "`" + cell(def) + "`") + " | " + cell(help) + " |\n";
    }

    /** Text for a table cell: pipes escaped. */
    private static String cell(String s) {
        return s.replace("|", "\\|");
    }
}
