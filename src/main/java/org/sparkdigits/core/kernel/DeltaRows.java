package org.sparkdigits.core.kernel;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

import org.sparkdigits.core.numbers.BulkArrays;
import org.sparkdigits.core.numbers.CoreRanges;

/**
 * A slice's first-layer weight gradient in compact form: instead of {@code dW1 [hidden x inputs]} (5 MB of doubles at
 * H=800), the rows' non-zero pixels and their hidden deltas {@code d1}, from which {@code dW1 = Σ_i d1_i x_iᵀ}.
 * For a mini-batch slice that is a few hundred kilobytes: below Spark's direct-result limit, where the dense sum
 * went through the block manager.
 *
 * <p>The kernel records its chunks and its calls ("segments") as it goes; the driver appends the partitions' records in
 * partition order ({@link #append}) and {@link #addTo} replays them once with the same loops
 * ({@link FirstLayerGradient}), the float sums restarted at every segment as the kernel restarts them. The result is
 * the dense path's sum to rounding (the double additions are grouped differently), and the same bits on every run. The
 * deltas are kept as the loops read them (float in float mode). A task records deltas only when its kernel runs on
 * the weights' broadcast layout, i.e. the driver has the same loops.
 *
 * <pre>
 *   rows          n rows in order; pixels of row r: cols/vals[pixelStart[r], pixelStart[r+1])
 *   delta         [n x hidden] double, or deltaFloat [n x hidden] float
 *   chunkRows     rows per chunk, in order; segmentStart: first chunk of each kernel call
 * </pre>
 */
public final class DeltaRows {

    private final Loops loops;
    private final int inputs;
    private final int hidden;
    private final int stride;
    private final int floatStride;
    private int rows;
    private int[] pixelStart = new int[1];
    private short[] cols = new short[0];
    private byte[] vals = new byte[0];
    private int nnz;
    private double[] delta;
    private float[] deltaFloat;
    private int chunks;
    private int[] chunkRows = new int[0];
    private int segments;
    private int[] segmentStart = new int[0];

    DeltaRows(Loops loops, int inputs, int hidden, int stride, int floatStride) {
        this.loops = loops;
        this.inputs = inputs;
        this.hidden = hidden;
        this.stride = stride;
        this.floatStride = floatStride;
        if (loops == Loops.FLOAT) {
            deltaFloat = new float[0];
        } else {
            delta = new double[0];
        }
    }

    /** Rows recorded. */
    public int rows() {
        return rows;
    }

    /** Elements of {@code W1} in the flat layout: {@code hidden x inputs} from offset 0. */
    int w1Length() {
        return hidden * inputs;
    }

    /** The bytes this form takes when serialized (about). */
    public long bytes() {
        return (long) rows * hidden * (deltaFloat != null ? 4 : 8) + 3L * nnz + 4L * (rows + chunks + segments);
    }

    /** The bytes a compact form of {@code rows} rows with {@code nnz} non-zero pixels would take at this width. */
    static long bytesFor(long rows, long nnz, int hidden, boolean single) {
        return rows * hidden * (single ? 4 : 8) + 3 * nnz;
    }

    /** Starts a kernel call's rows. */
    void beginSegment() {
        if (segments == segmentStart.length) {
            segmentStart = Arrays.copyOf(segmentStart, Math.max(4, 2 * segments));
        }
        segmentStart[segments++] = chunks;
    }

