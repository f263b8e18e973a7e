package org.sparkdigits.core.kernel;

import java.util.Arrays;

import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.block.SparseRows;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.loss.Softmax;
import org.sparkdigits.core.loss.Targets;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

/**
 * The fast kernel: the same network and sums as {@link ReferenceKernel}, computed over each row's
 * non-zero pixels only ({@link DigitBlock#sparse()}: 19% of MNIST's pixels), forward and backward fused
 * per chunk of {@value #CHUNK_ROWS} rows so the chunk's pixels are read from cache for both passes. No
 * allocation per row or per step. Pure Java: no Spark here.
 *
 * <p>Per row {@code x} (784 pixels / 255, of which {@code nz} non-zero):
 * <pre>
 *   a    = f(b1 + Σ_{j: x_j ≠ 0} x_j · W1ᵀ[j, :])        [hidden]     nz·H multiply-adds
 *   z    = b2 + W2 a                                        [classes]    10·H
 *   p    = softmax(z);  loss += log Σ exp(z - max) - (z_y - max);  dz = p - e_y   (smoothed or distilled: see Targets)
 *   db2 += dz;  dW2 += dz aᵀ                                             10·H
 *   d1   = (W2ᵀ dz) ∘ f'(a);  db1 += d1                                  10·H
 *   dW1ᵀ[j, :] += x_j · d1   for every non-zero x_j                      nz·H
 * </pre>
 * {@code W1ᵀ [inputs x stride]} is a transposed copy made once per kernel so that the hidden units of one
 * pixel are contiguous; {@code dW1ᵀ}, {@code db1} and {@code dW2} are accumulated in the kernel's layout and
 * added to the flat gradient once per call. Sums agree with {@link ReferenceKernel} to rounding (about 1e-15
 * relative; the order of additions differs).
 *
 * <p>Two implementations of the loops, bit-identical to each other (zeros' signs aside): plain Java loops
 * ({@link ScalarLoops}, {@link KernelKind#SPARSE}), and {@link VectorLoops} on the Java Vector API ({@link KernelKind#SIMD}), where the
 * hidden units are padded to {@code stride}, a whole number of vectors (padding zero), and each pass over a
 * chunk handles 32 hidden units at a time so that the touched part of {@code W1ᵀ} and {@code dW1ᵀ} stays in
 * the core's cache even for large H.
 */
public final class SparseKernel implements Kernel {

    /** Rows per chunk. */
    public static final int CHUNK_ROWS = 32;

    /** Pixel value to input: {@code i / 255}. */
    static final double[] SCALE = ReferenceKernel.SCALE;
    /** The same in single precision. */
    static final float[] SCALE_FLOAT = new float[256];
    /** Float mode: chunks whose weight gradient is summed in float before it is added to the double sums. */
    static final int FLUSH_CHUNKS = 8;

    static {
        for (int i = 0; i < 256; i++) {
            SCALE_FLOAT[i] = (float) SCALE[i];
        }
    }

