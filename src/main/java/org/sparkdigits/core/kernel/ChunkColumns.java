package org.sparkdigits.core.kernel;

import java.util.Arrays;

/**
 * The non-zero pixels of a chunk of rows regrouped by pixel (compressed sparse columns), rebuilt for each
 * chunk in reused arrays: pixel {@code pixel[k]} (ascending) occurs in rows {@code row[start[k] .. start[k+1])}
 * (ascending, as chunk positions) with values {@code x[...]} (already divided by 255). The weight-gradient
 * loop reads it so that it can keep one pixel's slice of {@code dW1ᵀ} in registers.
 */
final class ChunkColumns {

    private final int[] count;   // [inputs + 1]
    private int[] pixel;
    private int[] start;
    private int[] row = new int[0];
    private double[] x = new double[0];
    private float[] xFloat = new float[0];
    private int pixels;

    ChunkColumns(int inputs) {
        this.count = new int[inputs + 1];
        this.pixel = new int[inputs];
        this.start = new int[inputs + 1];
    }

    /** Regroups rows {@code i < n} whose non-zeros are {@code [rowStart[i], rowEnd[i])} of {@code cols}/{@code vals}. */
    void build(short[] cols, byte[] vals, int[] rowStart, int[] rowEnd, int n, double[] scale) {
        build(cols, vals, rowStart, rowEnd, n, scale, null);
    }

    /**
     * The same, with the values in {@link #x()} from {@code scale} and in {@link #xFloat()} from {@code scaleFloat};
     * either may be {@code null} (then that array is not filled).
     */
    void build(short[] cols, byte[] vals, int[] rowStart, int[] rowEnd, int n, double[] scale, float[] scaleFloat) {
        int total = 0;
        Arrays.fill(count, 0);
        for (int i = 0; i < n; i++) {
            for (int p = rowStart[i]; p < rowEnd[i]; p++) {
                count[cols[p]]++;
            }
            total += rowEnd[i] - rowStart[i];
        }
        if (row.length < total) {
            row = new int[total];
            x = new double[total];
            xFloat = new float[total];
        }
        // count[j] becomes the next free slot of pixel j
        int k = 0;
        int o = 0;
        for (int j = 0; j < count.length - 1; j++) {
            int c = count[j];
            if (c != 0) {
                pixel[k] = j;
                start[k] = o;
                k++;
                count[j] = o;
                o += c;
            }
        }
        start[k] = o;
        pixels = k;
        for (int i = 0; i < n; i++) {
            for (int p = rowStart[i]; p < rowEnd[i]; p++) {
                int slot = count[cols[p]]++;
                row[slot] = i;
                if (scale != null) {
                    x[slot] = scale[vals[p] & 0xFF];
                }
                if (scaleFloat != null) {
                    xFloat[slot] = scaleFloat[vals[p] & 0xFF];
                }
            }
        }
    }

    int pixels() {
        return pixels;
    }

    int[] pixel() {
        return pixel;
    }

    int[] start() {
        return start;
    }

    int[] row() {
        return row;
    }

    double[] x() {
        return x;
    }

    float[] xFloat() {
        return xFloat;
    }
}
