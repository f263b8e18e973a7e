package org.sparkdigits.cli;

import org.sparkdigits.DigitModel;
import org.sparkdigits.TrainOption;
import org.sparkdigits.core.loss.Evaluation;

import picocli.CommandLine;

/** {@code evaluate}: accuracy, loss, confusion matrix, per-class precision and recall of a model on labelled data. */
@CommandLine.Command(name = "evaluate", description = "accuracy, loss, confusion matrix, per-class precision and recall of a "
        + "model on labelled data")
final class EvaluateCommand extends ScoringCommand {

    @Override
    void check() {
        settings();
    }

    @Override
    public Integer call() {
        settings();   // --format and --on-bad-row checked before Spark starts
        DigitModel m = DigitModel.load(modelDir(), Main.hadoopConf());
        Evaluation e = org.sparkdigits.spark.Scoring.evaluate(Main.spark(), dataPath(),
                org.sparkdigits.data.InputFormat.parse(value(TrainOption.FORMAT)),
                org.sparkdigits.data.OnBadRow.parse(value(TrainOption.ON_BAD_ROW)), m.model());
        Console.printEvaluation(out, data, e);
        return Main.OK;
    }
}
