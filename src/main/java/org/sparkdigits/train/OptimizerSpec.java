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

    public OptimizerSpec {
        Check.in("--momentum", momentum, 0, true, 1, false);
        Check.in("--beta1", beta1, 0, true, 1, false);
        Check.in("--beta2", beta2, 0, true, 1, false);
        Check.in("--eps", eps, 0, false, 1, true);
        Check.in("--ema", ema, 0, true, 1, false);
        if (ema > 0 && kind.fullBatchOnly()) {
            throw new IllegalArgumentException("--ema averages the steps of sgd, momentum, nesterov, adam and adamw; "
                    + "--optimizer " + kind.id() + " keeps its own line-search iterates: drop --ema");
        }
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
