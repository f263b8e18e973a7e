package org.sparkdigits.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One row of a run's history (history.csv). {@code loss} and {@code trainAccuracy} are over the rows of the steps
 * since the previous row (full batch: of the weights before that step's update); NaN where not measured.
 *
 * @param step      the step (iteration) after which the row was taken
 * @param epoch     the epoch, fractional within one (full batch: the iteration)
 * @param elapsedMs training wall time so far
 */
public record HistoryRow(long step, double epoch, double loss, double trainAccuracy, double valLoss,
                         double valAccuracy, double testLoss, double testAccuracy, long elapsedMs) {

    /** The header of history.csv. */
    public static final String HEADER =
            "iteration,epoch,loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,elapsed_ms";

    /** This row as a line of history.csv (6 decimals; an empty cell where not measured). */
    public String csv() {
        return String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s,%s,%s,%d", step, num(epoch), num(loss), num(trainAccuracy),
                num(valLoss), num(valAccuracy), num(testLoss), num(testAccuracy), elapsedMs);
    }

    /** history.csv's lines: the header, then a line per row. */
    public static List<String> csv(List<HistoryRow> rows) {
        List<String> out = new ArrayList<>(rows.size() + 1);
        out.add(HEADER);
        rows.forEach(r -> out.add(r.csv()));
        return out;
    }

    /**
     * The rows of history.csv's lines (header first).
     *
     * @param file the file's name, for messages
     * @throws IllegalArgumentException naming the line that does not parse
     */
    public static List<HistoryRow> parse(List<String> lines, String file) {
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
            throw new IllegalArgumentException(file + ": not a history.csv (its first line is not " + HEADER + ")");
        }
        List<HistoryRow> rows = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            try {
                if (f.length != 9) {
                    throw new NumberFormatException(f.length + " fields");
                }
                rows.add(new HistoryRow(Long.parseLong(f[0]), value(f[1]), value(f[2]), value(f[3]), value(f[4]),
                        value(f[5]), value(f[6]), value(f[7]), Long.parseLong(f[8])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ":" + (n + 1) + ": not a history row (" + e.getMessage() + ")");
            }
        }
        return rows;
    }

    private static double value(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
