package org.sparkdigits.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.sparkdigits.core.Evaluation;

/** report.html: a model's figures on some data, with its charts, metrics.json and model.json. */
public final class ReportPage {

    private ReportPage() {
    }

    /**
     * The page's lines.
     *
     * @param dir       the model directory (shown)
     * @param network   the network in words ("784-10-10 relu")
     * @param data      the data evaluated (shown)
     * @param metrics   metrics.json's text
     * @param modelJson model.json's text
     */
    public static List<String> html(String dir, String name, String network, String data, Evaluation e, String metrics,
                                    String modelJson) {
        List<String> h = new ArrayList<>();
        h.add("<!DOCTYPE html>");
        h.add("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>spark-digits report: " + esc(name) + "</title>");
        h.add("<style>body{font-family:sans-serif;margin:2em;max-width:1800px}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}img{max-width:100%;border:1px solid #eee}"
                + "pre{background:#f6f6f6;padding:8px}</style></head><body>");
        h.add("<h1>spark-digits report</h1>");
        h.add("<p>Model <code>" + esc(dir) + "</code>: " + esc(network) + " network. Evaluated on <code>" + esc(data)
                + "</code>.</p>");
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
        h.add("<h3>Metrics at the end of training (metrics.json)</h3><pre>" + esc(metrics.strip()) + "</pre>");
        h.add("<h3>The model (model.json)</h3><pre>" + esc(modelJson.strip()) + "</pre>");
        h.add("</body></html>");
        return h;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
