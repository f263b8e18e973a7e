package org.sparkdigits.core.loss;

import org.sparkdigits.core.network.NetworkShape;

/**
 * L2 regularisation of the weights W1 and W2 (never the biases): the penalty {@code λ/2 Σ W²} and its
 * gradient {@code λ W}. Applied to the mean gradient on the driver, once per step.
 */
public final class Regularization {

    private Regularization() {
    }

    /** Adds {@code λ W} to the weight entries of {@code gradient}; returns the penalty {@code λ/2 Σ W²}. */
    public static double addL2(double[] theta, double[] gradient, NetworkShape shape, double lambda) {
        if (lambda == 0) {
            return 0;
        }
        double squares = 0;
        for (int[] r : weightRanges(shape)) {
            for (int i = r[0]; i < r[1]; i++) {
                gradient[i] += lambda * theta[i];
                squares += theta[i] * theta[i];
            }
        }
        return 0.5 * lambda * squares;
    }

    /**
     * {@link #addL2} for the elements in {@code ranges} only ({@code {from0, to0, ...}}): {@code gradient[i] += λ θ[i]}
     * for the weights among them, the same operation per element. For the collective engine's owners.
     */
    public static void addL2(double[] theta, double[] gradient, NetworkShape shape, double lambda, int[] ranges) {
        if (lambda == 0) {
            return;
        }
        for (int[] w : weightRanges(shape)) {
            for (int r = 0; r < ranges.length; r += 2) {
                for (int i = Math.max(w[0], ranges[r]); i < Math.min(w[1], ranges[r + 1]); i++) {
                    gradient[i] += lambda * theta[i];
                }
            }
        }
    }

    /** Multiplies the weights (not the biases) by {@code factor}. */
    public static void scaleWeights(double[] theta, NetworkShape shape, double factor) {
        scaleWeights(theta, shape, factor, 0, theta.length);
    }

    /** {@link #scaleWeights(double[], NetworkShape, double)} for the elements in {@code [from, to)} only. */
    public static void scaleWeights(double[] theta, NetworkShape shape, double factor, int from, int to) {
        for (int[] r : weightRanges(shape)) {
            for (int i = Math.max(r[0], from); i < Math.min(r[1], to); i++) {
                theta[i] *= factor;
            }
        }
    }

    /** {@code [from, to)} of W1 and of W2 in the flat layout. */
    static int[][] weightRanges(NetworkShape s) {
        return new int[][] {{s.w1Offset(), s.b1Offset()}, {s.w2Offset(), s.b2Offset()}};
    }
}
