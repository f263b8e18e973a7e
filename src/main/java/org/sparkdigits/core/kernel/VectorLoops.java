package org.sparkdigits.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two hot loops of {@link SparseKernel} written with the Java Vector API ({@code jdk.incubator.vector},
 * which Spark 4 adds to every JVM it starts): the first layer's forward product over a row's non-zero
 * pixels, and its weight-gradient update. The hidden units are padded to {@link #stride(int)} (a multiple of
 * the vector length, 8 doubles with AVX-512, 4 with AVX2) so every load is a whole vector, and up to four
 * vectors of hidden units stay in registers while the row's pixels stream past. The second layer's three
 * small products run over vectors of units or classes too.
 *
 * <p>Every lane computes {@code acc + x · w} (a multiply, then an add: no fused multiply-add) in the same
 * pixel order as the scalar loops, so the results are bit-identical to {@link SparseKernel}'s plain loops
 * and do not depend on the machine's SIMD width. Only loaded when the module is present
 * (see {@link KernelKind#simdAvailable()}).
 */
final class VectorLoops {

    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    /**
     * Whether the dropout hash runs in vectors: with eight 64-bit lanes (AVX-512, whose {@code vpmullq} multiplies
     * them in one instruction); narrower machines keep {@link Dropout#fill}'s scalar loop.
     */
    private static final boolean VECTOR_MASKS = LONGS.length() >= 8 && LONGS.length() == L;

    private VectorLoops() {
    }

    /**
     * {@link Dropout#fill}, eight units at a time: the same SplitMix64 draws ({@code mix(base + (u + 1)·GOLDEN) >>> 11}
     * against the same threshold), so the same mask bit for bit.
     */
    static void dropoutMask(Dropout dropout, long rowKey, double[] mask, int off, int hidden) {
        if (!VECTOR_MASKS) {
            dropout.fill(rowKey, mask, off, hidden);
            return;
        }
        double keep = dropout.keep();
        long threshold = dropout.threshold();
        long base = dropout.rowBase(rowKey);
        LongVector lanes = LongVector.zero(LONGS).addIndex(1);
        DoubleVector kept = DoubleVector.broadcast(SPECIES, keep);
        int n = LONGS.length();
        int u = 0;
        for (; u <= hidden - n; u += n) {
            LongVector z = lanes.add(u + 1).mul(Dropout.GOLDEN).add(base);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(Dropout.MIX1);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(Dropout.MIX2);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            VectorMask<Long> dropped = z.lanewise(VectorOperators.LSHR, 11).lt(threshold);
            kept.blend(0.0, dropped.cast(SPECIES)).intoArray(mask, off + u);
        }
        dropout.fillFrom(base, mask, off, u, hidden);
    }

    /** {@code hidden} rounded up to a whole number of vectors. */
    static int stride(int hidden) {
        return (hidden + L - 1) / L * L;
    }

    /**
     * For each row {@code i < n}: {@code act[i·stride, +stride) += Σ_p scale[vals[p]] · w1t[cols[p]·stride, +stride)}
     * over {@code p in [rowStart[i], rowEnd[i])}. Works through the hidden units 32 at a time (four vectors
     * of eight), all rows of the chunk per block, the block's accumulators in registers.
     *
     * @param w1t {@code [inputs x stride]} row-major, padding zero
     * @param act {@code [n x stride]}, holding the biases on entry
     */
    static void firstLayerForward(double[] w1t, int stride, short[] cols, byte[] vals, int[] rowStart, int[] rowEnd,
                                  int n, double[] scale, double[] act) {
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

    // The loops live in small methods: the Vector API is only fast when HotSpot inlines all of it.

    private static void forward4(double[] w1t, int stride, short[] cols, byte[] vals, int s, int e, double[] scale,
                                 double[] act, int o, int u) {
        DoubleVector a0 = DoubleVector.fromArray(SPECIES, act, o);
        DoubleVector a1 = DoubleVector.fromArray(SPECIES, act, o + L);
        DoubleVector a2 = DoubleVector.fromArray(SPECIES, act, o + 2 * L);
        DoubleVector a3 = DoubleVector.fromArray(SPECIES, act, o + 3 * L);
        for (int p = s; p < e; p++) {
            DoubleVector x = DoubleVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
            int base = cols[p] * stride + u;
            a0 = a0.add(DoubleVector.fromArray(SPECIES, w1t, base).mul(x));
            a1 = a1.add(DoubleVector.fromArray(SPECIES, w1t, base + L).mul(x));
            a2 = a2.add(DoubleVector.fromArray(SPECIES, w1t, base + 2 * L).mul(x));
            a3 = a3.add(DoubleVector.fromArray(SPECIES, w1t, base + 3 * L).mul(x));
        }
        a0.intoArray(act, o);
        a1.intoArray(act, o + L);
        a2.intoArray(act, o + 2 * L);
        a3.intoArray(act, o + 3 * L);
    }

    private static void forward2(double[] w1t, int stride, short[] cols, byte[] vals, int s, int e, double[] scale,
                                 double[] act, int o, int u) {
        DoubleVector a0 = DoubleVector.fromArray(SPECIES, act, o);
        DoubleVector a1 = DoubleVector.fromArray(SPECIES, act, o + L);
        for (int p = s; p < e; p++) {
            DoubleVector x = DoubleVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
            int base = cols[p] * stride + u;
            a0 = a0.add(DoubleVector.fromArray(SPECIES, w1t, base).mul(x));
            a1 = a1.add(DoubleVector.fromArray(SPECIES, w1t, base + L).mul(x));
        }
        a0.intoArray(act, o);
        a1.intoArray(act, o + L);
    }

    private static void forward1(double[] w1t, int stride, short[] cols, byte[] vals, int s, int e, double[] scale,
                                 double[] act, int o, int u) {
        DoubleVector a0 = DoubleVector.fromArray(SPECIES, act, o);
        for (int p = s; p < e; p++) {
            DoubleVector x = DoubleVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
            a0 = a0.add(DoubleVector.fromArray(SPECIES, w1t, cols[p] * stride + u).mul(x));
        }
        a0.intoArray(act, o);
    }

    /**
     * For each row {@code i < n}: {@code dw1t[j·stride, +stride) += x_ij · delta[i·stride, +stride)} over the row's
     * non-zero pixels j. Works pixel by pixel (the chunk's pixels in {@code columns}, grouped by pixel with the
     * rows in order): the pixel's 32-unit slice of {@code dw1t} is loaded into registers once, receives the
     * contributions of every row of the chunk that has that pixel, and is stored once. Each element still
     * receives its additions in row order, exactly as the scalar loop adds them.
     */
    static void firstLayerBackward(double[] dw1t, int stride, ChunkColumns columns, double[] delta) {
        int[] pixel = columns.pixel();
        int[] start = columns.start();
        int[] row = columns.row();
        double[] x = columns.x();
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

    /**
     * The same sums as {@link #firstLayerBackward(double[], int, ChunkColumns, double[])} row by row, for
     * {@code stride <= 2} vectors (H up to 16 with AVX-512): the two vectors of a row's {@code delta} stay in
     * registers and each non-zero pixel's slice of {@code dw1t} is updated in place; vectors of {@code delta}
     * that are all zero (inactive ReLU units) are skipped. At this size regrouping by pixel costs more than
     * it saves.
     */
    static void firstLayerBackwardByRow(double[] dw1t, int stride, short[] cols, byte[] vals, int[] rowStart,
                                        int[] rowEnd, int n, double[] scale, double[] delta) {
        for (int i = 0; i < n; i++) {
            int o = i * stride;
            boolean live0 = !allZero(delta, o);
            if (stride == 2 * L && !allZero(delta, o + L)) {
                if (live0) {
                    row2(dw1t, stride, cols, vals, rowStart[i], rowEnd[i], scale, delta, o);
                } else {
                    row1(dw1t, stride, cols, vals, rowStart[i], rowEnd[i], scale, delta, o + L, L);
                }
            } else if (live0) {
                row1(dw1t, stride, cols, vals, rowStart[i], rowEnd[i], scale, delta, o, 0);
            }
        }
    }

    /** Whether {@link #firstLayerBackwardByRow} handles this stride. */
    static boolean byRow(int stride) {
        return stride <= 2 * L;
    }

    private static void row2(double[] dw1t, int stride, short[] cols, byte[] vals, int s, int e, double[] scale,
                             double[] delta, int o) {
        DoubleVector d0 = DoubleVector.fromArray(SPECIES, delta, o);
        DoubleVector d1 = DoubleVector.fromArray(SPECIES, delta, o + L);
        for (int p = s; p < e; p++) {
            DoubleVector x = DoubleVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
            int b = cols[p] * stride;
            DoubleVector.fromArray(SPECIES, dw1t, b).add(d0.mul(x)).intoArray(dw1t, b);
            DoubleVector.fromArray(SPECIES, dw1t, b + L).add(d1.mul(x)).intoArray(dw1t, b + L);
        }
    }

    private static void row1(double[] dw1t, int stride, short[] cols, byte[] vals, int s, int e, double[] scale,
                             double[] delta, int o, int u) {
        DoubleVector d = DoubleVector.fromArray(SPECIES, delta, o);
        for (int p = s; p < e; p++) {
            DoubleVector x = DoubleVector.broadcast(SPECIES, scale[vals[p] & 0xFF]);
            int b = cols[p] * stride + u;
            DoubleVector.fromArray(SPECIES, dw1t, b).add(d.mul(x)).intoArray(dw1t, b);
        }
    }

    private static boolean allZero(double[] v, int off) {
        for (int i = off; i < off + L; i++) {
            if (v[i] != 0.0) {
                return false;
            }
        }
        return true;
    }

    private static void column4(double[] dw1t, int base, int stride, int u, int[] row, double[] x, int s, int e,
                                double[] delta) {
        DoubleVector g0 = DoubleVector.fromArray(SPECIES, dw1t, base);
        DoubleVector g1 = DoubleVector.fromArray(SPECIES, dw1t, base + L);
        DoubleVector g2 = DoubleVector.fromArray(SPECIES, dw1t, base + 2 * L);
        DoubleVector g3 = DoubleVector.fromArray(SPECIES, dw1t, base + 3 * L);
        for (int q = s; q < e; q++) {
            DoubleVector xv = DoubleVector.broadcast(SPECIES, x[q]);
            int o = row[q] * stride + u;
            g0 = g0.add(DoubleVector.fromArray(SPECIES, delta, o).mul(xv));
            g1 = g1.add(DoubleVector.fromArray(SPECIES, delta, o + L).mul(xv));
            g2 = g2.add(DoubleVector.fromArray(SPECIES, delta, o + 2 * L).mul(xv));
            g3 = g3.add(DoubleVector.fromArray(SPECIES, delta, o + 3 * L).mul(xv));
        }
        g0.intoArray(dw1t, base);
        g1.intoArray(dw1t, base + L);
        g2.intoArray(dw1t, base + 2 * L);
        g3.intoArray(dw1t, base + 3 * L);
    }

    private static void column2(double[] dw1t, int base, int stride, int u, int[] row, double[] x, int s, int e,
                                double[] delta) {
        DoubleVector g0 = DoubleVector.fromArray(SPECIES, dw1t, base);
        DoubleVector g1 = DoubleVector.fromArray(SPECIES, dw1t, base + L);
        for (int q = s; q < e; q++) {
            DoubleVector xv = DoubleVector.broadcast(SPECIES, x[q]);
            int o = row[q] * stride + u;
            g0 = g0.add(DoubleVector.fromArray(SPECIES, delta, o).mul(xv));
            g1 = g1.add(DoubleVector.fromArray(SPECIES, delta, o + L).mul(xv));
        }
        g0.intoArray(dw1t, base);
        g1.intoArray(dw1t, base + L);
    }

    private static void column1(double[] dw1t, int base, int stride, int u, int[] row, double[] x, int s, int e,
                                double[] delta) {
        DoubleVector g0 = DoubleVector.fromArray(SPECIES, dw1t, base);
        for (int q = s; q < e; q++) {
            DoubleVector xv = DoubleVector.broadcast(SPECIES, x[q]);
            g0 = g0.add(DoubleVector.fromArray(SPECIES, delta, row[q] * stride + u).mul(xv));
        }
        g0.intoArray(dw1t, base);
    }

    /**
     * {@code z[0, classStride) = b2 + Σ_u act[off + u] · w2t[u·classStride, +classStride)}, u in order (so each
     * class sums exactly as the scalar dot product does); 
     *
     * @param w2t {@code [stride x classStride]} W2ᵀ, padding zero
     */
    static void logits(double[] w2t, int classStride, double[] b2, double[] act, int off, int hidden, double[] z) {
        for (int c0 = 0; c0 < classStride; c0 += L) {
            DoubleVector t = DoubleVector.fromArray(SPECIES, b2, c0);
            for (int u = 0; u < hidden; u++) {
                // no branch on a == 0: a vector carried around the loop through a branch is not kept in a register
                DoubleVector a = DoubleVector.broadcast(SPECIES, act[off + u]);
                t = t.add(DoubleVector.fromArray(SPECIES, w2t, u * classStride + c0).mul(a));
            }
            t.intoArray(z, c0);
        }
    }

    /**
     * For one row with {@code dz = z[0, classes)} and activations {@code act[off, +stride)}:
     * {@code dw2[c·stride, +stride) += dz_c · a} and {@code delta[off, +stride) = Σ_c dz_c · w2[c·stride, +stride)},
     * c in order.
     */
    static void secondLayerBackward(double[] z, int classes, double[] w2, double[] dw2, int stride, double[] act,
                                    double[] delta, int off) {
        for (int u0 = 0; u0 < stride; u0 += L) {
            DoubleVector a = DoubleVector.fromArray(SPECIES, act, off + u0);
            DoubleVector d = DoubleVector.zero(SPECIES);
            for (int c = 0; c < classes; c++) {
                double dz = z[c];
                int w = c * stride + u0;
                DoubleVector.fromArray(SPECIES, dw2, w).add(a.mul(DoubleVector.broadcast(SPECIES, dz))).intoArray(dw2, w);
                d = d.add(DoubleVector.fromArray(SPECIES, w2, w).mul(DoubleVector.broadcast(SPECIES, dz)));
            }
            d.intoArray(delta, off + u0);
        }
    }

    /** {@code act[k] = act[k] > 0 ? act[k] : 0} for {@code k < total} (a multiple of the vector length). */
    static void relu(double[] act, int total) {
        DoubleVector zero = DoubleVector.zero(SPECIES);
        for (int k = 0; k < total; k += L) {
            DoubleVector a = DoubleVector.fromArray(SPECIES, act, k);
            zero.blend(a, a.compare(VectorOperators.GT, 0.0)).intoArray(act, k);
        }
    }

    /** {@code d = act > 0 ? delta : 0; delta = d; db1 += d} over {@code [off, off + stride)} ({@code db1} from 0). */
    static void reluBackward(double[] act, double[] delta, double[] db1, int off, int stride) {
        DoubleVector zero = DoubleVector.zero(SPECIES);
        for (int u = 0; u < stride; u += L) {
            DoubleVector d = zero.blend(DoubleVector.fromArray(SPECIES, delta, off + u),
                    DoubleVector.fromArray(SPECIES, act, off + u).compare(VectorOperators.GT, 0.0));
            d.intoArray(delta, off + u);
            DoubleVector.fromArray(SPECIES, db1, u).add(d).intoArray(db1, u);
        }
    }
}