    /** Records one chunk as {@link FirstLayerGradient#addChunk} takes it. */
    void addChunk(short[] cols, byte[] vals, int[] rowStart, int[] rowEnd, int n, double[] chunkDelta, float[] chunkDeltaFloat) {
        if (chunks == chunkRows.length) {
            chunkRows = Arrays.copyOf(chunkRows, Math.max(8, 2 * chunks));
        }
        chunkRows[chunks++] = n;
        int add = 0;
        for (int i = 0; i < n; i++) {
            add += rowEnd[i] - rowStart[i];
        }
        if (nnz + add > this.cols.length) {
            int size = Math.max(nnz + add, 2 * this.cols.length);
            this.cols = Arrays.copyOf(this.cols, size);
            this.vals = Arrays.copyOf(this.vals, size);
        }
        if (rows + n + 1 > pixelStart.length) {
            pixelStart = Arrays.copyOf(pixelStart, Math.max(rows + n + 1, 2 * pixelStart.length));
        }
        int width = deltaFloat != null ? floatStride : stride;
        if (deltaFloat != null && (rows + n) * hidden > deltaFloat.length) {
            deltaFloat = Arrays.copyOf(deltaFloat, Math.max((rows + n) * hidden, 2 * deltaFloat.length));
        } else if (delta != null && (rows + n) * hidden > delta.length) {
            delta = Arrays.copyOf(delta, Math.max((rows + n) * hidden, 2 * delta.length));
        }
        for (int i = 0; i < n; i++) {
            int len = rowEnd[i] - rowStart[i];
            System.arraycopy(cols, rowStart[i], this.cols, nnz, len);
            System.arraycopy(vals, rowStart[i], this.vals, nnz, len);
            nnz += len;
            if (deltaFloat != null) {
                System.arraycopy(chunkDeltaFloat, i * width, deltaFloat, (rows + i) * hidden, hidden);
            } else {
                System.arraycopy(chunkDelta, i * width, delta, (rows + i) * hidden, hidden);
            }
            pixelStart[rows + i + 1] = nnz;
        }
        rows += n;
    }

    /**
     * {@code g[w1o ..]} ({@code W1 [hidden x inputs]}) {@code +=} the recorded rows' weight gradient, segment by
     * segment as the kernel would have added it; on one thread.
     */
    void addTo(double[] g, int w1o) {
        addTo(g, w1o, 1);
    }

    /**
     * {@link #addTo(double[], int)} on up to {@code cores} threads (the driver's; a task keeps to its one): at large H
     * the hidden units are replayed in ranges at once ({@link #ranges}). Each element of {@code dW1} receives the same
     * additions in the same order whichever range holds it, so the sum is the same bit for bit as one replay of all
     * units.
     */
    void addTo(double[] g, int w1o, int cores) {
        Loops replay = replayLoops();
        CoreRanges.forEach(ranges(hidden, cores), (u0, u1) -> addTo(g, w1o, replay, u0, u1, 1.0, 0));
    }

    /**
     * The loops this JVM replays with: the recording's, or, in a JVM without the Vector API (a driver started without
     * the module), the plain double loops (float deltas widened first): the same sums to rounding, not to the bit.
     */
    private Loops replayLoops() {
        boolean here = loops == Loops.SCALAR || KernelKind.simdAvailable();
        if (!here && deltaFloat != null) {
            delta = new double[deltaFloat.length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = deltaFloat[i];
            }
            deltaFloat = null;
        }
        return here ? loops : Loops.SCALAR;
    }

    /**
     * The mean of these rows' {@code W1} gradient written into {@code g[w1o ..]} ({@code W1 [hidden x inputs]}), on
     * this thread: {@code (0.0 + replayed) * inv}, the bits of {@link #addTo(double[], int)} into zeros followed by
     * {@link GradientSum#meanGradientInto}'s division, whatever {@code g} held there; with {@code pixelMajor}, laid out
     * {@code [inputs x hidden]} instead ({@link FirstLayerGradient#endMeanPixelMajor}).
     */
    void meanInto(double[] g, int w1o, double inv, boolean pixelMajor) {
        addTo(g, w1o, replayLoops(), 0, hidden, inv, pixelMajor ? 2 : 1);
    }

    /** Hidden units per range at least (a range's replay then outweighs its fork). */
    static final int RANGE_UNITS = 128;

    /**
     * The bounds of the hidden-unit ranges a replay of {@code hidden} units is split into on {@code cores} cores: at
     * most one range per core, each at least {@link #RANGE_UNITS} units, every inner bound a multiple of 64 units (a
     * whole number of four-vector groups of any species). {@code {0, hidden}} for one range.
     */
    static int[] ranges(int hidden, int cores) {
        return CoreRanges.bounds(hidden, cores, RANGE_UNITS, 64);
    }

