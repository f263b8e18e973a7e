package org.sparkdigits.core.numbers;

import java.util.stream.IntStream;

/**
 * The driver's elementwise work spread over its cores: {@code [0, n)} cut into at most one range per core, each at least
 * {@code minimum} long, every inner bound a multiple of {@code align}. The work of a range must touch only its own
 * elements, so that every element receives the same operations in the same order whichever range holds it: the
 * results are then the same bit for bit on any number of cores. Pure Java, no Spark; on a cluster it runs on the
 * driver's own cores only.
 */
public final class CoreRanges {

    /** Elements of an elementwise pass per range at least (256 KB of doubles: well above a fork's cost). */
    public static final int ELEMENTS = 1 << 15;

    /** What a range does: {@code [from, to)}. */
    @FunctionalInterface
    public interface Body {
        void run(int from, int to);
    }

    private CoreRanges() {
    }

    /** This JVM's cores (a container's limit where there is one). */
    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The bounds {@code {0, b1, ..., n}} of the ranges; {@code {0, n}} for one range. */
    public static int[] bounds(int n, int cores, int minimum, int align) {
        int parts = Math.max(1, Math.min(cores, n / minimum));
        int[] bounds = new int[parts + 1];
        for (int r = 1; r < parts; r++) {
            bounds[r] = (int) ((long) n * r / parts / align * align);
        }
        bounds[parts] = n;
        return bounds;
    }

    /** Runs {@code body} over each range of {@code bounds}, the ranges at once when there are several. */
    public static void forEach(int[] bounds, Body body) {
        if (bounds.length == 2) {
            body.run(bounds[0], bounds[1]);
        } else {
            IntStream.range(0, bounds.length - 1).parallel().forEach(r -> body.run(bounds[r], bounds[r + 1]));
        }
    }

    /** {@link #forEach} over {@link #bounds} of {@code n} on this JVM's cores. */
    public static void forEach(int n, int minimum, int align, Body body) {
        forEach(bounds(n, cores(), minimum, align), body);
    }
}
