package org.sparkdigits;

import java.util.Objects;

import org.sparkdigits.core.loss.Evaluation;

/**
 * How a model scores on labelled digits ({@link DigitModel#evaluate}): accuracy, mean cross-entropy, the 10 x 10
 * confusion matrix and each digit's precision and recall. A value: it does not change.
 */
public final class DigitScores {

    private final Evaluation sums;

    DigitScores(Evaluation sums) {
        this.sums = Objects.requireNonNull(sums, "sums");
    }

    /** The rows scored. */
    public long count() {
        return sums.count();
    }

    /** The rows whose predicted digit is their label. */
    public long correct() {
        return sums.correct();
    }

    /** {@code correct() / count()}; NaN for no rows. */
    public double accuracy() {
        return sums.accuracy();
    }

    /** The mean cross-entropy of the rows' labels under the model; NaN for no rows. */
    public double meanLoss() {
        return sums.meanLoss();
    }

    /** The rows of digit {@code label} predicted as {@code predicted} (each 0-9). */
    public long confusion(int label, int predicted) {
        return sums.confusion(label, predicted);
    }

    /** Of the rows predicted as {@code digit}, the fraction that are {@code digit}; NaN if none was predicted. */
    public double precision(int digit) {
        return sums.precision(digit);
    }

    /** Of the rows of {@code digit}, the fraction predicted as {@code digit}; NaN if there were none. */
    public double recall(int digit) {
        return sums.recall(digit);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "accuracy %.4f, mean loss %.4f on %d rows", accuracy(), meanLoss(),
                count());
    }
}