    private final NetworkShape shape;
    private final Activation activation;
    private final int inputs;
    private final int hidden;
    private final int classes;
    private final boolean simd;
    private final int stride;       // hidden, or hidden padded to whole vectors with simd
    private final int classStride;  // classes, or classes padded to whole vectors with simd
    // the weights in this layout are read, never written: they may be shared (KernelWeights)
    private final double[] w1t;     // [inputs x stride] W1ᵀ (null in float mode)
    // float mode (FloatLoops): the first layer's products in single precision
    private final boolean single;
    private final int floatStride;  // hidden padded to whole float vectors
    private final float[] w1tFloat; // [inputs x floatStride] W1ᵀ
    private final float[] b1Float;
    private final float[] actFloat; // [CHUNK_ROWS x floatStride] Z1 before the activation
    private final float[] deltaFloat; // [CHUNK_ROWS x floatStride] dZ1
    private final double[] b1;      // [hidden]
    private final double[] w2;      // [classes x stride] W2
    private final double[] w2t;     // [stride x classStride] W2ᵀ
    private final double[] b2;      // [classStride]
    // per chunk
    private final int[] rowStart = new int[CHUNK_ROWS];
    private final int[] rowEnd = new int[CHUNK_ROWS];
    private final double[] act;     // [CHUNK_ROWS x stride] Z1, then A1
    private final double[] delta;   // [CHUNK_ROWS x stride] dZ1
    private final double[] z;       // [classStride] logits, then probabilities, then dZ2 of one row
    // with dropout, made on the first gradient call that drops
    private double[] mask;          // [CHUNK_ROWS x stride] 0 or 1/(1-P) per hidden unit (padding 0)
    private double[] dropped;       // [CHUNK_ROWS x stride] A1 ∘ mask
    // gradient accumulators, made on the first gradient call
    private FirstLayerGradient w1Gradient; // dW1ᵀ, chunk by chunk
    private double[] dw2;           // [classes x stride]
    private double[] db1;           // [stride]
    private long correctRows;       // of the last accumulate()

    /** The plain-loop kernel. */
    public SparseKernel(Parameters parameters, Activation activation) {
        this(parameters, activation, Loops.SCALAR);
    }

    /**
     * @param loops which loops to run ({@code VECTOR} and {@code FLOAT} need the {@code jdk.incubator.vector} module:
     *              check {@link KernelKind#simdAvailable()} first)
     */
    public SparseKernel(Parameters parameters, Activation activation, Loops loops) {
        this(KernelWeights.of(parameters, loops == Loops.SCALAR ? KernelKind.SPARSE
                : loops == Loops.FLOAT ? KernelKind.FLOAT : KernelKind.SIMD), activation);
    }

    /**
     * A kernel that reads {@code weights}' arrays in place (never writing them: tasks of one executor may share them).
     * The layout must fit this JVM ({@link #fits}).
     */
    SparseKernel(KernelWeights weights, Activation activation) {
        Loops loops = weights.loops;
        boolean simd = loops != Loops.SCALAR;
        this.single = loops == Loops.FLOAT;
        this.shape = weights.shape;
        this.activation = activation;
        this.inputs = shape.inputs();
        this.hidden = shape.hidden();
        this.classes = shape.classes();
        this.simd = simd;
        this.stride = weights.stride;
        this.classStride = weights.classStride;
        this.b1 = weights.b1;
        this.w1t = weights.w1t;
        if (single) {
            this.floatStride = weights.floatStride;
            this.w1tFloat = weights.w1tFloat;
            this.b1Float = weights.b1Float;
            this.actFloat = new float[CHUNK_ROWS * floatStride];
            this.deltaFloat = new float[CHUNK_ROWS * floatStride];
        } else {
            this.floatStride = 0;
            this.w1tFloat = null;
            this.b1Float = null;
            this.actFloat = null;
            this.deltaFloat = null;
        }
        this.w2 = weights.w2;
        this.w2t = weights.w2t;
        this.b2 = weights.b2;
        this.act = new double[CHUNK_ROWS * stride];
        this.delta = new double[CHUNK_ROWS * stride];
        this.z = new double[classStride];
    }

    /** Whether this JVM's loops can run on {@code weights}' layout: its strides whole vectors here. */
    static boolean fits(KernelWeights weights) {
        Loops loops = weights.loops;
        int hidden = weights.shape.hidden();
        if (loops == Loops.SCALAR) {
            return weights.stride == hidden && weights.classStride == weights.shape.classes();
        }
        if (!KernelKind.simdAvailable()) {
            return false;
        }
        boolean doubles = weights.stride >= hidden && weights.stride == VectorLoops.stride(weights.stride)
                && weights.classStride == VectorLoops.stride(weights.classStride);
        return loops == Loops.VECTOR ? doubles
                : doubles && weights.floatStride >= hidden && weights.floatStride == FloatLoops.stride(weights.floatStride);
    }

    @Override
    public NetworkShape shape() {
        return shape;
    }

