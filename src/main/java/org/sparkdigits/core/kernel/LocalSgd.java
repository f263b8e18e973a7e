package org.sparkdigits.core.kernel;

import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.block.SparseRows;
import org.sparkdigits.core.loss.Regularization;
import org.sparkdigits.core.loss.Targets;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

/**
 * Plain SGD steps taken by one task on its own rows ({@code --local-steps}), with the fast kernel, in the kernel's own
 * layout ({@link KernelWeights}): each step sums the gradient of its rows where the kernel accumulates it, then updates
 * the weights where the kernel reads them,
 * <pre>
 *   θ ← θ − η · (g / n + λ·W)        (λ on W1 and W2 only, as {@link Regularization#addL2})
 * </pre>
 * element for element the arithmetic of a flat {@link GradientSum}'s mean, {@link Regularization#addL2} and the same
 * update, so the weights are the same bits as that loop's; but nothing is allocated, transposed or rebuilt between
 * steps, and without L2 only the rows of {@code W1ᵀ} of the pixels that the step's rows have are touched (a step's
 * few rows leave many of MNIST's pixels blank). With one kernel call per step (one block per partition) {@code dW1ᵀ} is read where the
 * kernel left it; with more, each call's is first drained into a {@link LayoutGradient}. The weights in double are the
 * master copy: the float kernel's {@code W1ᵀ} and {@code b1} in float are refreshed from them after every step, as a
 * kernel made anew from the flat vector would be.
 *
 * <p>For the kernels with a layout of their own ({@link #runs}); not thread-safe: one per task.
 */
public final class LocalSgd {

    private final NetworkShape shape;
    private final KernelWeights weights;  // this task's own copy: the kernel reads it, each step rewrites it
    private final double[] w1t;           // [inputs x stride] W1ᵀ in double: weights.w1t, or the float kernel's master
    private final SparseKernel kernel;
    private final LayoutGradient sum;
    // the pixels that some row of the current step has: the rows of dW1ᵀ that can be non-zero
    private final boolean[] touched;
    private final int[] pixels;
    private int pixelCount;
    private int calls;                    // kernel calls of the current step
    private long rows;
    private double loss;
    private long correct;

    /** Whether {@code kind}'s kernel has a layout of its own on this JVM (all but {@code ojalgo}). */
    public static boolean runs(KernelKind kind) {
        return kind.loops() != null;
    }

    /**
     * @param start the weights to start from (copied)
     * @param kind  a kernel that {@link #runs}
     */
    public LocalSgd(Parameters start, KernelKind kind, Activation activation) {
        if (!runs(kind)) {
            throw new IllegalArgumentException("local SGD needs a kernel with its own layout, not " + kind);
        }
        this.shape = start.shape();
        this.weights = KernelWeights.of(start, kind);
        if (weights.w1t != null) {
            this.w1t = weights.w1t;
        } else { // the float kernel: W1ᵀ in double beside its float one, laid out as KernelWeights lays out the latter
            this.w1t = new double[shape.inputs() * weights.stride];
            KernelWeights.transposeW1(start.values(), shape, w1t, null, weights.stride, 0, shape.hidden());
        }
        this.kernel = new SparseKernel(weights, activation);
        this.sum = new LayoutGradient(weights);
        this.touched = new boolean[shape.inputs()];
        this.pixels = new int[shape.inputs()];
    }

    /** Adds rows {@code order[from..to)} of {@code block} (rows {@code from..to} when {@code order} is null) to the step. */
    public void add(DigitBlock block, int[] order, int from, int to, Dropout dropout, Targets smoothing) {
        if (to <= from) {
            return;
        }
        if (calls > 0) { // the previous call's dW1ᵀ, before the kernel starts a new one
            kernel.firstLayer().drainInLayout(sum.w1t(), pixels, pixelCount);
        }
        SparseRows rows = block.sparse();
        int[] start = rows.start();
        short[] cols = rows.columns();
        for (int i = from; i < to; i++) {
            int row = order == null ? i : order[i];
            for (int k = start[row]; k < start[row + 1]; k++) {
                int j = cols[k];
                if (!touched[j]) {
                    touched[j] = true;
                    pixels[pixelCount++] = j;
                }
            }
        }
        kernel.accumulateGradient(block, order, from, to, dropout, smoothing, sum);
        calls++;
    }

