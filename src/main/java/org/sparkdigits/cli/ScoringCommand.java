package org.sparkdigits.cli;

import picocli.CommandLine;

/**
 * {@code evaluate}, {@code predict} and {@code report}: a model and the digits it scores, {@code --data PATH} with
 * the input's {@code --format} and {@code --on-bad-row}.
 */
abstract class ScoringCommand extends ModelCommand {

    @CommandLine.Option(names = "--data", paramLabel = "PATH", description = "the digits to score: a file, directory or "
            + "glob on any Hadoop file system, in any format (labelled for evaluate and report)")
    String data;

    @Override
    void declareOptions(CommandLine.Model.CommandSpec spec) {
        SharedOptions.mixin(spec, "input", SharedOptions.INPUT);
    }

    /** {@code --data}, or a usage error. */
    String dataPath() {
        return need(data, "--data", "PATH");
    }
}