    @Override
    public Activation activation() {
        return activation;
    }

    @Override
    public void accumulateGradient(DigitBlock block, int[] order, int from, int to, GradientSum sum, Dropout dropout,
                                   Targets smoothing) {
        check(block, true);
        if (to <= from) {
            return;
        }
        double[] g = sum.raw();
        // the sum may take the rows and their deltas instead of dW1 (DeltaRows: a task's compact result)
        DeltaRows deltas = sum.deltaRows(loops(), inputs, hidden, stride, floatStride);
        double loss = accumulate(block, order, from, to, dropout, smoothing, deltas, g, shape.b2Offset());
        sum.addRows(loss, to - from, correctRows);
        // dW1 [hidden x inputs] (flat, row-major) += (dW1ᵀ)ᵀ;  db1, dW2 += their accumulators
        if (deltas == null) {
            w1Gradient.end(g, shape.w1Offset());
        }
        int b1o = shape.b1Offset();
        for (int u = 0; u < hidden; u++) {
            g[b1o + u] += db1[u];
        }
        int w2o = shape.w2Offset();
        for (int c = 0; c < classes; c++) {
            for (int u = 0; u < hidden; u++) {
                g[w2o + c * hidden + u] += dw2[c * stride + u];
            }
        }
    }

    /**
     * The same sums as {@link #accumulateGradient(DigitBlock, int[], int, int, GradientSum, Dropout, Targets)},
     * added into {@code into}, which holds them in this kernel's own layout ({@link LocalSgd}: no transposition), all
     * but {@code dW1ᵀ}: that stays in {@link #firstLayer()}, to be drained before the next call.
     */
    void accumulateGradient(DigitBlock block, int[] order, int from, int to, Dropout dropout, Targets smoothing,
                            LayoutGradient into) {
        check(block, true);
        if (to <= from) {
            return;
        }
        double loss = accumulate(block, order, from, to, dropout, smoothing, null, into.b2, 0);
        into.loss += loss;
        into.count += to - from;
        into.correct += correctRows;
        for (int u = 0; u < hidden; u++) {
            into.b1[u] += db1[u];
        }
        for (int c = 0; c < classes; c++) {
            for (int u = c * stride; u < c * stride + hidden; u++) {
                into.w2[u] += dw2[u];
            }
        }
    }

    /** The first layer's gradient of the last call (LocalSgd's), made on the first gradient call. */
    FirstLayerGradient firstLayer() {
        return w1Gradient;
    }

