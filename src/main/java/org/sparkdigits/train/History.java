package org.sparkdigits.train;

import java.util.ArrayList;
import java.util.List;

import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.report.HistoryRow;

/**
 * The rows of history.csv as a run makes them: the loss, correct count and rows of the steps since the previous row
 * are summed as the steps come ({@link #record}), and a {@link #row} turns them into means.
 */
public final class History {

    private final List<HistoryRow> rows = new ArrayList<>();
    private double pendingLoss;
    private long pendingRows;
    private long pendingCorrect;

    /** Adds a step's summed loss, rows and correct predictions. */
    public void record(double loss, long count, long correct) {
        pendingLoss += loss;
        pendingRows += count;
        pendingCorrect += correct;
    }

    /** Replaces what is pending by one evaluation's sums (a line search reports each of its evaluations). */
    public void replacePending(double loss, long count, long correct) {
        pendingLoss = loss;
        pendingRows = count;
        pendingCorrect = correct;
    }

    /** Forgets what is pending. */
    public void clearPending() {
        replacePending(0, 0, 0);
    }

    /** The mean loss of the steps since the previous row (0 if none). */
    public double pendingLoss() {
        return pendingLoss / Math.max(1, pendingRows);
    }

    /** Their accuracy (0 if none). */
    public double pendingAccuracy() {
        return (double) pendingCorrect / Math.max(1, pendingRows);
    }

    /**
     * Adds a row for {@code step} with the pending means and the evaluations (either may be {@code null}), and starts
     * a new period.
     */
    public HistoryRow row(long step, double epoch, Evaluation validation, Evaluation test, long elapsedMs) {
        double loss = pendingRows == 0 ? Double.NaN : pendingLoss / pendingRows;
        double acc = pendingRows == 0 ? Double.NaN : (double) pendingCorrect / pendingRows;
        clearPending();
        HistoryRow r = new HistoryRow(step, epoch, loss, acc, validation == null ? Double.NaN : validation.meanLoss(),
                validation == null ? Double.NaN : validation.accuracy(), test == null ? Double.NaN : test.meanLoss(),
                test == null ? Double.NaN : test.accuracy(), elapsedMs);
        rows.add(r);
        return r;
    }

    public List<HistoryRow> rows() {
        return List.copyOf(rows);
    }

    /** The step of the last row, or 0. */
    public long lastStep() {
        return rows.isEmpty() ? 0 : rows.get(rows.size() - 1).step();
    }

    /** The numbers of a row as {@link #flatten} writes them. */
    public static final int FIELDS = 9;

    /**
     * The rows as a checkpoint holds them: {@value #FIELDS} numbers a row (step, epoch, loss, training accuracy,
     * validation loss and accuracy, test loss and accuracy, elapsed milliseconds), one row after the other.
     */
    public double[] flatten() {
        double[] h = new double[rows.size() * FIELDS];
        for (int r = 0; r < rows.size(); r++) {
            HistoryRow x = rows.get(r);
            double[] row = {x.step(), x.epoch(), x.loss(), x.trainAccuracy(), x.valLoss(), x.valAccuracy(), x.testLoss(),
                    x.testAccuracy(), x.elapsedMs()};
            System.arraycopy(row, 0, h, r * FIELDS, FIELDS);
        }
        return h;
    }

    /** The state {@link #flatten} and the pending sums describe, as a checkpoint restores it. */
    public void restore(double[] h, double loss, long count, long correct) {
        rows.clear();
        for (int r = 0; r + FIELDS <= h.length; r += FIELDS) {
            rows.add(new HistoryRow((long) h[r], h[r + 1], h[r + 2], h[r + 3], h[r + 4], h[r + 5], h[r + 6], h[r + 7],
                    (long) h[r + 8]));
        }
        replacePending(loss, count, correct);
    }

    /** The summed loss of the rows since the last history row (not yet divided), for a checkpoint. */
    public double rawPendingLoss() {
        return pendingLoss;
    }

    /** The rows since the last history row, for a checkpoint. */
    public long pendingRows() {
        return pendingRows;
    }

    /** The correct predictions among them, for a checkpoint. */
    public long pendingCorrect() {
        return pendingCorrect;
    }
}
