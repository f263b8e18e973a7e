package org.sparkdigits.core;

import java.io.Serializable;

/**
 * Sums over a set of rows, as a partition sends them to the driver: the summed gradient of the
 * cross-entropy loss (flat, laid out like {@link Parameters}), the summed loss, the row count and the
 * count of correct predictions. Nothing is averaged here: the driver divides once by the global count.
 *
 * <p>Mutable on purpose: it is the accumulator of an aggregation.
 */
public final class GradientSum implements Serializable {

    private final double[] gradient;
    private double loss;
    private long count;
    private long correct;

    /** A zero sum for {@code shape}. */
    public GradientSum(NetworkShape shape) {
        this.gradient = new double[shape.parameterCount()];
    }

    /** The summed gradient (not a copy), length {@code shape.parameterCount()}. */
    public double[] gradient() {
        return gradient;
    }

    public double loss() {
        return loss;
    }

    public long count() {
        return count;
    }

    public long correct() {
        return correct;
    }

    void addRows(double lossSum, long rows, long rightOnes) {
        loss += lossSum;
        count += rows;
        correct += rightOnes;
    }

    /** Adds {@code other} into this sum (in place) and returns this. */
    public GradientSum add(GradientSum other) {
        if (other.gradient.length != gradient.length) {
            throw new IllegalArgumentException("gradient lengths differ: " + gradient.length + " vs " + other.gradient.length);
        }
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] += other.gradient[i];
        }
        loss += other.loss;
        count += other.count;
        correct += other.correct;
        return this;
    }

    /** Mean loss over the rows summed; NaN when empty. */
    public double meanLoss() {
        return count == 0 ? Double.NaN : loss / count;
    }

    /** Fraction of rows predicted correctly; NaN when empty. */
    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    /** The mean gradient {@code gradient / count} as a new array. */
    public double[] meanGradient() {
        if (count == 0) {
            throw new IllegalStateException("no rows were summed");
        }
        double[] mean = new double[gradient.length];
        double inv = 1.0 / count;
        for (int i = 0; i < mean.length; i++) {
            mean[i] = gradient[i] * inv;
        }
        return mean;
    }
}
