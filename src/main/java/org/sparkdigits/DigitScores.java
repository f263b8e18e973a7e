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

    /** {@return the rows scored} */
    public long count() {
        return sums.count();
    }

    /** {@return the rows whose predicted digit is their label} */
    public long correct() {
        return sums.correct();
    }

    /** {@return {@code correct() / count()}; NaN for no rows} */
    public double accuracy() {
        return sums.accuracy();
    }

    /** {@return the mean cross-entropy of the rows' labels under the model; NaN for no rows} */
    public double meanLoss() {
        return sums.meanLoss();
    }

    /**
     * {@return the rows of digit {@code label} predicted as {@code predicted}}
     *
     * @param label     the true digit, 0-9
     * @param predicted the predicted digit, 0-9
     */
    public long confusion(int label, int predicted) {
        return sums.confusion(label, predicted);
    }

    /**
     * {@return of the rows predicted as {@code digit}, the fraction that are {@code digit}; NaN if none was predicted}
     *
     * @param digit 0-9
     */
    public double precision(int digit) {
        return sums.precision(digit);
    }

    /**
     * {@return of the rows of {@code digit}, the fraction predicted as {@code digit}; NaN if there were none}
     *
     * @param digit 0-9
     */
    public double recall(int digit) {
        return sums.recall(digit);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "accuracy %.4f, mean loss %.4f on %d rows", accuracy(), meanLoss(),
                count());
    }
}