    /**
     * The replay of hidden units {@code [u0, u1)}: their deltas in a layout of their own, their rows of {@code W1};
     * {@code end} 0 adds them into {@code g}, 1 writes their mean ({@link FirstLayerGradient#endMean}), 2 their mean
     * pixel-major ({@link FirstLayerGradient#endMeanPixelMajor}, for the whole of the units only).
     */
    private void addTo(double[] g, int w1o, Loops replay, int u0, int u1, double inv, int end) {
        int units = u1 - u0;
        int partStride = partStride(replay, units);
        int partFloatStride = partFloatStride(replay, units);
        FirstLayerGradient acc = FirstLayerGradient.reused(replay, inputs, units, partStride, partFloatStride);
        int width = deltaFloat != null ? partFloatStride : partStride;
        int chunkMax = 0;
        for (int c = 0; c < chunks; c++) {
            chunkMax = Math.max(chunkMax, chunkRows[c]);
        }
        double[] d = deltaFloat != null ? null : new double[chunkMax * width];
        float[] df = deltaFloat != null ? new float[chunkMax * width] : null;
        int[] rowStart = new int[chunkMax];
        int[] rowEnd = new int[chunkMax];
        int row = 0;
        acc.begin();
        for (int s = 0; s < segments; s++) {
            int last = s + 1 < segments ? segmentStart[s + 1] : chunks;
            for (int c = segmentStart[s]; c < last; c++) {
                int n = chunkRows[c];
                for (int i = 0; i < n; i++) {
                    rowStart[i] = pixelStart[row + i];
                    rowEnd[i] = pixelStart[row + i + 1];
                    if (df != null) {
                        System.arraycopy(deltaFloat, (row + i) * hidden + u0, df, i * width, units);
                    } else {
                        System.arraycopy(delta, (row + i) * hidden + u0, d, i * width, units);
                    }
                }
                acc.addChunk(cols, vals, rowStart, rowEnd, n, d, df);
                row += n;
            }
            if (s + 1 < segments) { // end() adds the last segment's float sums itself
                acc.boundary();
            }
        }
        switch (end) {
            case 0 -> acc.end(g, w1o + u0 * inputs);
            case 1 -> acc.endMean(g, w1o + u0 * inputs, inv);
            default -> acc.endMeanPixelMajor(g, w1o, inv);
        }
    }

    /** The delta stride of a replay of {@code units} of the hidden units with {@code replay}'s loops. */
    private int partStride(Loops replay, int units) {
        return units == hidden ? stride : replay == Loops.SCALAR ? units : VectorLoops.stride(units);
    }

    private int partFloatStride(Loops replay, int units) {
        return units == hidden ? floatStride : replay == Loops.FLOAT ? FloatLoops.stride(units) : 0;
    }

