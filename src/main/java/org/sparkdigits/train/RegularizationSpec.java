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

    /** {@code --l2}. */
    public static final Setting<RegularizationSpec> L2 = Setting.<RegularizationSpec>of(
            "l2", "LAMBDA", "0", Setting.Kind.NUMBER,
            "L2 penalty (lambda/2)|W|^2 on the weights, not the biases; adamw: decoupled weight decay")
            .recorded(Setting.Recorded.RUN, r -> r.l2())
            .in(0, true, Double.POSITIVE_INFINITY, false);

    /** {@code --dropout}. */
    public static final Setting<RegularizationSpec> DROPOUT = Setting.<RegularizationSpec>of(
            "dropout", "P", "0", Setting.Kind.NUMBER,
            "drop each hidden unit with probability P in every training step (inverted dropout; not with lbfgs/cg); "
            + "gradcheck: check the network with one step's masks")
            .recorded(Setting.Recorded.RUN, r -> r.dropout())
            .in(0, true, 1, false);

    /** {@code --label-smoothing}. */
    public static final Setting<RegularizationSpec> LABEL_SMOOTHING = Setting.<RegularizationSpec>of(
            "label-smoothing", "EPS", "0", Setting.Kind.NUMBER,
            "train against (1-EPS)*one-hot + EPS/10 instead of the one-hot labels (the reported training loss is the "
            + "smoothed one; evaluations use the plain one)")
            .recorded(Setting.Recorded.RUN, r -> r.labelSmoothing())
            .in(0, true, 1, false);

    public RegularizationSpec {
        L2.check(l2);
        DROPOUT.check(dropout);
        LABEL_SMOOTHING.check(labelSmoothing);
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
