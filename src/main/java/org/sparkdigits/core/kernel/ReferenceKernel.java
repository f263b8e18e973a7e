package org.sparkdigits.core.kernel;

import org.ojalgo.OjAlgoUtils;
import org.ojalgo.matrix.store.R064Store;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.loss.Softmax;
import org.sparkdigits.core.loss.Targets;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

/**
 * Forward and backward passes of {@code inputs -> hidden (ReLU or sigmoid) -> classes (softmax)} with
 * cross-entropy loss, over a {@link DigitBlock}, on ojAlgo matrices. Pure Java: no Spark here.
 *
 * <p>The block is processed in chunks of {@code n} rows, samples as columns (as in the notebooks):
 * <pre>
 *   X   [inputs  x n]   pixels / 255
 *   Z1  = W1 X + b1      [hidden x n]     A1 = f(Z1)  (f = ReLU or sigmoid)
 *   Z2  = W2 A1 + b2     [classes x n]    P  = softmax(Z2) per column (max subtracted first)
 *   loss = sum_i  log(sum_c exp(Z2[c,i] - m_i)) - (Z2[y_i,i] - m_i)
 *   dZ2 = P - Y   (Y one-hot, smoothed or distilled: Targets)  [classes x n]
 *   dW2ᵀ += A1 dZ2ᵀ        [hidden x classes]   db2 += row sums of dZ2 (per unit, not one scalar)
 *   dZ1 = (W2ᵀ dZ2) ∘ f'(Z1)   (ReLU: [A1 > 0]; sigmoid: A1 (1 - A1))  [hidden x n]
 *   dW1ᵀ += X dZ1ᵀ         [inputs x hidden]    db1 += row sums of dZ1
 * </pre>
 * {@code dW1ᵀ} and {@code dW2ᵀ} in ojAlgo's column-major order are exactly the row-major flat layout of
 * {@link NetworkShape}, so the products land in the flat gradient without reordering.
 *
 * <p>Results are sums, never means. An instance holds the layer copies of one parameter set and
 * per-chunk work buffers; it is not thread-safe (one per task).
 */
public final class ReferenceKernel implements Kernel {

    /** Rows per chunk: X of a chunk is {@code 784 * 128} doubles (800 KB). */
    public static final int DEFAULT_CHUNK_ROWS = 128;

    /** Pixel value to input: {@code i / 255}; shared with {@link SparseKernel}. */
    static final double[] SCALE = new double[256];

    static {
        for (int i = 0; i < 256; i++) {
            SCALE[i] = i / 255.0;
        }
        // One Spark task per core: ojAlgo must not start threads of its own inside a task.
        OjAlgoUtils.limitThreadsTo(1);
    }

    private final NetworkShape shape;
    private final Activation activation;
    private final R064Store w1;          // [hidden x inputs]
    private final R064Store w2;          // [classes x hidden]
    private final R064Store w2t;         // [hidden x classes]
    private final double[] b1;
    private final double[] b2;
    private final int chunkRows;
    private Workspace full;
    private Workspace tail;

    /** A ReLU network. */
    public ReferenceKernel(Parameters parameters) {
        this(parameters, Activation.RELU, DEFAULT_CHUNK_ROWS);
    }

    /** A ReLU network processing {@code chunkRows} rows at a time. */
    public ReferenceKernel(Parameters parameters, int chunkRows) {
        this(parameters, Activation.RELU, chunkRows);
    }

    public ReferenceKernel(Parameters parameters, Activation activation) {
        this(parameters, activation, DEFAULT_CHUNK_ROWS);
    }