    /**
     * Takes the step over the rows added since the last one, at learning rate {@code rate} with L2 penalty {@code l2};
     * without rows, nothing changes.
     */
    public void step(double rate, double l2) {
        if (calls == 0) {
            return;
        }
        int inputs = shape.inputs();
        int hidden = shape.hidden();
        int classes = shape.classes();
        int stride = weights.stride;
        double inv = 1.0 / sum.count;
        // W1's rows of pixels that no row of the step has get a zero gradient: without L2 they keep their bits
        boolean allRows = l2 != 0;
        int n = allRows ? inputs : pixelCount;
        FirstLayerGradient w1g = kernel.firstLayer();
        if (calls == 1) { // the common case, one block per partition: dW1ᵀ read where the kernel left it
            firstLayerStep(w1g, n, allRows, inv, rate, l2);
        } else {
            double[] dw1t = sum.w1t();
            w1g.drainInLayout(dw1t, pixels, pixelCount);
            for (int k = 0; k < n; k++) {
                int j = allRows ? k : pixels[k];
                update(w1t, dw1t, j * stride, hidden, inv, rate, l2);
                floatRow(j);
            }
            sum.clear(pixels, pixelCount);
        }
        update(weights.b1, sum.b1, 0, hidden, inv, rate, 0);
        for (int c = 0; c < classes; c++) {
            update(weights.w2, sum.w2, c * stride, hidden, inv, rate, l2);
        }
        update(weights.b2, sum.b2, 0, classes, inv, rate, 0);
        // what the kernel reads besides: b1 in float, W2ᵀ
        if (weights.b1Float != null) {
            for (int u = 0; u < hidden; u++) {
                weights.b1Float[u] = (float) weights.b1[u];
            }
        }
        for (int c = 0; c < classes; c++) {
            for (int u = 0; u < hidden; u++) {
                weights.w2t[u * weights.classStride + c] = weights.w2[c * stride + u];
            }
        }
        rows += sum.count;
        loss += sum.loss;
        correct += sum.correct;
        sum.clearAllButW1();
        for (int k = 0; k < pixelCount; k++) {
            touched[pixels[k]] = false;
        }
        pixelCount = 0;
        calls = 0;
    }

    /**
     * One kernel call's {@code dW1ᵀ}, read in place and zeroed: {@code W1ᵀ[j, :] -= rate · ((0 + dW1ᵀ[j, :])·inv + l2·W1ᵀ[j, :])}
     * for the {@code n} rows (every row, or the step's pixels), the same bits as the sum drained first
     * ({@code 0 + x}: the zero sum it would have been added into).
     */
    private void firstLayerStep(FirstLayerGradient g, int n, boolean allRows, double inv, double rate, double l2) {
        int hidden = shape.hidden();
        int stride = weights.stride;
        double[] d = g.dw1t;
        float[] f = g.dw1tFloat;
        for (int k = 0; k < n; k++) {
            int j = allRows ? k : pixels[k];
            int base = j * stride;
            if (f == null) {
                for (int u = base; u < base + hidden; u++) {
                    double mean = (0.0 + d[u]) * inv;
                    if (allRows) {
                        mean += l2 * w1t[u];
                    }
                    w1t[u] -= rate * mean;
                    d[u] = 0.0;
                }
            } else { // float: the kernel's W1ᵀ in float refreshed on the way
                // (a Vector API version of this loop, with its float-double conversions, measured twice as slow)
                int baseFloat = j * g.floatStride;
                float[] w1tFloat = weights.w1tFloat;
                for (int u = 0; u < hidden; u++) {
                    double mean = (0.0 + (d[base + u] + f[baseFloat + u])) * inv;
                    if (allRows) {
                        mean += l2 * w1t[base + u];
                    }
                    double w = w1t[base + u] - rate * mean;
                    w1t[base + u] = w;
                    w1tFloat[baseFloat + u] = (float) w;
                    d[base + u] = 0.0;
                    f[baseFloat + u] = 0f;
                }
            }
        }
        g.drained(); // without L2 the rows outside the step's pixels were zero already
    }

    /** The float kernel: its {@code W1ᵀ[j, :]} in float from the master row. */
    private void floatRow(int j) {
        if (weights.w1tFloat != null) {
            int base = j * weights.stride;
            int baseFloat = j * weights.floatStride;
            for (int u = 0; u < shape.hidden(); u++) {
                weights.w1tFloat[baseFloat + u] = (float) w1t[base + u];
            }
        }
    }

    /** {@code theta[off..off+n) -= rate · (g·inv + l2·theta)}, with {@link Regularization#addL2}'s order of operations. */
    private static void update(double[] theta, double[] g, int off, int n, double inv, double rate, double l2) {
        if (l2 == 0) {
            for (int i = off; i < off + n; i++) {
                theta[i] -= rate * (g[i] * inv);
            }
        } else {
            for (int i = off; i < off + n; i++) {
                double mean = g[i] * inv;
                mean += l2 * theta[i];
                theta[i] -= rate * mean;
            }
        }
    }

    /** The weights now, as the flat vector (a new array; {@code W1} in double, whatever the kernel). */
    public Parameters parameters() {
        return weights.parameters(w1t);
    }

    /** Rows over all steps taken. */
    public long rows() {
        return rows;
    }

    /** Summed loss over all steps taken (each row's loss under the weights of its step). */
    public double loss() {
        return loss;
    }

    /** Correct predictions over all steps taken. */
    public long correct() {
        return correct;
    }
}
