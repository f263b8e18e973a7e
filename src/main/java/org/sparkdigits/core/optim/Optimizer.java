package org.sparkdigits.core.optim;

import org.sparkdigits.core.loss.Regularization;
import org.sparkdigits.core.network.Names;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.numbers.CoreRanges;

/**
 * A first-order update rule. Its state (velocity, moments) lives with it on the driver, next to the
 * weights. {@link #step} receives the MEAN gradient (the driver has divided the summed gradient once by
 * the global row count) and this step's learning rate (from the schedule).
 */
public interface Optimizer {

    /** Updates {@code theta} in place. */
    void step(double[] theta, double[] gradient, double learningRate);

    /**
     * One step for the elements in {@code ranges} only ({@code [from, to)} pairs, flat: {@code {from0, to0, from1,
     * to1, ...}}; the rest of {@code theta}, {@code gradient} and the state untouched): one step count, each element's
     * operations exactly those of {@link #step(double[], double[], double)}. For the collective engine's owners, each
     * updating its shard of the parameter vector with its shard of the state.
     */
    void step(double[] theta, double[] gradient, double learningRate, int[] ranges);

    /** The optimiser's state (for checkpoints): named arrays, counters as one-element arrays. Live, not copies. */
    default java.util.Map<String, double[]> state() {
        return java.util.Map.of();
    }

    /** Restores a {@link #state()} (for resuming): same names and lengths. */
    default void restore(java.util.Map<String, double[]> state) {
        for (java.util.Map.Entry<String, double[]> e : state().entrySet()) {
            double[] saved = state.get(e.getKey());
            if (saved == null || saved.length != e.getValue().length) {
                throw new IllegalArgumentException("optimiser state '" + e.getKey() + "' missing or of another length");
            }
            System.arraycopy(saved, 0, e.getValue(), 0, saved.length);
        }
    }

    /** The optimisers, by their command-line names. */
    enum Kind {
        SGD, MOMENTUM, NESTEROV, ADAM, ADAMW, LBFGS, CG;

        public static Kind parse(String name) {
            return Names.parse(values(), name, "optimizer");
        }

        public String id() {
            return Names.id(this);
        }

        /** Full-batch methods with their own line search ({@code lbfgs}, {@code cg}). */
        public boolean fullBatchOnly() {
            return this == LBFGS || this == CG;
        }
    }

    /**
     * What a first-order optimiser needs.
     *
     * @param weightDecay decoupled weight decay (adamw only; the --l2 value), applied to weights, not biases
     */
    record Settings(Kind kind, double momentum, double beta1, double beta2, double eps, double weightDecay) {
    }

    /** A new optimiser with zero state for a parameter vector of {@code shape}. */
    static Optimizer create(Settings s, NetworkShape shape) {
        int n = shape.parameterCount();
        return switch (s.kind()) {
            case SGD -> new Sgd();
            case MOMENTUM -> new Momentum(n, s.momentum(), false);
            case NESTEROV -> new Momentum(n, s.momentum(), true);
            case ADAM -> new Adam(n, s.beta1(), s.beta2(), s.eps(), 0.0, shape);
            case ADAMW -> new Adam(n, s.beta1(), s.beta2(), s.eps(), s.weightDecay(), shape);
            case LBFGS, CG -> throw new IllegalArgumentException(s.kind().id() + " is not a first-order step rule");
        };
    }

    /** {@code θ ← θ - lr g}. */
    final class Sgd implements Optimizer {
        @Override
        public void step(double[] theta, double[] gradient, double learningRate) {
            step(theta, gradient, learningRate, new int[] {0, theta.length});
        }

