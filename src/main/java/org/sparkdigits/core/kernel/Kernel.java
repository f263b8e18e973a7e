package org.sparkdigits.core.kernel;

import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.DistilledTargets;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.loss.Targets;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;

/**
 * What a task computes over its block with one parameter set: the summed gradient, an evaluation, or
 * predictions. Two implementations: {@link SparseKernel} (the default, fast) and {@link ReferenceKernel}
 * (plain ojAlgo products, the reference the tests compare the fast one with). Instances hold work
 * buffers and are not thread-safe: one per task.
 */
public interface Kernel {

    NetworkShape shape();

    Activation activation();

    /**
     * Adds the sums over rows {@code order[from..to)} of {@code block} (rows {@code from..to} when
     * {@code order} is null) into {@code sum}: the gradient of the summed cross-entropy, the summed
     * loss, the row count and the number of correct predictions.
     */
    default void accumulateGradient(DigitBlock block, int[] order, int from, int to, GradientSum sum) {
        accumulateGradient(block, order, from, to, sum, Dropout.NONE);
    }

    /**
     * The same sums for the network with {@code dropout}'s masks applied to the hidden layer (the loss and
     * correct count too are those of the dropped-out network).
     */
    default void accumulateGradient(DigitBlock block, int[] order, int from, int to, GradientSum sum, Dropout dropout) {
        accumulateGradient(block, order, from, to, sum, dropout, LabelSmoothing.NONE);
    }

    /**
     * The same sums with the cross-entropy taken against {@code targets} (the smoothed labels, or mixed with teachers'
     * probabilities: {@link DistilledTargets}, whose rows are this call's rows in order; the summed loss too is the
     * targets'; the correct count is not affected).
     */
    void accumulateGradient(DigitBlock block, int[] order, int from, int to, GradientSum sum, Dropout dropout,
                            Targets targets);

    /** Adds the sums over every row of {@code block} into {@code sum}. */
    default void accumulateGradient(DigitBlock block, GradientSum sum) {
        accumulateGradient(block, null, 0, block.rows(), sum);
    }

    /** Adds the confusion counts and loss of every row of {@code block} into {@code evaluation}. */
    void evaluate(DigitBlock block, Evaluation evaluation);

    /**
     * Predicts every row of {@code block}.
     *
     * @param predicted     out: the most probable class per row, length {@code rows}
     * @param probabilities out, or {@code null}: {@code [rows x classes]} row-major softmax outputs
     */
    void predict(DigitBlock block, byte[] predicted, double[] probabilities);
}
