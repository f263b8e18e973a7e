package org.sparkdigits.core.kernel;

import java.util.Arrays;

/**
 * The first layer's weight gradient as {@link SparseKernel} accumulates it: {@code dW1ᵀ [inputs x stride]} summed chunk
 * by chunk of rows ({@code dW1ᵀ[j, :] += x_ij · d1_i} over each row's non-zero pixels), then added into the flat
 * gradient's {@code W1 [hidden x inputs]}. In float mode the chunks are summed in float and added into the double
 * accumulator every {@link SparseKernel#FLUSH_CHUNKS} chunks.
 *
 * <p>One class for the two places that run it: the kernel in its task, and {@link DeltaRows#addTo} on the driver,
 * which replays the tasks' chunks with the same loops from their compact results.
 */
final class FirstLayerGradient {

    private final Loops loops;
    private final int inputs;
    private final int hidden;
    final int stride;       // of dw1t (and of delta in double mode)
    final int floatStride;  // of dw1tFloat and deltaFloat in float mode
    final double[] dw1t;    // read and zeroed in place by LocalSgd (then drained())
    final float[] dw1tFloat;
    private final ChunkColumns columns;
    private int unflushed;
    /**
     * Whether dw1t may hold anything (double mode: always after a chunk; float mode: after a flush). False at first:
     * new arrays are zero, so the first {@link #begin} clears nothing.
     */
    private boolean flushed;
    /** Whether dw1tFloat may hold anything: a chunk was added since it was last zeroed. */
    private boolean dirtyFloat;
    /**
     * Float mode: the pixels whose rows of dw1tFloat chunks added to since the last flush, in {@code touchedList[0..
     * touchedCount)}; every other row of dw1tFloat is zero, so a flush adds those rows only (a call of a few rows
     * touches a fraction of the 784 pixels, and the collective engine's replay flushes at every call's end).
     */
    private final boolean[] touched;
    private final int[] touchedList;
    private int touchedCount;

    FirstLayerGradient(Loops loops, int inputs, int hidden, int stride, int floatStride) {
        this.loops = loops;
        this.inputs = inputs;
        this.hidden = hidden;
        this.stride = stride;
        this.floatStride = floatStride;
        this.dw1t = new double[inputs * stride];
        this.dw1tFloat = loops == Loops.FLOAT ? new float[inputs * floatStride] : null;
        this.touched = dw1tFloat == null ? null : new boolean[inputs];
        this.touchedList = dw1tFloat == null ? null : new int[inputs];
        // without simd, VectorLoops must not even be loaded (its class needs the Vector API module)
        boolean byRow = loops == Loops.SCALAR
                || (loops == Loops.FLOAT ? FloatLoops.byRow(floatStride) : VectorLoops.byRow(stride));
        this.columns = byRow ? null : new ChunkColumns(inputs);
    }

    /**
     * This thread's accumulator of these dimensions, made once and reused (a replay per step would otherwise allocate
     * megabytes a step, beyond the young generation's regions at large H); callers start it with {@link #begin}, which
     * clears what the last sum left. One per thread: a replay in ranges runs each range on its own thread.
     */
    static FirstLayerGradient reused(Loops loops, int inputs, int hidden, int stride, int floatStride) {
        java.lang.ref.SoftReference<FirstLayerGradient> r = REUSED.get();
        FirstLayerGradient f = r == null ? null : r.get();
        if (f == null || f.loops != loops || f.inputs != inputs || f.hidden != hidden || f.stride != stride
                || f.floatStride != floatStride) {
            f = new FirstLayerGradient(loops, inputs, hidden, stride, floatStride);
            REUSED.set(new java.lang.ref.SoftReference<>(f));   // soft: memory short, the collector may take it
        }
        return f;
    }

    private static final ThreadLocal<java.lang.ref.SoftReference<FirstLayerGradient>> REUSED = new ThreadLocal<>();

    /** Starts a new sum (zero). */
    void begin() {
        if (flushed) {
            Arrays.fill(dw1t, 0.0);
            flushed = false;
        }
        if (dw1tFloat != null && dirtyFloat) {
            Arrays.fill(dw1tFloat, 0f);
        }
        dirtyFloat = false;
        unflushed = 0;
        untouch();
    }

