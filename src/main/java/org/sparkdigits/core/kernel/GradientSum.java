package org.sparkdigits.core.kernel;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.Serializable;

import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.numbers.BulkArrays;
import org.sparkdigits.core.numbers.CoreRanges;

/**
 * Sums over a set of rows, as a partition sends them to the driver: the summed gradient of the
 * cross-entropy loss (flat, laid out like {@link Parameters}), the summed loss, the row count and the
 * count of correct predictions. Nothing is averaged here: the driver divides once by the global count.
 *
 * <p>Mutable on purpose: it is the accumulator of an aggregation. Serialized (a task's result) as raw bytes in bulk
 * ({@link BulkArrays}), not element by element.
 */
@DefaultSerializer(JavaSerializer.class)
public final class GradientSum implements Serializable {

    /**
     * The dense sum's elements {@code [offset, length)}: all of them ({@code offset} 0), or, for a compact sum with
     * recorded rows that has not been expanded, only those after {@code W1} (its {@code W1} part is zero until the rows
     * are added into it: a part or a received sum does not allocate and zero megabytes it would never read).
     */
    private double[] gradient;
    private int offset;
    private final int length;
    /** Whether a kernel may record its rows' deltas here instead of dW1 (a task's compact result). */
    private boolean compact;
    /** The recorded rows of a compact sum, not yet added into {@link #gradient}; {@code null} when none. */
    private DeltaRows deltas;
    private double loss;
    private long count;
    private long correct;

    /** A zero sum for {@code shape}. */
    public GradientSum(NetworkShape shape) {
        this.gradient = new double[shape.parameterCount()];
        this.length = gradient.length;
    }

    private GradientSum(double[] gradient, double loss, long count, long correct) {
        this(gradient, 0, gradient.length, loss, count, correct);
    }

    /** A sum holding elements {@code [offset, length)} in {@code gradient} (see {@link #gradient}'s field). */
    private GradientSum(double[] gradient, int offset, int length, double loss, long count, long correct) {
        this.gradient = gradient;
        this.offset = offset;
        this.length = length;
        this.loss = loss;
        this.count = count;
        this.correct = correct;
    }

    /**
     * A zero sum for {@code shape} that a {@link SparseKernel} fills with its rows' hidden deltas instead of the first
     * layer's weight gradient ({@link DeltaRows}): what a mini-batch task returns, a fraction of the dense sum's bytes.
     * Only for a kernel whose loops the receiving JVM has (the broadcast layout's).
     */
    public static GradientSum compact(NetworkShape shape) {
        GradientSum s = new GradientSum(shape);
        s.compact = true;
        return s;
    }

    /** The summed gradient (not a copy), length {@code shape.parameterCount()}; a compact sum is expanded first. */
    public double[] gradient() {
        expand();
        return gradient;
    }

    /** The dense array as it is (without the recorded rows of a compact sum): what kernels add into. */
    double[] raw() {
        whole();
        return gradient;
    }

    /** Makes {@link #gradient} hold every element (a zero {@code W1} part before the rest, when it held the rest). */
    private void whole() {
        if (offset != 0) {
            double[] all = new double[length];
            System.arraycopy(gradient, 0, all, offset, gradient.length);
            gradient = all;
            offset = 0;
        }
    }

    /**
     * A compact sum: its recorded rows, made on the first call with the kernel's layout; {@code null} for a dense sum.
     */
    DeltaRows deltaRows(Loops loops, int inputs, int hidden, int stride, int floatStride) {
        if (!compact) {
            return null;
        }
        if (deltas == null) {
            deltas = new DeltaRows(loops, inputs, hidden, stride, floatStride);
        }
        return deltas;
    }

    /** A compact sum's recorded rows as they are ({@code null} for a dense or expanded sum). */
    DeltaRows recorded() {
        return deltas;
    }

    /** Rows whose first-layer gradient is held in compact form (0 for a dense sum). */
    public int compactRows() {
        return deltas == null ? 0 : deltas.rows();
    }

    /** Adds the recorded rows' weight gradient into the dense array, as the kernel would have. */
    private void expand() {
        expand(1);
    }

    private void expand(int cores) {
        whole();
        if (deltas != null) {
            deltas.addTo(gradient, 0, cores);
            deltas = null;
        }
        compact = false;
    }

