package org.sparkdigits.core.loss;

/**
 * The targets of training's cross-entropy, row by row: what every kernel turns its logits into a loss and an output
 * delta with. Two kinds: {@link LabelSmoothing} (the one-hot labels, or smoothed; the same for every row) and
 * {@link DistilledTargets} (mixed with teachers' softened probabilities, which differ per row). Per row, a kernel calls
 * {@link #softmaxLoss} and then {@link #subtractTargets} on the same logits, in that order. Pure Java, no Spark.
 */
public interface Targets {

    /**
     * Turns the logits {@code z[base, base + k)} of a row of class {@code y} into its probabilities in place and returns
     * the row's loss.
     *
     * @param position the row's place among the rows of the kernel's call ({@code 0} for its first row)
     */
    double softmaxLoss(double[] z, int base, int k, int y, int position);

    /**
     * Turns the probabilities {@code z[base, base + k)} that {@link #softmaxLoss} left into the row's output delta
     * {@code dz = d loss / d z}.
     */
    void subtractTargets(double[] z, int base, int k, int y, int position);
}
