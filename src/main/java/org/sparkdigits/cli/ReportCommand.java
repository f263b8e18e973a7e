package org.sparkdigits.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.core.Evaluation;
import org.sparkdigits.io.InputException;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFiles;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.report.Charts;
import org.sparkdigits.spark.DigitLoader;
import org.sparkdigits.spark.DistributedNetwork;
import org.sparkdigits.spark.Gallery;
import org.sparkdigits.spark.LoadedData;

/**
 * {@code report}: redraws a model directory's charts (loss and accuracy from its history.csv; confusion and
 * samples on {@code --data}) and writes report.html beside them. Each file is replaced atomically.
 */
final class ReportCommand {

    static final String HTML = ModelStore.REPORT_HTML;

    private ReportCommand() {
    }

    static int run(Args a, SparkSession spark, PrintStream out) {
        String dir = a.required(Opt.MODEL);
        org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
        Model model = ModelStore.read(dir, conf);
        List<String> history = ModelStore.readText(dir, ModelStore.HISTORY_CSV, conf).lines().toList();
        String data = a.required(Opt.DATA);
        List<InputFile> files = InputFiles.resolve(data, spark.sparkContext().hadoopConfiguration(), "data", EvaluateCommand.format(a));
        if (!files.get(0).labelled()) {
            throw new InputException("data: " + files.get(0).path() + " has no label column: report needs labels");
        }
        LoadedData loaded = new DigitLoader(spark, EvaluateCommand.onBadRow(a), StorageLevel.MEMORY_AND_DISK())
                .loadInOrder(files, "data");
        Evaluation e = DistributedNetwork.evaluate(loaded.blocks(), model.parameters(), model.activation());
        Map<String, byte[]> charts = Report.charts(history, !"full".equals(String.valueOf(model.training().get("batch"))),
                e, new org.apache.hadoop.fs.Path(data).getName(), Gallery.pick(loaded.blocks(), model.parameters(),
                        model.activation(), Report.SAMPLES));
        loaded.unpersist();
        charts.forEach((name, png) -> ModelStore.replaceFile(dir, name, png, conf));
        List<String> page = html(dir, model, data, e, ModelStore.readText(dir, ModelStore.METRICS_JSON, conf),
                ModelStore.readText(dir, ModelStore.MODEL_JSON, conf));
        ModelStore.replaceFile(dir, HTML, (String.join("\n", page) + "\n").getBytes(StandardCharsets.UTF_8), conf);
        Console.printEvaluation(out, data, e);
        out.println("report written to " + new org.apache.hadoop.fs.Path(dir, HTML) + " (with " + String.join(", ", charts.keySet()) + ")");
        return 0;
    }

    private static List<String> html(String dir, Model model, String data, Evaluation e, String trainingMetrics,
                                     String modelJson) {
        List<String> h = new ArrayList<>();
        h.add("<!DOCTYPE html>");
        h.add("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>spark-digits report: " + esc(new org.apache.hadoop.fs.Path(dir).getName())
                + "</title>");
        h.add("<style>body{font-family:sans-serif;margin:2em;max-width:1800px}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}img{max-width:100%;border:1px solid #eee}"
                + "pre{background:#f6f6f6;padding:8px}</style></head><body>");
        h.add("<h1>spark-digits report</h1>");
        h.add("<p>Model <code>" + esc(dir.toString()) + "</code>: " + esc(model.parameters().shape() + " "
                + model.activation().id()) + " network. Evaluated on <code>" + esc(data) + "</code>.</p>");
        h.add(String.format(Locale.ROOT, "<h2>On this data</h2><p><b>accuracy %.4f</b>, loss %.4f, %d rows</p>",
                e.accuracy(), e.meanLoss(), e.count()));
        h.add("<table><tr><th>class</th><th>precision</th><th>recall</th><th>rows</th></tr>");
        for (int c = 0; c < e.classes(); c++) {
            long rows = 0;
            for (int p = 0; p < e.classes(); p++) {
                rows += e.confusion(c, p);
            }
            h.add(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>", c, e.precision(c),
                    e.recall(c), rows));
        }
        h.add("</table>");
        h.add("<h2>Confusion matrix</h2><img src=\"" + Charts.CONFUSION + "\" alt=\"confusion matrix\">");
        h.add("<h2>Samples</h2><p>The most confidently wrong digits first (framed red), then correct ones; each with "
                + "the ten output probabilities.</p><img src=\"" + Charts.SAMPLES + "\" alt=\"samples\">");
        h.add("<h2>Training</h2><img src=\"" + Charts.LOSS + "\" alt=\"loss\"><img src=\"" + Charts.ACCURACY
                + "\" alt=\"accuracy\">");
        h.add("<h3>Metrics at the end of training (metrics.json)</h3><pre>" + esc(trainingMetrics.strip()) + "</pre>");
        h.add("<h3>The model (model.json)</h3><pre>" + esc(modelJson.strip()) + "</pre>");
        h.add("</body></html>");
        return h;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
