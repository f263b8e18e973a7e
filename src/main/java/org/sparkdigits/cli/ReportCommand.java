package org.sparkdigits.cli;

import org.sparkdigits.model.ModelStore;
import org.sparkdigits.spark.ModelReport;
import org.sparkdigits.train.DataSpec;

import picocli.CommandLine;

/**
 * {@code report}: redraws a model directory's charts (loss and accuracy from its history; confusion and samples on
 * {@code --data}) and writes report.html beside them.
 */
@CommandLine.Command(name = "report", description = "redraw a model's loss, accuracy, confusion and samples charts on "
        + "labelled data and write report.html")
final class ReportCommand extends ScoringCommand {

    @Override
    public Integer call() {
        String dir = modelDir();
        String path = dataPath();
        DataSpec input = settings().data();
        ModelReport.Written w = ModelReport.write(Main.spark(), dir, path, input.format(), input.onBadRow());
        Console.printEvaluation(out, path, w.evaluation());
        out.println("report written to " + new org.apache.hadoop.fs.Path(dir, ModelStore.REPORT_HTML)
                + " (with " + String.join(", ", w.files()) + ")");
        return Main.OK;
    }
}