    /**
     * Forward and backward over rows {@code order[from..to)}: dW1ᵀ into {@link #w1Gradient} (or the rows' deltas into
     * {@code deltas}), db1 and dW2 into their accumulators, db2 straight into {@code b2Sum[b2Offset ..]}. Returns the
     * summed loss; the correct count is left in {@link #correctRows}.
     */
    private double accumulate(DigitBlock block, int[] order, int from, int to, Dropout dropout, Targets smoothing,
                              DeltaRows deltas, double[] b2Sum, int b2o) {
        SparseRows rows = block.sparse();
        byte[] labels = block.labels();
        boolean drop = dropout.active();
        begin(deltas, drop);
        double[] a = drop ? dropped : act;   // what the output layer sees
        double loss = 0;
        correctRows = 0;
        for (int c0 = from; c0 < to; c0 += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, to - c0);
            forwardChunk(rows, order, c0, n);
            if (drop) {
                dropUnits(block, order, c0, n, dropout);
            }
            for (int i = 0; i < n; i++) {
                int y = labels[order == null ? c0 + i : order[c0 + i]];
                loss += backwardRow(a, i * stride, y, c0 + i - from, smoothing, b2Sum, b2o, drop);
            }
            // dW1ᵀ[j, :] += x_j · d1 over every row's non-zero pixels
            if (single) {
                deltasToFloat(n);
            }
            if (deltas != null) {
                deltas.addChunk(rows.columns(), rows.values(), rowStart, rowEnd, n, delta, deltaFloat);
            } else {
                w1Gradient.addChunk(rows.columns(), rows.values(), rowStart, rowEnd, n, delta, deltaFloat);
            }
        }
        return loss;
    }

    /** Zeroes (or makes) the accumulators of db1, dW2 and dW1ᵀ (or begins {@code deltas}' segment), and dropout's. */
    private void begin(DeltaRows deltas, boolean drop) {
        if (dw2 == null) {
            dw2 = new double[classes * stride];
            db1 = new double[stride];
        } else {
            Arrays.fill(dw2, 0.0);
            Arrays.fill(db1, 0.0);
        }
        if (deltas != null) {
            deltas.beginSegment();
        } else {
            if (w1Gradient == null) {
                w1Gradient = new FirstLayerGradient(loops(), inputs, hidden, stride, floatStride);
            }
            w1Gradient.begin();
        }
        if (drop && mask == null) {
            mask = new double[CHUNK_ROWS * stride];
            dropped = new double[CHUNK_ROWS * stride];
        }
    }

    /** The chunk's dropout masks (each a pure function of its row's key) and the dropped activations. */
    private void dropUnits(DigitBlock block, int[] order, int c0, int n, Dropout dropout) {
        for (int i = 0; i < n; i++) {
            int off = i * stride;
            long key = block.rowKey(order == null ? c0 + i : order[c0 + i]);
            if (simd) {
                VectorLoops.dropoutMask(dropout, key, mask, off, hidden);
            } else {
                dropout.fill(key, mask, off, hidden);
            }
            for (int u = off; u < off + hidden; u++) {
                dropped[u] = act[u] * mask[u];
            }
        }
    }

    /**
     * One row's output layer and backward pass: db2 into {@code b2Sum}, dW2 and db1 into their accumulators, the row's
     * first-layer delta d1 into {@link #delta} at {@code off}, a correct prediction counted. Returns the row's loss.
     *
     * @param a   what the output layer sees (the activations, dropped or not) [chunk x stride]
     * @param row the row's index within the call, for targets that differ by row (distillation)
     */
    private double backwardRow(double[] a, int off, int y, int row, Targets smoothing, double[] b2Sum, int b2o,
                               boolean drop) {
        logits(a, off);
        double loss = smoothing.softmaxLoss(z, 0, classes, y, row);
        if (Softmax.argmax(z, 0, classes) == y) {
            correctRows++;
        }
        smoothing.subtractTargets(z, 0, classes, y, row);
        for (int c = 0; c < classes; c++) {
            b2Sum[b2o + c] += z[c];
        }
        // dW2 += dz aᵀ, d1 = W2ᵀ dz
        if (simd) {
            VectorLoops.secondLayerBackward(z, classes, w2, dw2, stride, a, delta, off);
        } else {
            ScalarLoops.secondLayerBackward(z, classes, w2, dw2, stride, a, delta, off);
        }
        if (drop) { // d1 ∘ mask
            for (int u = off; u < off + hidden; u++) {
                delta[u] *= mask[u];
            }
        }
        // d1 ∘ f'(a) (zero for inactive ReLU units), db1
        if (activation == Activation.RELU && simd) {
            VectorLoops.reluBackward(act, delta, db1, off, stride);
        } else if (activation == Activation.RELU) {
            ScalarLoops.reluBackward(act, delta, db1, off, stride);
        } else {
            for (int u = 0; u < hidden; u++) {
                double h = act[off + u];
                delta[off + u] *= h * (1.0 - h);
                db1[u] += delta[off + u];
            }
        }
        return loss;
    }

    /** The chunk's deltas in single precision, for the float kernel's first-layer product. */
    private void deltasToFloat(int n) {
        for (int i = 0; i < n; i++) {
            int off = i * stride;
            int offFloat = i * floatStride;
            for (int u = 0; u < hidden; u++) {
                deltaFloat[offFloat + u] = (float) delta[off + u];
            }
        }
    }

    @Override
    public void evaluate(DigitBlock block, Evaluation evaluation) {
        check(block, true);
        SparseRows rows = block.sparse();
        byte[] labels = block.labels();
        for (int c0 = 0; c0 < block.rows(); c0 += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, block.rows() - c0);
            forwardChunk(rows, null, c0, n);
            for (int i = 0; i < n; i++) {
                logits(act, i * stride);
                int y = labels[c0 + i];
                double rowLoss = Softmax.softmaxInPlace(z, 0, classes, y);
                evaluation.addRow(y, Softmax.argmax(z, 0, classes), rowLoss);
            }
        }
    }

    @Override
    public void predict(DigitBlock block, byte[] predicted, double[] probabilities) {
        check(block, false);
        SparseRows rows = block.sparse();
        for (int c0 = 0; c0 < block.rows(); c0 += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, block.rows() - c0);
            forwardChunk(rows, null, c0, n);
            for (int i = 0; i < n; i++) {
                int row = c0 + i;
                logits(act, i * stride);
                Softmax.softmaxInPlace(z, 0, classes, 0);
                predicted[row] = (byte) Softmax.argmax(z, 0, classes);
                if (probabilities != null) {
                    System.arraycopy(z, 0, probabilities, row * classes, classes);
                }
            }
        }
    }

    private Loops loops() {
        return single ? Loops.FLOAT : simd ? Loops.VECTOR : Loops.SCALAR;
    }

    /**
     * Rows {@code order[c0..c0+n)} (or {@code c0..c0+n}): records where their pixels are and fills
     * {@code act[i·stride ..]} with {@code f(b1 + W1 x_i)}.
     */
    private void forwardChunk(SparseRows rows, int[] order, int c0, int n) {
        int[] start = rows.start();
        for (int i = 0; i < n; i++) {
            int row = order == null ? c0 + i : order[c0 + i];
            rowStart[i] = start[row];
            rowEnd[i] = start[row + 1];
            if (single) {
                System.arraycopy(b1Float, 0, actFloat, i * floatStride, hidden);
            } else {
                System.arraycopy(b1, 0, act, i * stride, hidden);
            }
        }
        short[] cols = rows.columns();
        byte[] vals = rows.values();
        if (single) {
            FloatLoops.firstLayerForward(w1tFloat, floatStride, cols, vals, rowStart, rowEnd, n, SCALE_FLOAT, actFloat);
            for (int i = 0; i < n; i++) {
                int off = i * stride;
                int offFloat = i * floatStride;
                for (int u = 0; u < hidden; u++) {
                    act[off + u] = actFloat[offFloat + u];
                }
            }
        } else if (simd) {
            VectorLoops.firstLayerForward(w1t, stride, cols, vals, rowStart, rowEnd, n, SCALE, act);
        } else {
            ScalarLoops.firstLayerForward(w1t, stride, cols, vals, rowStart, rowEnd, n, SCALE, act);
        }
        int total = n * stride;
        if (activation == Activation.RELU && simd) {
            VectorLoops.relu(act, total);
        } else if (activation == Activation.RELU) {
            ScalarLoops.relu(act, total);
        } else {
            for (int i = 0; i < n; i++) {
                for (int u = i * stride; u < i * stride + hidden; u++) {
                    act[u] = 1.0 / (1.0 + Math.exp(-act[u]));
                }
            }
        }
    }

    /** {@code z = b2 + W2 a} for the activations at {@code a[off ..]}. */
    private void logits(double[] a, int off) {
        if (simd) {
            VectorLoops.logits(w2t, classStride, b2, a, off, hidden, z);
        } else {
            ScalarLoops.logits(w2t, classStride, b2, a, off, hidden, z);
        }
    }

    private void check(DigitBlock block, boolean needLabels) {
        if (block.inputs() != inputs) {
            throw new IllegalArgumentException("block has " + block.inputs() + " inputs, network " + inputs);
        }
        if (needLabels && !block.labelled()) {
            throw new IllegalArgumentException("this block has no labels");
        }
    }
}
