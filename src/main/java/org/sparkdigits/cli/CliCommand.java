package org.sparkdigits.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.sparkdigits.train.Setting;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.TrainOption;
import org.sparkdigits.train.TrainingSpec;

import picocli.CommandLine;

/**
 * What every command shares: where it prints, the options every command takes ({@code --defaults}, {@code --verbose},
 * {@code --help}), the training options it takes ({@link #declareOptions}) and their values as a builder, and checks
 * of required values with the command line's messages.
 */
abstract class CliCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    CommonOptions common = new CommonOptions();

    /** Where results are printed (errors go through {@link Main}). */
    PrintStream out = System.out;

    /** The command's name ({@code train}). */
    String name() {
        return spec.name();
    }

    /** {@code value}, or a usage error: "{@code evaluate needs --model DIR}", "{@code --out is empty: give PATH}". */
    String need(String value, String option, String label) {
        if (value == null) {
            throw new UsageException(name() + " needs " + option + " " + label);
        }
        if (value.isBlank()) {
            throw new UsageException(option + " is empty: give " + label);
        }
        return value;
    }

    /**
     * The checks of this command's options that {@link #call} makes before it needs Spark (usage errors), for
     * {@code Main --check-only}: none by default.
     */
    void check() {
    }

    /**
     * Declares the options of {@link TrainOption} this command takes ({@link SharedOptions#declare},
     * {@link SharedOptions#mixin}); called once, when the command line is built. None by default.
     */
    void declareOptions(CommandLine.Model.CommandSpec spec) {
    }

    /**
     * A trainer's builder with this command's training options set: the defaults file's values of them, then what the
     * command line gave (as many times as it gave them: {@code --mirror} adds up).
     */
    DigitTrainer.Builder builder() {
        DefaultValues defaults = Main.defaults();
        Map<String, String> file = defaults.file().entrySet().stream()
                .filter(e -> spec.findOption("--" + e.getKey()) != null
                        && SharedOptions.trainOption(spec.findOption("--" + e.getKey())) != null)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        DigitTrainer.Builder b = DigitTrainer.builder().defaults(file, String.valueOf(defaults.source()));
        for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            TrainOption t = SharedOptions.trainOption(o);
            if (t != null && t.kind() == Setting.Kind.FLAG) {
                b.set(t, "true");
            } else if (t != null) {
                o.originalStringValues().forEach(v -> b.set(t, v));
            }
        }
        return b;
    }

    /** The validated settings of this command's training options ({@link #builder()}), or a usage error. */
    TrainingSpec settings() {
        return Main.usage(builder()::build).spec();
    }

    /** The value of this command's training option {@code option} as written: given, from the defaults file, or its default. */
    String value(TrainOption option) {
        return spec.findOption(option.flag()).getValue();
    }

    /** Whether {@code option} was given on the command line. */
    boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The options every command takes. */
    static final class CommonOptions {
        @CommandLine.Option(names = "--defaults", paramLabel = "FILE", description = "properties file of defaults (submit.sh "
                + "passes conf/train.properties): option names without dashes, e.g. hidden = 10")
        String defaults;

        @CommandLine.Option(names = "--verbose", description = "show stack traces and Spark's warnings")
        boolean verbose;

        @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "this command's options with their "
                + "defaults")
        boolean help;
    }
}
