package org.sparkdigits.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.data.InputFiles;
import org.sparkdigits.model.Model;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.io.Outputs;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.spark.DigitLoader;
import org.sparkdigits.spark.LoadedData;
import org.sparkdigits.spark.Predictions;

/**
 * {@code predict}: writes {@code ImageId,Label} rows, ImageId from 1 in input order (the Kaggle Digit
 * Recognizer submission layout). The input may have a label column or not.
 */
final class PredictCommand {

    private PredictCommand() {
    }

    /** Everything that can be checked before Spark starts: the model, the data's files, the output against both. */
    static void check(Args a, Configuration conf) {
        ModelStore.read(a.required(Opt.MODEL), conf);
        String data = a.required(Opt.DATA);
        if (!a.given(Opt.OUT)) {
            throw new UsageException("predict needs --out FILE (the ImageId,Label CSV to write)");
        }
        Outputs.file("--out", a.required(Opt.OUT), conf, InputFiles.allPaths(data, conf, "data"), a.required(Opt.MODEL));
    }

    static int run(Args a, SparkSession spark, PrintStream out) {
        Model model = ModelStore.read(a.required(Opt.MODEL), spark.sparkContext().hadoopConfiguration());
        Path target = Path.of(a.required(Opt.OUT));
        LoadedData loaded = new DigitLoader(spark, EvaluateCommand.onBadRow(a), StorageLevel.MEMORY_AND_DISK())
                .loadInOrder(InputFiles.resolve(a.required(Opt.DATA), spark.sparkContext().hadoopConfiguration(), "data",
                        EvaluateCommand.format(a)), "data");
        Predictions.Result r = Predictions.inInputOrder(loaded, model.parameters(), model.activation());
        loaded.unpersist();
        byte[] p = r.predicted();
        AtomicFiles.writeLines(target, new AbstractList<String>() {
            @Override
            public String get(int i) {
                return i == 0 ? "ImageId,Label" : i + "," + p[i - 1];
            }

            @Override
            public int size() {
                return p.length + 1;
            }
        });
        out.printf(Locale.ROOT, "wrote %d predictions to %s%n", p.length, target);
        if (r.labels() != null) {
            out.printf(Locale.ROOT, "the input has labels: accuracy %.4f%n", r.accuracy());
        }
        return 0;
    }
}
