package org.sparkdigits.train;

import org.sparkdigits.core.optim.Optimizer;

/**
 * The update rule.
 *
 * @param kind     sgd, momentum, nesterov, adam, adamw (first order) or lbfgs, cg (full batch) ({@code --optimizer})
 * @param momentum momentum and nesterov: the velocity's decay, in [0, 1) ({@code --momentum})
 * @param beta1    adam/adamw: decay of the first moment, in [0, 1) ({@code --beta1})
 * @param beta2    adam/adamw: decay of the second moment, in [0, 1) ({@code --beta2})
 * @param eps      adam/adamw: added to the root of the second moment, in (0, 1] ({@code --eps})
 * @param ema      the decay of the weights' moving average that evaluations and the saved model use, in [0, 1); 0: none
 *                 ({@code --ema}; see {@link org.sparkdigits.core.optim.WeightAverage})
 */
public record OptimizerSpec(Optimizer.Kind kind, double momentum, double beta1, double beta2, double eps, double ema) {

    /** {@code --optimizer}. */
    public static final Setting<OptimizerSpec> OPTIMIZER = Setting.<OptimizerSpec>of(
            "optimizer", "NAME", "sgd", Setting.Kind.CHOICE,
            "sgd|momentum|nesterov|adam|adamw (any batch) or lbfgs|cg (full batch)")
            .recorded(Setting.Recorded.RUN, o -> o.kind().id());

    /** {@code --momentum}. */
    public static final Setting<OptimizerSpec> MOMENTUM = Setting.<OptimizerSpec>of(
            "momentum", "MU", "0.9", Setting.Kind.NUMBER,
            "momentum and nesterov: the velocity's decay, in [0, 1)")
            .recorded(Setting.Recorded.RUN,
                    o -> o.kind() == Optimizer.Kind.MOMENTUM || o.kind() == Optimizer.Kind.NESTEROV ? o.momentum() : null)
            .in(0, true, 1, false);

    /** {@code --beta1}. */
    public static final Setting<OptimizerSpec> BETA1 = Setting.<OptimizerSpec>of(
            "beta1", "B1", "0.9", Setting.Kind.NUMBER,
            "adam/adamw: decay of the first moment, in [0, 1)")
            .recorded(Setting.Recorded.RUN, o -> adam(o) ? o.beta1() : null)
            .in(0, true, 1, false);

    /** {@code --beta2}. */
    public static final Setting<OptimizerSpec> BETA2 = Setting.<OptimizerSpec>of(
            "beta2", "B2", "0.999", Setting.Kind.NUMBER,
            "adam/adamw: decay of the second moment, in [0, 1)")
            .recorded(Setting.Recorded.RUN, o -> adam(o) ? o.beta2() : null)
            .in(0, true, 1, false);

    /** {@code --eps}. */
    public static final Setting<OptimizerSpec> EPS = Setting.<OptimizerSpec>of("eps", "E", "1e-8", Setting.Kind.NUMBER,
            "adam/adamw: added to the root of the second moment")
            .recorded(Setting.Recorded.RUN, o -> adam(o) ? o.eps() : null)
            .in(0, false, 1, true);

    /** {@code --ema}. */
    public static final Setting<OptimizerSpec> EMA = Setting.<OptimizerSpec>of("ema", "DECAY", "0", Setting.Kind.NUMBER,
            "keep an exponential moving average of the weights (Polyak averaging, decay min(DECAY, (1+t)/(10+t)) at "
            + "step t; e.g. 0.999): evaluations and the saved model use it; 0: off; not with lbfgs/cg")
            .recorded(Setting.Recorded.RUN, o -> o.ema())
            .in(0, true, 1, false);

    public OptimizerSpec {
        MOMENTUM.check(momentum);
        BETA1.check(beta1);
        BETA2.check(beta2);
        EPS.check(eps);
        EMA.check(ema);
        if (ema > 0 && kind.fullBatchOnly()) {
            throw new IllegalArgumentException(EMA.flag() + " averages the steps of sgd, momentum, nesterov, adam and adamw; "
                    + OPTIMIZER.flag() + " " + kind.id() + " keeps its own line-search iterates: drop " + EMA.flag());
        }
    }

    private static boolean adam(OptimizerSpec o) {
        return o.kind() == Optimizer.Kind.ADAM || o.kind() == Optimizer.Kind.ADAMW;
    }

    /** Without an average of the weights. */
    public OptimizerSpec(Optimizer.Kind kind, double momentum, double beta1, double beta2, double eps) {
        this(kind, momentum, beta1, beta2, eps, 0);
    }

    /** Whether evaluations and the result use the weights' moving average. */
    public boolean averaged() {
        return ema > 0;
    }

    /** The core's settings, with {@code weightDecay} (adamw's decoupled decay: the l2 value). */
    public Optimizer.Settings settings(double weightDecay) {
        return new Optimizer.Settings(kind, momentum, beta1, beta2, eps, weightDecay);
    }
}