    public double loss() {
        return loss;
    }

    public long count() {
        return count;
    }

    public long correct() {
        return correct;
    }

    void addRows(double lossSum, long rows, long rightOnes) {
        loss += lossSum;
        count += rows;
        correct += rightOnes;
    }

    /** Adds {@code other} into this sum (in place; {@code other}'s compact rows may be taken) and returns this. */
    public GradientSum add(GradientSum other) {
        if (other.length != length) {
            throw new IllegalArgumentException("gradient lengths differ: " + length + " vs " + other.length);
        }
        // two compact sums stay compact (their rows in order, expanded once; W1's part of both arrays is zero);
        // otherwise both are expanded first
        int from = 0;
        if (deltas != null && other.deltas != null && deltas.sameLayout(other.deltas)) {
            deltas.append(other.deltas);
            from = deltas.w1Length();
        } else if (deltas != null || other.deltas != null) {
            expand();
            other.expand();
        }
        double[] mine = gradient;
        double[] theirs = other.gradient;
        int a = offset;
        int b = other.offset;
        for (int i = from; i < length; i++) {
            mine[i - a] += theirs[i - b];
        }
        loss += other.loss;
        count += other.count;
        correct += other.correct;
        return this;
    }

    /**
     * The part of this sum that {@code rank} owns in {@code shards}: {@code W1}'s rows of its hidden units then its
     * elements of the rest ({@link Shards#size}), as a sum of its own (the same counts; a compact sum's recorded rows
     * sliced to those units, see {@link DeltaRows#slice}). The owner adds the P partitions' parts exactly as the whole
     * sums are added ({@link #add}, in partition order) and its {@link #meanGradient} has, element for element, the
     * bits of the whole sum's. This sum is left as it is (the part may share its arrays: serialize it, do not add
     * into it).
     */
    public GradientSum part(Shards shards, int rank) {
        NetworkShape shape = shards.shape();
        int u0 = shards.unitFrom(rank);
        int u1 = shards.unitTo(rank);
        int r0 = shards.restFrom(rank);
        int r1 = shards.restTo(rank);
        int w1 = (u1 - u0) * shape.inputs();
        boolean recorded = deltas != null && u1 > u0;
        if (recorded) {   // W1's part is the rows' (sliced): only the rest is held
            double[] rest = new double[r1 - r0];
            System.arraycopy(gradient, r0 - offset, rest, 0, r1 - r0);
            GradientSum out = new GradientSum(rest, w1, w1 + r1 - r0, loss, count, correct);
            out.compact = true;
            out.deltas = deltas.slice(u0, u1);
            return out;
        }
        double[] g = new double[w1 + r1 - r0];
        if (deltas == null) {   // dense (or compact with no rows yet: W1's part zero either way)
            System.arraycopy(gradient, shape.w1Offset() + u0 * shape.inputs() - offset, g, 0, w1);
        }
        System.arraycopy(gradient, r0 - offset, g, w1, r1 - r0);
        return new GradientSum(g, loss, count, correct);
    }

    /** Mean loss over the rows summed; NaN when empty. */
    public double meanLoss() {
        return count == 0 ? Double.NaN : loss / count;
    }

    /** Fraction of rows predicted correctly; NaN when empty. */
    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    /** The mean gradient {@code gradient / count} as a new array. */
    public double[] meanGradient() {
        return meanGradient(1);
    }

    /**
     * {@link #meanGradient()} on up to {@code cores} threads: a compact sum's replay in ranges of hidden units, the
     * division in ranges of elements; the same bits on any number. For the driver ({@link CoreRanges#cores()}); a task
     * keeps to its one core.
     */
    public double[] meanGradient(int cores) {
        expand(cores);
        if (count == 0) {
            throw new IllegalStateException("no rows were summed");
        }
        double[] mean = new double[gradient.length];
        double inv = 1.0 / count;
        CoreRanges.forEach(CoreRanges.bounds(mean.length, cores, CoreRanges.ELEMENTS, 8), (from, to) -> {
            for (int i = from; i < to; i++) {
                mean[i] = gradient[i] * inv;
            }
        });
        return mean;
    }

