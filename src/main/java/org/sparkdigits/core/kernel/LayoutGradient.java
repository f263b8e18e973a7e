package org.sparkdigits.core.kernel;

import java.util.Arrays;

/**
 * A gradient sum held in {@link SparseKernel}'s own layout ({@link KernelWeights}), for {@link LocalSgd}: a task's
 * steps update the weights in that layout, so nothing is transposed between steps.
 * <pre>
 *   w1t [inputs x stride]   dW1ᵀ        b1 [hidden]        db1
 *   w2  [classes x stride]  dW2         b2 [classStride]   db2
 * </pre>
 * with the summed loss, the row count and the correct count. Padding stays zero.
 */
final class LayoutGradient {

    private double[] w1t;  // made on first use: only partitions of several blocks drain into it
    final double[] b1;
    final double[] w2;
    final double[] b2;
    double loss;
    long count;
    long correct;
    private final int pixelRows;
    private final int stride;

    LayoutGradient(KernelWeights layout) {
        this.pixelRows = layout.shape.inputs();
        this.stride = layout.stride;
        this.b1 = new double[layout.shape.hidden()];
        this.w2 = new double[layout.shape.classes() * layout.stride];
        this.b2 = new double[layout.classStride];
    }

    /** {@code dW1ᵀ [inputs x stride]}, all zero when first asked for (5 MB at H=800). */
    double[] w1t() {
        if (w1t == null) {
            w1t = new double[pixelRows * stride];
        }
        return w1t;
    }

    /** {@code w1t} back to zero, where it can be non-zero only in the rows of {@code pixels[0..n)}. */
    void clear(int[] pixels, int n) {
        if (w1t == null) {
            return;
        }
        for (int k = 0; k < n; k++) {
            Arrays.fill(w1t, pixels[k] * stride, (pixels[k] + 1) * stride, 0.0);
        }
    }

    /** Everything but {@code w1t} back to zero (that is {@link #clear}'s, after a step that used it). */
    void clearAllButW1() {
        Arrays.fill(b1, 0.0);
        Arrays.fill(w2, 0.0);
        Arrays.fill(b2, 0.0);
        loss = 0;
        count = 0;
        correct = 0;
    }
}
