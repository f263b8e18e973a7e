package org.sparkdigits.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.sparkdigits.core.loss.Evaluation;

/**
 * report.html: a model's figures on some data, with its charts, and metrics.json and model.json as tables (numbers to
 * four significant digits; the files themselves linked).
 */
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
                + "td.k{text-align:left;font-family:monospace}th.group{text-align:left;background:#f3f3f3}"
                + "pre{background:#f6f6f6;padding:8px}</style></head><body>");
        h.add("<h1>spark-digits report: a " + esc(network) + " network</h1>");
        h.add("<p>The model in the directory <code>" + esc(dir) + "</code>, evaluated on <code>" + esc(data)
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
        h.add("<h3>Metrics at the end of training (<a href=\"metrics.json\">metrics.json</a>)</h3>");
        h.addAll(table(metrics));
        h.add("<h3>The model (<a href=\"model.json\">model.json</a>)</h3>");
        h.addAll(table(modelJson));
        h.add("</body></html>");
        return h;
    }

    /** A JSON object's fields as a table of names and values; a nested object as a group of rows under its name. */
    static List<String> table(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {   // not what we wrote: shown as it is
            return List.of("<pre>" + esc(json.strip()) + "</pre>");
        }
        List<String> rows = new ArrayList<>();
        rows.add("<table>");
        rows(root, "", rows);
        rows.add("</table>");
        return rows;
    }

    private static void rows(JsonNode object, String prefix, List<String> rows) {
        List<Map.Entry<String, JsonNode>> nested = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isObject()) {
                nested.add(f);
            } else {
                rows.add("<tr><td class=\"k\">" + esc(prefix + f.getKey()) + "</td><td>" + esc(value(f.getValue()))
                        + "</td></tr>");
            }
        }
        for (Map.Entry<String, JsonNode> f : nested) {
            rows.add("<tr><th class=\"group\" colspan=\"2\">" + esc(prefix + f.getKey()) + "</th></tr>");
            rows(f.getValue(), prefix + f.getKey() + ".", rows);
        }
    }

    private static String value(JsonNode v) {
        if (v.isNumber()) {
            return number(v.doubleValue());
        }
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(i -> items.add(value(i)));
            return String.join(", ", items);
        }
        return v.isNull() ? "-" : v.isTextual() ? v.asText() : v.toString();
    }

    /** {@code v} to four significant digits, a whole number as it is: 0.1487, 2.223, 518.9, 106566, 1.0E-8. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        BigDecimal r = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
        if (Math.abs(v) >= 1e4) {
            return String.valueOf(Math.round(v));
        }
        return Math.abs(v) < 1e-4 ? String.valueOf(r.doubleValue()) : r.toPlainString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
