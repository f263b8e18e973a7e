package org.sparkdigits.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The first layer's two hot loops of {@link SparseKernel} in single precision ({@link KernelKind#SIMD_FLOAT}):
 * the same loop structure as {@link VectorLoops}, on {@code float} weights, activations and weight-gradient
 * accumulators. Those loops read a pixel's slice of {@code W1ᵀ} (or of {@code dW1ᵀ}) for every row that has the
 * pixel, and at H=128 that stream from L2 is what bounds them (measured: ~32 bytes per cycle); floats halve
 * the bytes and double the lanes of each vector. Everything else in the kernel stays in double: the float
 * activations are widened once per row, {@code dZ1} is narrowed once per row, and the float {@code dW1ᵀ}
 * accumulator is added into a double one every few chunks, so rounding grows only within those chunks.
 *
 * <p>A twin of {@link VectorLoops} by necessity: the Vector API's element type is fixed per class
 * ({@code DoubleVector}, {@code FloatVector}); code generic over {@code Vector<E>} is not compiled to
 * straight SIMD instructions by HotSpot.
 */
final class FloatLoops {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private FloatLoops() {
    }

    /** {@code hidden} rounded up to a whole number of float vectors. */
    static int stride(int hidden) {
        return (hidden + L - 1) / L * L;
    }

    /** Whether {@link #firstLayerBackwardByRow} is the cheaper backward loop for this stride (up to two vectors). */
    static boolean byRow(int stride) {
        return stride <= 2 * L;
    }

    /**
     * For each row {@code i < n}: {@code act[i·stride, +stride) += Σ_p scale[vals[p]] · w1t[cols[p]·stride, +stride)}
     * over {@code p in [rowStart[i], rowEnd[i])}, four vectors of hidden units at a time in registers.
     *
     * @param w1t {@code [inputs x stride]} row-major, padding zero
     * @param act {@code [n x stride]}, holding the biases on entry
     */
    static void firstLayerForward(float[] w1t, int stride, short[] cols, byte[] vals, int[] rowStart, int[] rowEnd,
                                  int n, float[] scale, float[] act) {
        for (int u0 = 0; u0 < stride; u0 += 4 * L) {
            int vectors = Math.min(4, (stride - u0) / L);
            for (int i = 0; i < n; i++) {
                int o = i * stride + u0;
                if (vectors == 4) {
                    forward4(w1t, stride, cols, vals, rowStart[i], rowEnd[i], scale, act, o, u0);
                } else if (vectors >= 2) {
                    forward2(w1t, stride, cols, vals, rowStart[i], rowEnd[i], scale, act, o, u0);
                    if (vectors == 3) {
                        forward1(w1t, stride, cols, vals, rowStart[i], rowEnd[i], scale, act, o + 2 * L, u0 + 2 * L);
                    }
                } else {
                    forward1(w1t, stride, cols, vals, rowStart[i], rowEnd[i], scale, act, o, u0);
                }
            }
        }
    }

