package org.sparkdigits.core.kernel;

import java.util.Arrays;

/**
 * {@link VectorLoops}' loops in plain Java, with the same signatures, for {@link KernelKind#SPARSE} and for JVMs
 * without the Vector API. The hidden units are not padded ({@code stride == hidden}). Each sum adds {@code x · w}
 * (a multiply, then an add) in the same order as the vector loops do, so the two give bit-identical results.
 */
final class ScalarLoops {

    private ScalarLoops() {
    }

    /**
     * For each row {@code i < n}: {@code act[i·stride, +stride) += Σ_p scale[vals[p]] · w1t[cols[p]·stride, +stride)}
     * over {@code p in [rowStart[i], rowEnd[i])}.
     */
    static void firstLayerForward(double[] w1t, int stride, short[] cols, byte[] vals, int[] rowStart, int[] rowEnd,
                                  int n, double[] scale, double[] act) {
        for (int i = 0; i < n; i++) {
            int off = i * stride;
            for (int p = rowStart[i]; p < rowEnd[i]; p++) {
                double x = scale[vals[p] & 0xFF];
                int base = cols[p] * stride;
                for (int u = 0; u < stride; u++) {
                    act[off + u] += x * w1t[base + u];
                }
            }
        }
    }

    /** For each row {@code i < n}: {@code dw1t[j·stride, +stride) += x_ij · delta[i·stride, +stride)} over its non-zero pixels. */
    static void firstLayerBackwardByRow(double[] dw1t, int stride, short[] cols, byte[] vals, int[] rowStart,
                                        int[] rowEnd, int n, double[] scale, double[] delta) {
        for (int i = 0; i < n; i++) {
            int off = i * stride;
            for (int p = rowStart[i]; p < rowEnd[i]; p++) {
                double x = scale[vals[p] & 0xFF];
                int base = cols[p] * stride;
                for (int u = 0; u < stride; u++) {
                    dw1t[base + u] += x * delta[off + u];
                }
            }
        }
    }

    /** {@code z[c] = b2[c] + Σ_u w2t[u·classStride + c] · act[off + u]}, u in order, for {@code c < classStride}. */
    static void logits(double[] w2t, int classStride, double[] b2, double[] act, int off, int hidden, double[] z) {
        for (int c = 0; c < classStride; c++) {
            double t = b2[c];
            for (int u = 0; u < hidden; u++) {
                t += w2t[u * classStride + c] * act[off + u];
            }
            z[c] = t;
        }
    }

    /**
     * For one row with {@code dz = z[0, classes)}: {@code dw2[c·stride, +stride) += dz_c · act[off, +stride)} and
     * {@code delta[off, +stride) = Σ_c dz_c · w2[c·stride, +stride)}, c in order.
     */
    static void secondLayerBackward(double[] z, int classes, double[] w2, double[] dw2, int stride, double[] act,
                                    double[] delta, int off) {
        Arrays.fill(delta, off, off + stride, 0.0);
        for (int c = 0; c < classes; c++) {
            double dz = z[c];
            int wc = c * stride;
            for (int u = 0; u < stride; u++) {
                dw2[wc + u] += dz * act[off + u];
                delta[off + u] += dz * w2[wc + u];
            }
        }
    }

    /** {@code act[k] = act[k] > 0 ? act[k] : 0} for {@code k < total}. */
    static void relu(double[] act, int total) {
        for (int k = 0; k < total; k++) {
            act[k] = act[k] > 0 ? act[k] : 0.0;
        }
    }

    /** {@code d = act > 0 ? delta : 0; delta = d; db1 += d} over {@code [off, off + stride)}. */
    static void reluBackward(double[] act, double[] delta, double[] db1, int off, int stride) {
        for (int u = 0; u < stride; u++) {
            double d = act[off + u] > 0 ? delta[off + u] : 0.0;
            delta[off + u] = d;
            db1[u] += d;
        }
    }
}