    /**
     * {@link #meanGradient(int)} on this thread into {@code out} (length {@code shape.parameterCount()}, or a
     * {@link #part}'s size), not a new array: the same bits.
     */
    public void meanGradientInto(double[] out) {
        expand(1);
        if (count == 0) {
            throw new IllegalStateException("no rows were summed");
        }
        if (out.length != gradient.length) {
            throw new IllegalArgumentException("a mean of " + gradient.length + " values into " + out.length);
        }
        double inv = 1.0 / count;
        for (int i = 0; i < out.length; i++) {
            out[i] = gradient[i] * inv;
        }
    }

    /**
     * The mean of this sum, a {@link #part} for {@code rank} of {@code shards} (the P partitions' parts added), written
     * into {@code flat} (length {@code shape.parameterCount()}) at {@code rank}'s elements
     * ({@link Shards#ranges}) and nowhere else: the bits that {@link #meanGradientInto} followed by
     * {@link Shards#scatter} give, in one pass (a compact part's rows are replayed straight into {@code flat}'s rows of
     * {@code W1}, divided on the way). With {@code pixelMajor}, {@code rank}'s rows of {@code W1} are written in the
     * order {@link Shards#reorderW1} gives them (each element the same value). This sum is not to be used afterwards.
     */
    public void meanInto(Shards shards, int rank, double[] flat, boolean pixelMajor) {
        if (count == 0) {
            throw new IllegalStateException("no rows were summed");
        }
        if (length != shards.size(rank)) {
            throw new IllegalArgumentException("a part of " + length + " values for rank " + rank + ", which owns "
                    + shards.size(rank));
        }
        int[] r = shards.ranges(rank);
        int w1 = r[1] - r[0];
        double inv = 1.0 / count;
        if (deltas == null) {
            whole();
            int units = shards.unitTo(rank) - shards.unitFrom(rank);
            int inputs = shards.shape().inputs();
            for (int k = 0; k < w1; k++) {   // k = u inputs + j
                flat[r[0] + (pixelMajor ? (k % inputs) * units + k / inputs : k)] = gradient[k] * inv;
            }
        } else {   // W1's part of the dense array is zero: the rows' replay is all of it
            deltas.meanInto(flat, r[0], inv, pixelMajor);
        }
        int from = w1 - offset;
        for (int k = 0; k < r[3] - r[2]; k++) {
            flat[r[2] + k] = gradient[from + k] * inv;
        }
    }

    private Object writeReplace() {
        return new Wire(this);
    }

    /** The serialized form: the three counts and the gradient's bytes. */
    private static final class Wire implements Externalizable {
        private static final long serialVersionUID = 1L;
        private GradientSum sum;

        /** For deserialization. */
        public Wire() {
        }

        Wire(GradientSum sum) {
            this.sum = sum;
        }

        @Override
        public void writeExternal(ObjectOutput out) throws IOException {
            out.writeDouble(sum.loss);
            out.writeLong(sum.count);
            out.writeLong(sum.correct);
            out.writeInt(sum.length);
            DeltaRows d = sum.deltas;
            out.writeBoolean(d != null);
            if (d == null) {
                sum.whole();
                BulkArrays.writeDoubles(out, sum.gradient);
            } else { // W1's part of the dense array is zero: the rest, then the rows
                int w1 = d.w1Length();
                BulkArrays.writeDoubles(out, sum.offset == w1 ? sum.gradient
                        : java.util.Arrays.copyOfRange(sum.gradient, w1 - sum.offset, sum.length - sum.offset));
                d.write(out);
            }
        }

        @Override
        public void readExternal(ObjectInput in) throws IOException {
            double loss = in.readDouble();
            long count = in.readLong();
            long correct = in.readLong();
            int length = in.readInt();
            if (!in.readBoolean()) {
                sum = new GradientSum(BulkArrays.readDoubles(in), loss, count, correct);
                return;
            }
            double[] rest = BulkArrays.readDoubles(in);   // W1's part is zero until the rows are added: not held
            sum = new GradientSum(rest, length - rest.length, length, loss, count, correct);
            sum.compact = true;
            sum.deltas = DeltaRows.read(in);
        }

        private Object readResolve() {
            return sum;
        }
    }
}
