package org.sparkdigits.core;

/**
 * Plain gradient descent, as the notebooks did: {@code θ <- θ - lr * (gradientSum / count)}. The
 * gradient arrives summed over all rows; it is divided exactly once, here, by the global row count.
 */
public final class GradientDescent {

    private final double learningRate;

    public GradientDescent(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    public double learningRate() {
        return learningRate;
    }

    /** Updates {@code parameters} in place from the summed gradient {@code sum}. */
    public void step(Parameters parameters, GradientSum sum) {
        if (sum.count() == 0) {
            throw new IllegalStateException("no rows were summed");
        }
        double[] theta = parameters.values();
        double[] g = sum.gradient();
        double scale = learningRate / sum.count();
        for (int i = 0; i < theta.length; i++) {
            theta[i] -= scale * g[i];
        }
    }
}
