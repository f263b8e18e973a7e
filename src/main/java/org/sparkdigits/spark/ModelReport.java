package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.spark.load.DigitLoader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.io.InputException;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.report.Charts;
import org.sparkdigits.report.HistoryRow;
import org.sparkdigits.report.ReportPage;

/**
 * {@code report}: redraws a model directory's charts (loss and accuracy from its history; confusion and samples on
 * labelled data) and writes report.html beside them, each file replaced atomically; refused (before any of it) for a
 * directory that is, or is inside, a teacher's directory that the model's model.json records.
 */
public final class ModelReport {

    private ModelReport() {
    }

    /**
     * @return the evaluation on {@code data}, and the charts written (by name)
     */
    public record Written(Evaluation evaluation, List<String> files) {
    }

    public static Written write(SparkSession spark, String dir, String data, InputFormat format, OnBadRow onBadRow) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Model model = ModelStore.read(dir, conf);
        // the charts and report.html go into dir: never into a teacher's directory (a student written over its teacher)
        org.sparkdigits.io.Outputs.apartFromTeachers("--model", dir, conf, Teachers.recorded(model.training()), false);
        List<HistoryRow> history;
        try {
            history = HistoryRow.parse(ModelStore.readText(dir, ModelStore.HISTORY_CSV, conf).lines().toList(),
                    dir + "/" + ModelStore.HISTORY_CSV);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        List<InputFile> files = InputFiles.resolve(data, conf, "data", format);
        if (!files.get(0).labelled()) {
            throw new InputException("data: " + files.get(0).path() + " has no label column: report needs labels");
        }
        LoadedData loaded = new DigitLoader(spark, onBadRow, StorageLevel.MEMORY_AND_DISK()).loadInOrder(files, "data");
        Map<String, byte[]> charts;
        Evaluation e;
        try {
            e = SparkPasses.evaluate(loaded.blocks(), model.parameters(), model.activation());
            charts = Charts.all(history, !(model.training().get("batch-size") instanceof Number b && b.intValue() == 0), e,
                    new org.apache.hadoop.fs.Path(data).getName(),
                    Gallery.pick(loaded.blocks(), model.parameters(), model.activation(), TrainingRun.SAMPLES));
        } finally {
            loaded.unpersist();
        }
        charts.forEach((name, png) -> ModelStore.replaceFile(dir, name, png, conf));
        List<String> page = ReportPage.html(dir, new org.apache.hadoop.fs.Path(dir).getName(),
                model.parameters().shape() + " " + model.activation().id(), data, e,
                ModelStore.readText(dir, ModelStore.METRICS_JSON, conf), ModelStore.readText(dir, ModelStore.MODEL_JSON, conf));
        ModelStore.replaceFile(dir, ModelStore.REPORT_HTML, (String.join("\n", page) + "\n").getBytes(StandardCharsets.UTF_8),
                conf);
        return new Written(e, List.copyOf(charts.keySet()));
    }
}
