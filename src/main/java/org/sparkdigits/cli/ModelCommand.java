package org.sparkdigits.cli;

import picocli.CommandLine;

/** A command on a model directory ({@code --model DIR}): {@code export}, and the {@link ScoringCommand}s. */
abstract class ModelCommand extends CliCommand {

    @CommandLine.Mixin
    SharedOptions.ModelDir model = new SharedOptions.ModelDir();

    /** {@code --model}, or a usage error. */
    String modelDir() {
        return need(model.model, "--model", "DIR");
    }
}