    public ReferenceKernel(Parameters parameters, Activation activation, int chunkRows) {
        this.activation = activation;
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunkRows must be positive, got " + chunkRows);
        }
        this.shape = parameters.shape();
        this.w1 = parameters.w1();
        this.w2 = parameters.w2();
        this.w2t = parameters.w2Transposed();
        this.b1 = parameters.b1();
        this.b2 = parameters.b2();
        this.chunkRows = chunkRows;
    }

    public NetworkShape shape() {
        return shape;
    }

    public Activation activation() {
        return activation;
    }

    /** Adds the summed gradient, loss, count and correct count of every row of {@code block} into {@code sum}. */
    public void accumulateGradient(DigitBlock block, GradientSum sum) {
        accumulateGradient(block, null, 0, block.rows(), sum);
    }

    /**
     * Adds the sums over rows {@code order[from..to)} of {@code block} (rows {@code from..to} when
     * {@code order} is null) into {@code sum}: how a mini-batch step reads its slice of a permuted block.
     */
    public void accumulateGradient(DigitBlock block, int[] order, int from, int to, GradientSum sum) {
        accumulateGradient(block, order, from, to, sum, Dropout.NONE);
    }

    /**
     * The same with {@code dropout}'s masks on the hidden layer: {@code A1d = A1 ∘ M} feeds {@code Z2} and
     * {@code dW2}, and {@code dZ1 = (W2ᵀ dZ2) ∘ M ∘ f'(Z1)}.
     */
    @Override
    public void accumulateGradient(DigitBlock block, int[] order, int from, int to, GradientSum sum, Dropout dropout,
                                   Targets smoothing) {
        requireLabels(block);
        double[] g = sum.gradient();
        int k = shape.classes();
        for (int r0 = from; r0 < to; r0 += chunkRows) {
            int n = Math.min(chunkRows, to - r0);
            Workspace ws = workspace(n);
            forward(block, order, r0, ws, dropout);
            double loss = 0;
            long right = 0;
            // softmax, loss, dZ2 = P - T in place (T: the one-hot or smoothed targets)
            double[] z2 = ws.z2.data;
            for (int i = 0; i < n; i++) {
                int y = block.label(order == null ? r0 + i : order[r0 + i]);
                int base = i * k;
                loss += smoothing.softmaxLoss(z2, base, k, y, r0 + i - from);
                if (Softmax.argmax(z2, base, k) == y) {
                    right++;
                }
                smoothing.subtractTargets(z2, base, k, y, r0 + i - from);
            }
            sum.addRows(loss, n, right);
            backward(ws, n, g, dropout.active());
        }
    }

    /** Adds the confusion counts and loss of every row of {@code block} into {@code evaluation}. */
    public void evaluate(DigitBlock block, Evaluation evaluation) {
        requireLabels(block);
        int k = shape.classes();
        forwardInChunks(block, (r0, n, z2) -> {
            for (int i = 0; i < n; i++) {
                int y = block.label(r0 + i);
                double rowLoss = Softmax.softmaxInPlace(z2, i * k, k, y);
                evaluation.addRow(y, Softmax.argmax(z2, i * k, k), rowLoss);
            }
        });
    }

    /**
     * Predicts every row of {@code block}.
     *
     * @param predicted     out: the most probable class per row, length {@code rows}
     * @param probabilities out, or {@code null}: {@code [rows x classes]} row-major softmax outputs
     */
    public void predict(DigitBlock block, byte[] predicted, double[] probabilities) {
        int k = shape.classes();
        forwardInChunks(block, (r0, n, z2) -> {
            for (int i = 0; i < n; i++) {
                Softmax.softmaxInPlace(z2, i * k, k, 0);
                predicted[r0 + i] = (byte) Softmax.argmax(z2, i * k, k);
                if (probabilities != null) {
                    System.arraycopy(z2, i * k, probabilities, (r0 + i) * k, k);
                }
            }
        });
    }

    /** The logits of rows {@code [r0, r0 + n)}: {@code z2} is {@code [n x classes]}, row-major. */
    private interface ChunkLogits {
        void accept(int r0, int n, double[] z2);
    }

    /** Runs the forward pass (no dropout) over {@code block} in chunks of {@code chunkRows}, handing each one's logits on. */
    private void forwardInChunks(DigitBlock block, ChunkLogits then) {
        for (int r0 = 0; r0 < block.rows(); r0 += chunkRows) {
            int n = Math.min(chunkRows, block.rows() - r0);
            Workspace ws = workspace(n);
            forward(block, null, r0, ws, Dropout.NONE);
            then.accept(r0, n, ws.z2.data);
        }
    }

    /**
     * Fills X, computes A1 = f(Z1) and Z2 for rows {@code order[r0..r0+n)} (or {@code r0..r0+n}); with
     * dropout also the mask M and A1d = A1 ∘ M, from which Z2 is computed.
     */
    private void forward(DigitBlock block, int[] order, int r0, Workspace ws, Dropout dropout) {
        int d = shape.inputs();
        int h = shape.hidden();
        int k = shape.classes();
        int n = ws.n;
        if (block.inputs() != d) {
            throw new IllegalArgumentException("block has " + block.inputs() + " inputs, network " + d);
        }
        byte[] px = block.pixels();
        double[] x = ws.x.data;
        if (order == null) {
            int src = r0 * d;
            for (int i = 0; i < n * d; i++) {
                x[i] = SCALE[px[src + i] & 0xFF];
            }
        } else {
            for (int i = 0; i < n; i++) {
                int src = order[r0 + i] * d;
                int dst = i * d;
                for (int j = 0; j < d; j++) {
                    x[dst + j] = SCALE[px[src + j] & 0xFF];
                }
            }
        }
        ws.a1.fillByMultiplying(w1, ws.x);
        double[] a1 = ws.a1.data;
        for (int i = 0; i < n; i++) {
            int base = i * h;
            for (int u = 0; u < h; u++) {
                a1[base + u] = activation.apply(a1[base + u] + b1[u]);
            }
        }
        R064Store hiddenOut = ws.a1;
        if (dropout.active()) {
            ws.dropping();
            double[] m = ws.mask;
            double[] a1d = ws.a1d.data;
            for (int i = 0; i < n; i++) {
                int base = i * h;   // column i of [h x n]: row i's hidden units, contiguous
                dropout.fill(block.rowKey(order == null ? r0 + i : order[r0 + i]), m, base, h);
                for (int u = base; u < base + h; u++) {
                    a1d[u] = a1[u] * m[u];
                }
            }
            hiddenOut = ws.a1d;
        }
        ws.z2.fillByMultiplying(w2, hiddenOut);
        double[] z2 = ws.z2.data;
        for (int i = 0; i < n; i++) {
            int base = i * k;
            for (int c = 0; c < k; c++) {
                z2[base + c] += b2[c];
            }
        }
    }

    /** Given dZ2 in {@code ws.z2}, adds dW1, db1, dW2, db2 of the chunk into the flat gradient {@code g}. */
    private void backward(Workspace ws, int n, double[] g, boolean dropped) {
        int d = shape.inputs();
        int h = shape.hidden();
        int k = shape.classes();
        double[] dz2 = ws.z2.data;
        double[] a1 = ws.a1.data;

        // dW2ᵀ [h x k] = A1 [h x n] · dZ2ᵀ [n x k]; db2 = row sums of dZ2
        transpose(dz2, k, n, ws.dz2t.data);
        ws.dw2t.fillByMultiplying(dropped ? ws.a1d : ws.a1, ws.dz2t);
        addInto(g, shape.w2Offset(), ws.dw2t.data);
        int b2o = shape.b2Offset();
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                g[b2o + c] += dz2[i * k + c];
            }
        }

        // dZ1 [h x n] = (W2ᵀ [h x k] · dZ2 [k x n]) ∘ f'(Z1); db1 = row sums of dZ1
        ws.dz1.fillByMultiplying(w2t, ws.z2);
        double[] dz1 = ws.dz1.data;
        int b1o = shape.b1Offset();
        for (int i = 0; i < n; i++) {
            int base = i * h;
            for (int u = 0; u < h; u++) {
                if (dropped) {
                    dz1[base + u] *= ws.mask[base + u];
                }
                dz1[base + u] *= activation.derivativeFromOutput(a1[base + u]);
                g[b1o + u] += dz1[base + u];
            }
        }

        // dW1ᵀ [d x h] = X [d x n] · dZ1ᵀ [n x h]
        transpose(dz1, h, n, ws.dz1t.data);
        ws.dw1t.fillByMultiplying(ws.x, ws.dz1t);
        addInto(g, shape.w1Offset(), ws.dw1t.data);
        assert ws.dw1t.data.length == d * h;
    }

    /** {@code out [cols x rows]} column-major = transpose of {@code in [rows x cols]} column-major. */
    private static void transpose(double[] in, int rows, int cols, double[] out) {
        for (int c = 0; c < cols; c++) {
            int base = c * rows;
            for (int r = 0; r < rows; r++) {
                out[r * cols + c] = in[base + r];
            }
        }
    }

    private static void addInto(double[] g, int offset, double[] values) {
        for (int i = 0; i < values.length; i++) {
            g[offset + i] += values[i];
        }
    }

    private static void requireLabels(DigitBlock block) {
        if (!block.labelled()) {
            throw new IllegalArgumentException("this block has no labels");
        }
    }

    private Workspace workspace(int n) {
        if (n == chunkRows) {
            if (full == null) {
                full = new Workspace(shape, n);
            }
            return full;
        }
        if (tail == null || tail.n != n) {
            tail = new Workspace(shape, n);
        }
        return tail;
    }

    /** Work buffers for a chunk of {@code n} rows, reused across chunks and calls. */
    private static final class Workspace {
        final int n;
        final R064Store x;     // [d x n]
        final R064Store a1;    // [h x n]  Z1, then A1
        final R064Store z2;    // [k x n]  Z2, then P, then dZ2
        final R064Store dz2t;  // [n x k]
        final R064Store dw2t;  // [h x k]
        final R064Store dz1;   // [h x n]
        final R064Store dz1t;  // [n x h]
        final R064Store dw1t;  // [d x h]
        R064Store a1d;         // [h x n]  A1 ∘ M, with dropout
        double[] mask;         // [h x n]  M, with dropout

        Workspace(NetworkShape s, int n) {
            this.n = n;
            int d = s.inputs();
            int h = s.hidden();
            int k = s.classes();
            x = R064Store.FACTORY.make(d, n);
            a1 = R064Store.FACTORY.make(h, n);
            z2 = R064Store.FACTORY.make(k, n);
            dz2t = R064Store.FACTORY.make(n, k);
            dw2t = R064Store.FACTORY.make(h, k);
            dz1 = R064Store.FACTORY.make(h, n);
            dz1t = R064Store.FACTORY.make(n, h);
            dw1t = R064Store.FACTORY.make(d, h);
        }

        /** Makes the dropout buffers if not yet made. */
        void dropping() {
            if (mask == null) {
                a1d = R064Store.FACTORY.make(a1.countRows(), n);
                mask = new double[(int) a1.count()];
            }
        }
    }
}