    private static void forward4(float[] w1t, int stride, short[] cols, byte[] vals, int s, int e, float[] scale,
                                 float[] act, int o, int u) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, act, o);
        FloatVector a1 = FloatVector.fromArray(SPECIES, act, o + L);
        FloatVector a2 = FloatVector.fromArray(SPECIES, act, o + 2 * L);
        FloatVector a3 = FloatVector.fromArray(SPECIES, act, o + 3 * L);
        for (int p = s; p < e; p++) {
            FloatVector x = FloatVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
            int base = cols[p] * stride + u;
            a0 = a0.add(FloatVector.fromArray(SPECIES, w1t, base).mul(x));
            a1 = a1.add(FloatVector.fromArray(SPECIES, w1t, base + L).mul(x));
            a2 = a2.add(FloatVector.fromArray(SPECIES, w1t, base + 2 * L).mul(x));
            a3 = a3.add(FloatVector.fromArray(SPECIES, w1t, base + 3 * L).mul(x));
        }
        a0.intoArray(act, o);
        a1.intoArray(act, o + L);
        a2.intoArray(act, o + 2 * L);
        a3.intoArray(act, o + 3 * L);
    }

    private static void forward2(float[] w1t, int stride, short[] cols, byte[] vals, int s, int e, float[] scale,
                                 float[] act, int o, int u) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, act, o);
        FloatVector a1 = FloatVector.fromArray(SPECIES, act, o + L);
        for (int p = s; p < e; p++) {
            FloatVector x = FloatVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
            int base = cols[p] * stride + u;
            a0 = a0.add(FloatVector.fromArray(SPECIES, w1t, base).mul(x));
            a1 = a1.add(FloatVector.fromArray(SPECIES, w1t, base + L).mul(x));
        }
        a0.intoArray(act, o);
        a1.intoArray(act, o + L);
    }

    private static void forward1(float[] w1t, int stride, short[] cols, byte[] vals, int s, int e, float[] scale,
                                 float[] act, int o, int u) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, act, o);
        for (int p = s; p < e; p++) {
            FloatVector x = FloatVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
            a0 = a0.add(FloatVector.fromArray(SPECIES, w1t, cols[p] * stride + u).mul(x));
        }
        a0.intoArray(act, o);
    }

    /**
     * For each row {@code i < n}: {@code dw1t[j·stride, +stride) += x_ij · delta[i·stride, +stride)} over the row's
     * non-zero pixels j, pixel by pixel ({@code columns}, built with float values): each pixel's four-vector
     * slice of {@code dw1t} is loaded once per chunk, receives every row of the chunk that has the pixel, and
     * is stored once.
     */
    static void firstLayerBackward(float[] dw1t, int stride, ChunkColumns columns, float[] delta) {
        int[] pixel = columns.pixel();
        int[] start = columns.start();
        int[] row = columns.row();
        float[] x = columns.xFloat();
        int pixels = columns.pixels();
        for (int u0 = 0; u0 < stride; u0 += 4 * L) {
            int vectors = Math.min(4, (stride - u0) / L);
            for (int k = 0; k < pixels; k++) {
                int base = pixel[k] * stride + u0;
                int s = start[k];
                int e = start[k + 1];
                if (vectors == 4) {
                    column4(dw1t, base, stride, u0, row, x, s, e, delta);
                } else if (vectors >= 2) {
                    column2(dw1t, base, stride, u0, row, x, s, e, delta);
                    if (vectors == 3) {
                        column1(dw1t, base + 2 * L, stride, u0 + 2 * L, row, x, s, e, delta);
                    }
                } else {
                    column1(dw1t, base, stride, u0, row, x, s, e, delta);
                }
            }
        }
    }

    private static void column4(float[] dw1t, int base, int stride, int u, int[] row, float[] x, int s, int e,
                                float[] delta) {
        FloatVector g0 = FloatVector.fromArray(SPECIES, dw1t, base);
        FloatVector g1 = FloatVector.fromArray(SPECIES, dw1t, base + L);
        FloatVector g2 = FloatVector.fromArray(SPECIES, dw1t, base + 2 * L);
        FloatVector g3 = FloatVector.fromArray(SPECIES, dw1t, base + 3 * L);
        for (int q = s; q < e; q++) {
            FloatVector xv = FloatVector.broadcast(SPECIES, x[q]);
            int o = row[q] * stride + u;
            g0 = g0.add(FloatVector.fromArray(SPECIES, delta, o).mul(xv));
            g1 = g1.add(FloatVector.fromArray(SPECIES, delta, o + L).mul(xv));
            g2 = g2.add(FloatVector.fromArray(SPECIES, delta, o + 2 * L).mul(xv));
            g3 = g3.add(FloatVector.fromArray(SPECIES, delta, o + 3 * L).mul(xv));
        }
        g0.intoArray(dw1t, base);
        g1.intoArray(dw1t, base + L);
        g2.intoArray(dw1t, base + 2 * L);
        g3.intoArray(dw1t, base + 3 * L);
    }

    private static void column2(float[] dw1t, int base, int stride, int u, int[] row, float[] x, int s, int e,
                                float[] delta) {
        FloatVector g0 = FloatVector.fromArray(SPECIES, dw1t, base);
        FloatVector g1 = FloatVector.fromArray(SPECIES, dw1t, base + L);
        for (int q = s; q < e; q++) {
            FloatVector xv = FloatVector.broadcast(SPECIES, x[q]);
            int o = row[q] * stride + u;
            g0 = g0.add(FloatVector.fromArray(SPECIES, delta, o).mul(xv));
            g1 = g1.add(FloatVector.fromArray(SPECIES, delta, o + L).mul(xv));
        }
        g0.intoArray(dw1t, base);
        g1.intoArray(dw1t, base + L);
    }

    private static void column1(float[] dw1t, int base, int stride, int u, int[] row, float[] x, int s, int e,
                                float[] delta) {
        FloatVector g0 = FloatVector.fromArray(SPECIES, dw1t, base);
        for (int q = s; q < e; q++) {
            g0 = g0.add(FloatVector.fromArray(SPECIES, delta, row[q] * stride + u).mul(FloatVector.broadcast(SPECIES, x[q])));
        }
        g0.intoArray(dw1t, base);
    }

    /**
     * The same sums row by row, for {@code stride <= 2} vectors (H up to 32 with AVX-512): a row's
     * {@code delta} stays in registers and each non-zero pixel's slice of {@code dw1t} is updated in place.
     */
    static void firstLayerBackwardByRow(float[] dw1t, int stride, short[] cols, byte[] vals, int[] rowStart,
                                        int[] rowEnd, int n, float[] scale, float[] delta) {
        for (int i = 0; i < n; i++) {
            int o = i * stride;
            int s = rowStart[i];
            int e = rowEnd[i];
            FloatVector d0 = FloatVector.fromArray(SPECIES, delta, o);
            if (stride == 2 * L) {
                FloatVector d1 = FloatVector.fromArray(SPECIES, delta, o + L);
                for (int p = s; p < e; p++) {
                    FloatVector x = FloatVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
                    int b = cols[p] * stride;
                    FloatVector.fromArray(SPECIES, dw1t, b).add(d0.mul(x)).intoArray(dw1t, b);
                    FloatVector.fromArray(SPECIES, dw1t, b + L).add(d1.mul(x)).intoArray(dw1t, b + L);
                }
            } else {
                for (int p = s; p < e; p++) {
                    int b = cols[p] * stride;
                    FloatVector x = FloatVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
                    FloatVector.fromArray(SPECIES, dw1t, b).add(d0.mul(x)).intoArray(dw1t, b);
                }
            }
        }
    }
}
