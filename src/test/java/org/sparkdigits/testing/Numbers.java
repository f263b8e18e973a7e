package org.sparkdigits.testing;

/** Comparisons of parameter and gradient vectors. */
public final class Numbers {

    private Numbers() {
    }

    /** {@code max |a_i - b_i| / max |a_i|}: the difference relative to the vector's scale. */
    public static double maxRelativeDifference(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        return diff / scale;
    }
}
