package org.sparkdigits.core.loss;

/**
 * The softmax over a row's logits and its cross-entropy, as every kernel and every {@link Targets} computes them, in
 * place on a slice {@code z[base, base+k)} of a row-major array. Pure Java, no Spark.
 */
public final class Softmax {

    private Softmax() {
    }

    /**
     * Turns the logits {@code z[base, base+k)} into probabilities in place and returns the cross-entropy
     * loss of class {@code y}, computed as {@code log(sum exp(z - max)) - (z[y] - max)} (stable).
     */
    public static double softmaxInPlace(double[] z, int base, int k, int y) {
        double max = max(z, base, k);
        double zy = z[base + y] - max;
        return Math.log(expNormalize(z, base, k, max)) - zy;
    }

    /** The largest of {@code z[base, base+k)}. */
    public static double max(double[] z, int base, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, z[base + c]);
        }
        return max;
    }

    /**
     * Replaces {@code z[base, base+k)} by {@code exp(z - max)} normalised to sum 1 (the softmax), and returns the sum
     * {@code Σ exp(z - max)} before normalising.
     */
    public static double expNormalize(double[] z, int base, int k, double max) {
        double total = 0;
        for (int c = 0; c < k; c++) {
            double e = Math.exp(z[base + c] - max);
            z[base + c] = e;
            total += e;
        }
        double inv = 1.0 / total;
        for (int c = 0; c < k; c++) {
            z[base + c] *= inv;
        }
        return total;
    }

    /** Index of the largest of {@code v[base, base+k)}; the first on ties. */
    public static int argmax(double[] v, int base, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (v[base + c] > v[base + best]) {
                best = c;
            }
        }
        return best;
    }
}
