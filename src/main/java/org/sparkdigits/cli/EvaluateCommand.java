package org.sparkdigits.cli;

import java.io.PrintStream;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.core.Evaluation;
import org.sparkdigits.io.InputException;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFiles;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.spark.DigitLoader;
import org.sparkdigits.spark.DistributedNetwork;
import org.sparkdigits.spark.LoadedData;
import org.sparkdigits.spark.OnBadRow;

/** {@code evaluate}: accuracy, loss, confusion matrix, per-class precision and recall. */
final class EvaluateCommand {

    private EvaluateCommand() {
    }

    static int run(Args a, SparkSession spark, PrintStream out) {
        Model model = ModelStore.read(a.required(Opt.MODEL), spark.sparkContext().hadoopConfiguration());
        String data = a.required(Opt.DATA);
        java.util.List<InputFile> files = InputFiles.resolve(data, spark.sparkContext().hadoopConfiguration(), "data", format(a));
        if (!files.get(0).labelled()) {
            throw new InputException("data: " + files.get(0).path() + " has no label column: evaluate needs labels (use predict)");
        }
        LoadedData loaded = new DigitLoader(spark, onBadRow(a), StorageLevel.MEMORY_AND_DISK()).loadInOrder(files, "data");
        Evaluation e = DistributedNetwork.evaluate(loaded.blocks(), model.parameters(), model.activation());
        loaded.unpersist();
        Console.printEvaluation(out, data, e);
        return 0;
    }

    /** {@code --format}: the input's format, {@code null} to detect it. */
    static org.sparkdigits.data.InputFormat format(Args a) {
        try {
            return org.sparkdigits.data.InputFormat.parse(a.required(Opt.FORMAT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static OnBadRow onBadRow(Args a) {
        try {
            return OnBadRow.parse(a.required(Opt.ON_BAD_ROW));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