        @Override
        public void step(double[] theta, double[] gradient, double learningRate, int[] ranges) {
            for (int r = 0; r < ranges.length; r += 2) {
                for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                    theta[i] -= learningRate * gradient[i];
                }
            }
        }
    }

    /**
     * Heavy-ball momentum {@code v ← μv + g; θ ← θ - lr v}, or Nesterov's {@code θ ← θ - lr (g + μv)}
     * (the conventions of PyTorch's SGD).
     */
    final class Momentum implements Optimizer {
        private final double[] velocity;
        private final double mu;
        private final boolean nesterov;

        Momentum(int n, double mu, boolean nesterov) {
            this.velocity = new double[n];
            this.mu = mu;
            this.nesterov = nesterov;
        }

        @Override
        public void step(double[] theta, double[] gradient, double learningRate) {
            step(theta, gradient, learningRate, new int[] {0, theta.length});
        }

        @Override
        public void step(double[] theta, double[] gradient, double learningRate, int[] ranges) {
            for (int r = 0; r < ranges.length; r += 2) {
                for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                    velocity[i] = mu * velocity[i] + gradient[i];
                    theta[i] -= learningRate * (nesterov ? gradient[i] + mu * velocity[i] : velocity[i]);
                }
            }
        }

        double[] velocity() {
            return velocity;
        }

        @Override
        public java.util.Map<String, double[]> state() {
            return java.util.Map.of("velocity", velocity);
        }
    }

    /**
     * Adam (Kingma and Ba) with bias correction; with a weight decay, AdamW (Loshchilov and Hutter): the
     * weights (not the biases) first shrink by {@code lr λ θ}, outside the adaptive update.
     */
    final class Adam implements Optimizer {
        private final double[] m;
        private final double[] v;
        private final double beta1;
        private final double beta2;
        private final double eps;
        private final double decay;
        private final NetworkShape shape;
        private long t;

        @Override
        public java.util.Map<String, double[]> state() {
            return java.util.Map.of("m", m, "v", v, "t", new double[] {t});
        }

        @Override
        public void restore(java.util.Map<String, double[]> state) {
            double[] saved = state.get("t");
            if (saved == null || saved.length != 1 || state.get("m") == null || state.get("v") == null
                    || state.get("m").length != m.length || state.get("v").length != v.length) {
                throw new IllegalArgumentException("adam state missing or of another length");
            }
            System.arraycopy(state.get("m"), 0, m, 0, m.length);
            System.arraycopy(state.get("v"), 0, v, 0, v.length);
            t = (long) saved[0];
        }

        Adam(int n, double beta1, double beta2, double eps, double decay, NetworkShape shape) {
            this.m = new double[n];
            this.v = new double[n];
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.decay = decay;
            this.shape = shape;
        }

        @Override
        public void step(double[] theta, double[] gradient, double learningRate) {
            t++;
            double shrink = 1.0 - learningRate * decay;
            double c1 = 1.0 - Math.pow(beta1, t);
            double c2 = 1.0 - Math.pow(beta2, t);
            // elementwise, so in ranges on the driver's cores: each element's operations are those of one loop
            CoreRanges.forEach(theta.length, CoreRanges.ELEMENTS, 8,
                    (from, to) -> update(theta, gradient, learningRate, shrink, c1, c2, from, to));
        }

        @Override
        public void step(double[] theta, double[] gradient, double learningRate, int[] ranges) {
            t++;
            double shrink = 1.0 - learningRate * decay;
            double c1 = 1.0 - Math.pow(beta1, t);
            double c2 = 1.0 - Math.pow(beta2, t);
            for (int r = 0; r < ranges.length; r += 2) {
                update(theta, gradient, learningRate, shrink, c1, c2, ranges[r], ranges[r + 1]);
            }
        }

        private void update(double[] theta, double[] gradient, double learningRate, double shrink, double c1, double c2,
                            int from, int to) {
            if (decay > 0) {
                Regularization.scaleWeights(theta, shape, shrink, from, to);
            }
            for (int i = from; i < to; i++) {
                double g = gradient[i];
                m[i] = beta1 * m[i] + (1.0 - beta1) * g;
                v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
                theta[i] -= learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
            }
        }
    }
}