    /**
     * The same rows with the deltas of hidden units {@code [u0, u1)} only ({@code u0} a multiple of 64, as
     * {@link #ranges}' bounds), in the layout {@link #addTo(double[], int, int)} gives that range: replayed whole into
     * {@code W1}'s rows {@code u0..u1-1}, it adds bit for bit what this record's replay adds there. The collective
     * engine's reduce-scatter sends each owner of a range of units its slice. Shares the pixel arrays (read only).
     */
    DeltaRows slice(int u0, int u1) {
        if (u0 < 0 || u1 > hidden || u0 >= u1 || (u0 % 64 != 0 && u1 - u0 != hidden)) {
            throw new IllegalArgumentException("units [" + u0 + ", " + u1 + ") of " + hidden + ": not a range to slice");
        }
        int units = u1 - u0;
        if (units == hidden) {
            return this;
        }
        DeltaRows d = new DeltaRows(loops, inputs, units, partStride(loops, units), partFloatStride(loops, units));
        d.rows = rows;
        d.pixelStart = pixelStart;
        d.cols = cols;
        d.vals = vals;
        d.nnz = nnz;
        d.chunks = chunks;
        d.chunkRows = chunkRows;
        d.segments = segments;
        d.segmentStart = segmentStart;
        if (deltaFloat != null) {
            d.deltaFloat = new float[rows * units];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(deltaFloat, r * hidden + u0, d.deltaFloat, r * units, units);
            }
        } else {
            d.delta = new double[rows * units];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(delta, r * hidden + u0, d.delta, r * units, units);
            }
        }
        return d;
    }

    /** Whether {@link #append} can take {@code other}: rows recorded with the same loops and layout. */
    boolean sameLayout(DeltaRows other) {
        return other.loops == loops && other.inputs == inputs && other.hidden == hidden && other.stride == stride
                && other.floatStride == floatStride;
    }

    /** Appends {@code other}'s rows, chunks and segments after this one's (the next partition's, in order). */
    void append(DeltaRows other) {
        int nnz0 = nnz;
        int rows0 = rows;
        int chunks0 = chunks;
        cols = Arrays.copyOf(cols, nnz + other.nnz);
        vals = Arrays.copyOf(vals, nnz + other.nnz);
        System.arraycopy(other.cols, 0, cols, nnz, other.nnz);
        System.arraycopy(other.vals, 0, vals, nnz, other.nnz);
        nnz += other.nnz;
        pixelStart = Arrays.copyOf(pixelStart, rows + other.rows + 1);
        for (int r = 1; r <= other.rows; r++) {
            pixelStart[rows0 + r] = nnz0 + other.pixelStart[r];
        }
        if (deltaFloat != null) {
            deltaFloat = Arrays.copyOf(deltaFloat, (rows + other.rows) * hidden);
            System.arraycopy(other.deltaFloat, 0, deltaFloat, rows * hidden, other.rows * hidden);
        } else {
            delta = Arrays.copyOf(delta, (rows + other.rows) * hidden);
            System.arraycopy(other.delta, 0, delta, rows * hidden, other.rows * hidden);
        }
        rows += other.rows;
        chunkRows = Arrays.copyOf(chunkRows, chunks + other.chunks);
        System.arraycopy(other.chunkRows, 0, chunkRows, chunks, other.chunks);
        chunks += other.chunks;
        segmentStart = Arrays.copyOf(segmentStart, segments + other.segments);
        for (int k = 0; k < other.segments; k++) {
            segmentStart[segments + k] = chunks0 + other.segmentStart[k];
        }
        segments += other.segments;
    }

    void write(DataOutput out) throws IOException {
        out.writeInt(loops.ordinal());
        out.writeInt(inputs);
        out.writeInt(hidden);
        out.writeInt(stride);
        out.writeInt(floatStride);
        out.writeInt(rows);
        out.writeInt(nnz);
        out.writeInt(chunks);
        out.writeInt(segments);
        BulkArrays.writeInts(out, Arrays.copyOf(pixelStart, rows + 1));
        BulkArrays.writeShorts(out, Arrays.copyOf(cols, nnz));
        out.write(vals, 0, nnz);
        if (deltaFloat != null) {
            BulkArrays.writeFloats(out, Arrays.copyOf(deltaFloat, rows * hidden));
        } else {
            BulkArrays.writeDoubles(out, Arrays.copyOf(delta, rows * hidden));
        }
        BulkArrays.writeInts(out, Arrays.copyOf(chunkRows, chunks));
        BulkArrays.writeInts(out, Arrays.copyOf(segmentStart, segments));
    }

    static DeltaRows read(DataInput in) throws IOException {
        DeltaRows d = new DeltaRows(Loops.values()[in.readInt()], in.readInt(), in.readInt(), in.readInt(),
                in.readInt());
        d.rows = in.readInt();
        d.nnz = in.readInt();
        d.chunks = in.readInt();
        d.segments = in.readInt();
        d.pixelStart = BulkArrays.readInts(in);
        d.cols = BulkArrays.readShorts(in);
        d.vals = new byte[d.nnz];
        in.readFully(d.vals);
        if (d.loops == Loops.FLOAT) {
            d.deltaFloat = BulkArrays.readFloats(in);
        } else {
            d.delta = BulkArrays.readDoubles(in);
        }
        d.chunkRows = BulkArrays.readInts(in);
        d.segmentStart = BulkArrays.readInts(in);
        return d;
    }
}
