package org.sparkdigits.core.numbers;

/**
 * SplitMix64's constants and finaliser (Steele, Lea and Flood 2014): the hash that every random draw of training is a
 * pure function of (a row's content key, a dropout mask's unit), so a draw depends on what it is for, never on the
 * order in which draws are made. Pure Java, no Spark.
 */
public final class SplitMix {

    /** The golden-ratio increment between consecutive draws. */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** The finaliser's first multiplier. */
    public static final long MIX1 = 0xBF58476D1CE4E5B9L;
    /** The finaliser's second multiplier. */
    public static final long MIX2 = 0x94D049BB133111EBL;

    private SplitMix() {
    }

    /** SplitMix64's finaliser: a bijective mix of 64 bits. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * MIX1;
        z = (z ^ (z >>> 27)) * MIX2;
        return z ^ (z >>> 31);
    }
}