    /**
     * Adds one chunk: rows {@code i < n}, whose non-zero pixels are {@code [rowStart[i], rowEnd[i])} of
     * {@code cols}/{@code vals}, with hidden deltas {@code delta [n x stride]} (double mode) or
     * {@code deltaFloat [n x floatStride]} (float mode).
     */
    void addChunk(short[] cols, byte[] vals, int[] rowStart, int[] rowEnd, int n, double[] delta, float[] deltaFloat) {
        switch (loops) {
            case FLOAT -> {
                // a full float sum is added into the double one when the next chunk comes, not at once: when the sum
                // ends instead, end() adds it on the way (the same two additions, one pass over the arrays fewer)
                if (unflushed == SparseKernel.FLUSH_CHUNKS) {
                    flush();
                }
                dirtyFloat = true;
                if (columns == null) {
                    for (int i = 0; i < n; i++) {
                        for (int k = rowStart[i]; k < rowEnd[i]; k++) {
                            touch(cols[k]);
                        }
                    }
                    FloatLoops.firstLayerBackwardByRow(dw1tFloat, floatStride, cols, vals, rowStart, rowEnd, n,
                            SparseKernel.SCALE_FLOAT, deltaFloat);
                } else {
                    columns.build(cols, vals, rowStart, rowEnd, n, null, SparseKernel.SCALE_FLOAT);
                    int[] pixel = columns.pixel();
                    for (int k = 0, m = columns.pixels(); k < m; k++) {
                        touch(pixel[k]);
                    }
                    FloatLoops.firstLayerBackward(dw1tFloat, floatStride, columns, deltaFloat);
                }
                unflushed++;
            }
            case VECTOR -> {
                if (columns == null) {
                    VectorLoops.firstLayerBackwardByRow(dw1t, stride, cols, vals, rowStart, rowEnd, n, SparseKernel.SCALE,
                            delta);
                } else {
                    columns.build(cols, vals, rowStart, rowEnd, n, SparseKernel.SCALE);
                    VectorLoops.firstLayerBackward(dw1t, stride, columns, delta);
                }
            }
            case SCALAR -> ScalarLoops.firstLayerBackwardByRow(dw1t, stride, cols, vals, rowStart, rowEnd, n,
                    SparseKernel.SCALE, delta);
        }
    }

    /**
     * Float mode: adds the float sums into the double ones now, so that the next chunks start a float sum of their
     * own (a new kernel call's rows, in a replay); double mode: nothing. Not needed before {@link #end}, which adds
     * them on the way.
     */
    void boundary() {
        if (dw1tFloat != null && unflushed > 0) {
            flush();
        }
    }

    /**
     * Ends the sum: {@code g[w1o ..]} ({@code W1 [hidden x inputs]}, row-major) {@code += (dW1ᵀ)ᵀ}, in tiles of 16 x 16
     * so that both sides are read and written a cache line at a time. In float mode the unflushed float sums are added
     * on the way ({@code g += dw1t + dw1tFloat}: the same two additions a flush and then the plain add make).
     */
    void end(double[] g, int w1o) {
        end(g, w1o, 1.0, false);
    }

    /**
     * {@link #end(double[], int)} into elements of {@code g} that are not zero, with the division by the row count
     * on the way: {@code g = (0.0 + (dW1ᵀ)ᵀ) * inv}, the bits that {@code end} into zeros and then a mean
     * ({@code g * inv}) give, in one pass instead of three (the collective engine's owners write their shard's mean
     * straight into the step's gradient).
     */
    void endMean(double[] g, int w1o, double inv) {
        end(g, w1o, inv, true);
    }

    /**
     * {@link #endMean} into {@code g[w1o ..]} laid out pixel-major ({@code [inputs x hidden]}, as the kernels lay out
     * {@code W1ᵀ}): {@code g[w1o + j hidden + u] = (0.0 + dW1ᵀ[j, u]) * inv}, the same value for each element, without
     * the transposition (for an owner that keeps its shard in the kernels' order).
     */
    void endMeanPixelMajor(double[] g, int w1o, double inv) {
        boolean single = dw1tFloat != null;
        int mode = single && !flushed ? 0 : single ? 1 : 2;
        meanPixelMajor(g, w1o, dw1t, stride, dw1tFloat, floatStride, hidden, inputs, mode, inv);
        if (!single) {
            flushed = true;
        }
    }

    private static void meanPixelMajor(double[] g, int w1o, double[] d, int stride, float[] f, int floatStride,
                                       int hidden, int inputs, int mode, double inv) {
        for (int j = 0; j < inputs; j++) {
            int out = w1o + j * hidden;
            int ds = j * stride;
            int fs = j * floatStride;
            switch (mode) {
                case 0 -> {
                    for (int u = 0; u < hidden; u++) {
                        g[out + u] = (0.0 + (0.0 + f[fs + u])) * inv;
                    }
                }
                case 1 -> {
                    for (int u = 0; u < hidden; u++) {
                        g[out + u] = (0.0 + (d[ds + u] + f[fs + u])) * inv;
                    }
                }
                default -> {
                    for (int u = 0; u < hidden; u++) {
                        g[out + u] = (0.0 + d[ds + u]) * inv;
                    }
                }
            }
        }
    }

