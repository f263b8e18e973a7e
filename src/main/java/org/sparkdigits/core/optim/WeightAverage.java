package org.sparkdigits.core.optim;

/**
 * Polyak averaging of the weights ({@code --ema DECAY}): an exponential moving average of the parameter vector,
 * updated on the driver after every optimiser step. With {@code θ_t} the weights after step {@code t} (counted from
 * 1) and {@code ē_0 = θ_0} the initial weights:
 * <pre>
 *   d_t = min(decay, (1 + t) / (10 + t))
 *   ē_t = d_t · ē_{t-1} + (1 - d_t) · θ_t          [parameterCount]
 * </pre>
 * The warm-up of {@code d_t} (TensorFlow's {@code ExponentialMovingAverage} with {@code num_updates}) keeps the
 * average of the first steps from clinging to the random initial weights. The average is a pure function of the
 * sequence of weights, so a resumed run that restores {@link #values()} and {@link #updates()} continues it exactly.
 * Not thread-safe; pure Java, no Spark.
 */
public final class WeightAverage {

    private final double decay;
    private final double[] average;
    private long updates;

    /**
     * @param decay   the largest weight of the old average, in (0, 1)
     * @param initial {@code θ_0}, copied
     */
    public WeightAverage(double decay, double[] initial) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("the average's decay must be in (0, 1), got " + decay);
        }
        this.decay = decay;
        this.average = initial.clone();
    }

    /** The decay of update {@code t} (from 1): {@code min(decay, (1 + t) / (10 + t))}. */
    public double decayAt(long t) {
        return Math.min(decay, (1.0 + t) / (10.0 + t));
    }

    /** Folds the weights after the next step into the average. */
    public void update(double[] theta) {
        update(theta, new int[] {0, average.length});
    }

    /**
     * {@link #update(double[])} for the elements in {@code ranges} only ({@code {from0, to0, from1, to1, ...}}; the
     * rest of the average untouched): one update counted, each element's operations those of the whole update. For
     * the collective engine's owners, each averaging its shard.
     */
    public void update(double[] theta, int[] ranges) {
        if (theta.length != average.length) {
            throw new IllegalArgumentException("weights of " + theta.length + " values for an average of " + average.length);
        }
        updates++;
        double d = decayAt(updates);
        double keep = 1 - d;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                average[i] = d * average[i] + keep * theta[i];
            }
        }
    }

    public double decay() {
        return decay;
    }

    /** The live average (not a copy). */
    public double[] values() {
        return average;
    }

    /** Steps folded in so far. */
    public long updates() {
        return updates;
    }

    /** Continues from a saved average of {@code updates} steps. */
    public void restore(double[] values, long updates) {
        if (values.length != average.length || updates < 0) {
            throw new IllegalArgumentException("an average of " + values.length + " values after " + updates
                    + " steps does not fit " + average.length + " weights");
        }
        System.arraycopy(values, 0, average, 0, values.length);
        this.updates = updates;
    }
}
