package org.sparkdigits.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.sparkdigits.io.Echo;

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

    private static final String[] COLUMNS = HEADER.split(",");

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
                double[] v = new double[7];
                for (int c = 1; c <= 7; c++) {
                    v[c - 1] = value(f[c]);
                    if (Double.isInfinite(v[c - 1]) || (f[c].strip().equalsIgnoreCase("nan"))) {
                        throw new IllegalArgumentException(file + ":" + (n + 1) + ": " + COLUMNS[c] + " is "
                                + Echo.value(f[c]) + ", not a finite number (train writes finite values, or nothing where "
                                + "a value was not measured)");
                    }
                }
                rows.add(new HistoryRow(Long.parseLong(f[0]), v[0], v[1], v[2], v[3], v[4], v[5], v[6], Long.parseLong(f[8])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ":" + (n + 1) + ": not a history row (" + Echo.value(String.valueOf(
                        e.getMessage())) + ")");
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