    private void end(double[] g, int w1o, double inv, boolean mean) {
        boolean single = dw1tFloat != null;
        int mode = single && !flushed ? 0 : single ? 1 : 2;   // dw1t zero (float sums only), both, or double only
        transposeInto(g, w1o, dw1t, stride, dw1tFloat, floatStride, hidden, inputs, mode, inv, mean);
        if (!single) {
            flushed = true;
        }
    }

    /** {@link #end}'s loops, on locals (the compiler keeps them in registers), one branch per tile row. */
    private static void transposeInto(double[] g, int w1o, double[] d, int stride, float[] f, int floatStride,
                                      int hidden, int inputs, int mode, double inv, boolean mean) {
        final int tile = 16;
        for (int u0 = 0; u0 < hidden; u0 += tile) {
            int u1 = Math.min(hidden, u0 + tile);
            for (int j0 = 0; j0 < inputs; j0 += tile) {
                int j1 = Math.min(inputs, j0 + tile);
                for (int u = u0; u < u1; u++) {
                    int row = w1o + u * inputs;
                    if (mean) {   // g was 0.0: what += adds to it, then divided
                        switch (mode) {
                            case 0 -> {
                                for (int j = j0; j < j1; j++) {
                                    g[row + j] = (0.0 + (0.0 + f[j * floatStride + u])) * inv;
                                }
                            }
                            case 1 -> {
                                for (int j = j0; j < j1; j++) {
                                    g[row + j] = (0.0 + (d[j * stride + u] + f[j * floatStride + u])) * inv;
                                }
                            }
                            default -> {
                                for (int j = j0; j < j1; j++) {
                                    g[row + j] = (0.0 + d[j * stride + u]) * inv;
                                }
                            }
                        }
                    } else {
                        switch (mode) {
                            case 0 -> {
                                for (int j = j0; j < j1; j++) {
                                    g[row + j] += 0.0 + f[j * floatStride + u];
                                }
                            }
                            case 1 -> {
                                for (int j = j0; j < j1; j++) {
                                    g[row + j] += d[j * stride + u] + f[j * floatStride + u];
                                }
                            }
                            default -> {
                                for (int j = j0; j < j1; j++) {
                                    g[row + j] += d[j * stride + u];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Ends the sum into {@code acc}, {@code dW1ᵀ [inputs x stride]} in this layout (padding untouched), for the pixels
     * {@code pixels[0..n)} only, which must include every pixel of the rows added since {@link #begin}: the same
     * additions as {@link #end}, element for element, without the transposition. Those rows are zeroed on the way, so
     * the next {@link #begin} has nothing to clear.
     */
    void drainInLayout(double[] acc, int[] pixels, int n) {
        boolean single = dw1tFloat != null;
        for (int k = 0; k < n; k++) {
            int base = pixels[k] * stride;
            if (single) {
                int baseFloat = pixels[k] * floatStride;
                for (int u = 0; u < hidden; u++) {
                    acc[base + u] += dw1t[base + u] + dw1tFloat[baseFloat + u]; // dw1t is zero unless flushed
                    dw1t[base + u] = 0.0;
                    dw1tFloat[baseFloat + u] = 0f;
                }
            } else {
                for (int u = 0; u < hidden; u++) {
                    acc[base + u] += dw1t[base + u];
                    dw1t[base + u] = 0.0;
                }
            }
        }
        drained();
    }

    /**
     * Declares the sum read and its arrays zero again (by {@link #drainInLayout}, or by {@link LocalSgd}, which reads
     * the rows of its pixels in place and zeroes them): the next {@link #begin} has nothing to clear.
     */
    void drained() {
        flushed = false;
        dirtyFloat = false;
        unflushed = 0;
        untouch();
    }

    /**
     * Float mode: {@code dw1t += dw1tFloat}, then {@code dw1tFloat = 0}, over the touched pixels' rows only: the other
     * rows of dw1tFloat are +0, and adding +0 leaves every element of dw1t as it is (no element of it is ever -0: a
     * sum that starts at +0 stays off -0 when rounding to nearest), so the bits are those of the whole pass.
     */
    private void flush() {
        dirtyFloat = false;
        for (int k = 0; k < touchedCount; k++) {
            int j = touchedList[k];
            touched[j] = false;
            int base = j * stride;
            int baseFloat = j * floatStride;
            for (int u = 0; u < hidden; u++) {
                dw1t[base + u] += dw1tFloat[baseFloat + u];
                dw1tFloat[baseFloat + u] = 0f;
            }
        }
        touchedCount = 0;
        unflushed = 0;
        flushed = true;
    }

    private void touch(int pixel) {
        if (!touched[pixel]) {
            touched[pixel] = true;
            touchedList[touchedCount++] = pixel;
        }
    }

    /** Forgets the touched pixels, whose rows of dw1tFloat are zero (again). */
    private void untouch() {
        if (touched != null) {
            for (int k = 0; k < touchedCount; k++) {
                touched[touchedList[k]] = false;
            }
            touchedCount = 0;
        }
    }
}
