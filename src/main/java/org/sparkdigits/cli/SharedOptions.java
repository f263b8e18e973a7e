package org.sparkdigits.cli;

import java.util.List;

import org.sparkdigits.train.Setting;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.TrainOption;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options several commands share. Those of training are declared from the one place they live
 * ({@link TrainOption}: name, placeholder, help, default), their values checked by the builder's own parsing, so
 * {@code gradcheck --hidden} and {@code augment --rotation} are {@code train}'s, with the same default and message.
 * The groups are picocli mixins: the distortions ({@code train}, {@code augment}), the input's format and bad rows
 * ({@code evaluate}, {@code predict}, {@code report}), the model directory.
 */
final class SharedOptions {

    /** {@code --rotation --scale --shear --shift --alpha --sigma --elastic-scale}: augment's distortions, train's on the fly. */
    static final List<TrainOption> DISTORTIONS = List.of(TrainOption.ROTATION, TrainOption.SCALE, TrainOption.SHEAR,
            TrainOption.SHIFT, TrainOption.ALPHA, TrainOption.SIGMA, TrainOption.ELASTIC_SCALE);

    /** {@code --format --on-bad-row} of the data a command reads. */
    static final List<TrainOption> INPUT = List.of(TrainOption.FORMAT, TrainOption.ON_BAD_ROW);

    private SharedOptions() {
    }

    /** {@code --model DIR}. */
    static final class ModelDir {
        @CommandLine.Option(names = "--model", paramLabel = "DIR", description = "model directory written by train, on any "
                + "Hadoop file system")
        String model;
    }

    /** Adds {@code options} to {@code spec} as the mixin {@code name}. */
    static void mixin(CommandSpec spec, String name, List<TrainOption> options) {
        CommandSpec group = CommandSpec.create();
        options.forEach(o -> group.addOption(option(o)));
        spec.addMixin(name, group);
    }

    /** Adds to {@code spec} each of {@code options} it does not declare yet. */
    static void declare(CommandSpec spec, List<TrainOption> options) {
        for (TrainOption o : options) {
            if (spec.findOption(o.flag()) == null) {
                spec.addOption(option(o));
            }
        }
    }

    /** The training option {@code option} of the command line; its {@code userObject} is the {@link TrainOption}. */
    static TrainOption trainOption(OptionSpec option) {
        return option.userObject() instanceof TrainOption t ? t : null;
    }

    private static OptionSpec option(TrainOption o) {
        OptionSpec.Builder b = OptionSpec.builder(o.flag()).userObject(o)
                .description(o.help() + (o.kind() == Setting.Kind.FLAG || o.defaultValue() == null ? ""
                        : " [default: ${DEFAULT-VALUE}]"));
        if (o.kind() == Setting.Kind.FLAG) {
            return b.arity("0").type(boolean.class).build();
        }
        return b.paramLabel(o.label()).arity("1").type(String.class).converters(value -> {
            DigitTrainer.builder().set(o, value);   // the builder's own parsing, with its messages
            return value;
        }).build();
    }
}
