package org.sparkdigits.train;

import org.sparkdigits.core.loss.LabelSmoothing;

/**
 * What keeps the weights small, the units independent and the outputs from growing overconfident.
 *
 * @param l2             the L2 penalty (λ/2)·ΣW² on the weights, not the biases; with adamw decoupled weight decay; in
 *                       [0, inf) ({@code --l2})
 * @param dropout        the probability of dropping each hidden unit in a training step, in [0, 1) ({@code --dropout})
 * @param labelSmoothing training's cross-entropy against {@code (1 - ε)·one-hot + ε/10}, ε in [0, 1)
 *                       ({@code --label-smoothing}; see {@link LabelSmoothing})
 * @param distillation   the teachers whose softened probabilities the targets mix in ({@code --teacher}), or
 *                       {@link DistillationSpec#NONE}
 */
public record RegularizationSpec(double l2, double dropout, double labelSmoothing, DistillationSpec distillation) {

    public RegularizationSpec {
        Check.in("--l2", l2, 0, true, Double.POSITIVE_INFINITY, false);
        Check.in("--dropout", dropout, 0, true, 1, false);
        Check.in("--label-smoothing", labelSmoothing, 0, true, 1, false);
        java.util.Objects.requireNonNull(distillation, "distillation");
    }

    /** Without teachers. */
    public RegularizationSpec(double l2, double dropout, double labelSmoothing) {
        this(l2, dropout, labelSmoothing, DistillationSpec.NONE);
    }

    /** Without label smoothing. */
    public RegularizationSpec(double l2, double dropout) {
        this(l2, dropout, 0);
    }

    /** The targets of training's loss. */
    public LabelSmoothing smoothing() {
        return labelSmoothing == 0 ? LabelSmoothing.NONE : new LabelSmoothing(labelSmoothing);
    }
}
