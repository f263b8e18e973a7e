package org.sparkdigits.core.kernel;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.Serializable;
import java.util.Arrays;

import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.numbers.BulkArrays;
import org.sparkdigits.core.numbers.CoreRanges;

/**
 * The weights as a kernel reads them, made once per step (on the driver) and shared read-only by every task that
 * receives them: what is broadcast, instead of the flat parameter vector that each task had to copy and transpose.
 *
 * <p>For {@link SparseKernel} ({@code simd}, {@code float}, {@code sparse}) that is its own layout:
 * <pre>
 *   W1ᵀ [inputs x stride]         double, or float for the float kernel (half the bytes)
 *   b1  [hidden]                  double (and a float copy for the float kernel)
 *   W2  [classes x stride], W2ᵀ [stride x classStride], b2 [classStride]   double
 * </pre>
 * with the hidden units padded to whole vectors of the JVM that made it (padding zero). For {@link ReferenceKernel}
 * ({@code ojalgo}) it is the flat vector. Serialized as raw bytes in bulk ({@link BulkArrays}); {@code W2ᵀ} is
 * rebuilt on arrival.
 *
 * <p>A task on a JVM whose vectors do not fit the layout (no Vector API, or a narrower stride; a mixed cluster)
 * rebuilds its kernel from {@link #parameters()}: the float kernel's layout holds {@code W1} in float only, so such a
 * task sees {@code W1} rounded to float, as the float kernel's products do anyway.
 */
@DefaultSerializer(JavaSerializer.class)
public final class KernelWeights implements Serializable {

    private static final long serialVersionUID = 1L;

    final KernelKind kind;
    final NetworkShape shape;
    /** The loops the layout was made for; {@code null} for the flat vector ({@code ojalgo}). */
    final Loops loops;
    final int stride;
    final int classStride;
    final int floatStride;
    final double[] flat;      // ojalgo: the parameters; else null
    final double[] w1t;       // [inputs x stride], null for float
    final float[] w1tFloat;   // [inputs x floatStride], float only
    final double[] b1;        // [hidden]
    final float[] b1Float;    // [hidden], float only
    final double[] w2;        // [classes x stride]
    final double[] w2t;       // [stride x classStride]
    final double[] b2;        // [classStride]

    private KernelWeights(KernelKind kind, NetworkShape shape, Loops loops, int stride, int classStride,
                          int floatStride, double[] flat, double[] w1t, float[] w1tFloat, double[] b1, double[] w2,
                          double[] b2) {
        this.kind = kind;
        this.shape = shape;
        this.loops = loops;
        this.stride = stride;
        this.classStride = classStride;
        this.floatStride = floatStride;
        this.flat = flat;
        this.w1t = w1t;
        this.w1tFloat = w1tFloat;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
        if (loops == null) {
            this.b1Float = null;
            this.w2t = null;
        } else {
            int hidden = shape.hidden();
            if (w1tFloat != null) {
                this.b1Float = new float[hidden];
                for (int u = 0; u < hidden; u++) {
                    b1Float[u] = (float) b1[u];
                }
            } else {
                this.b1Float = null;
            }
            this.w2t = new double[stride * classStride];
            transposeW2();
        }
    }

    private void transposeW2() {
        for (int c = 0; c < shape.classes(); c++) {
            for (int u = 0; u < shape.hidden(); u++) {
                w2t[u * classStride + c] = w2[c * stride + u];
            }
        }
    }

    /**
     * Whether this is a kernel's own layout ({@code W1ᵀ} and the rest laid out), which {@link #putUnits} and
     * {@link #refreshRest} update in place; not the flat vector ({@code ojalgo}).
     */
    public boolean laidOut() {
        return loops != null;
    }

    /**
     * Updates, in place, {@code W1ᵀ}'s columns of hidden units {@code [u0, u1)} from the flat {@code theta}: what
     * {@link #of} would lay out for them. For the collective engine's owners, whose tasks keep one layout for a
     * whole segment and lay out only what changed. Not while a kernel reads these weights.
     */
    public void putUnits(double[] theta, int u0, int u1) {
        requireLayout();
        transposeW1(theta, shape, w1t, w1tFloat, w1tFloat != null ? floatStride : stride, u0, u1);
    }

    /**
     * {@link #putUnits(double[], int, int)} from a vector whose units {@code [u0, u1)} are laid out pixel-major from
     * {@code from} ({@code [inputs x (u1 - u0)]}, {@link Shards#reorderW1}): the same weights, by rows, no
     * transposition.
     */
    public void putUnitsPixelMajor(double[] theta, int from, int u0, int u1) {
        requireLayout();
        int units = u1 - u0;
        int inputs = shape.inputs();
        for (int j = 0; j < inputs; j++) {
            int in = from + j * units;
            if (w1tFloat != null) {
                int out = j * floatStride + u0;
                for (int u = 0; u < units; u++) {
                    w1tFloat[out + u] = (float) theta[in + u];
                }
            } else {
                System.arraycopy(theta, in, w1t, j * stride + u0, units);
            }
        }
    }

    /** The bytes {@link #putUnitsInto}{@code (b, u0, u1)} writes. */
    public int unitsByteCount(int u0, int u1) {
        requireLayout();
        return shape.inputs() * (u1 - u0) * (w1tFloat != null ? 4 : 8);
    }

    /**
     * Writes {@code W1ᵀ}'s columns of hidden units {@code [u0, u1)} into {@code b} at its position (advanced past
     * them): per input, its units' values, float for the float kernel, else double. What an owner sends the other tasks
     * after its update, written straight into its message.
     */
    public void putUnitsInto(java.nio.ByteBuffer b, int u0, int u1) {
        int bytes = unitsByteCount(u0, u1);
        int units = u1 - u0;
        int inputs = shape.inputs();
        java.nio.ByteBuffer mine = b.slice();
        if (w1tFloat != null) {
            java.nio.FloatBuffer f = mine.asFloatBuffer();
            for (int j = 0; j < inputs; j++) {
                f.put(w1tFloat, j * floatStride + u0, units);
            }
        } else {
            java.nio.DoubleBuffer d = mine.asDoubleBuffer();
            for (int j = 0; j < inputs; j++) {
                d.put(w1t, j * stride + u0, units);
            }
        }
        b.position(b.position() + bytes);
    }

    /** Puts {@link #putUnitsInto}'s bytes of units {@code [u0, u1)}, read from {@code in}, into {@code W1ᵀ}. */
    public void putUnits(java.nio.ByteBuffer in, int u0, int u1) {
        requireLayout();
        int units = u1 - u0;
        int inputs = shape.inputs();
        int bytes = inputs * units * (w1tFloat != null ? 4 : 8);
        if (in.remaining() < bytes) {
            throw new IllegalArgumentException("units " + u0 + ".." + u1 + " of W1 need " + bytes + " bytes, got "
                    + in.remaining());
        }
        java.nio.ByteBuffer mine = in.slice();
        mine.limit(bytes);
        if (w1tFloat != null) {
            java.nio.FloatBuffer f = mine.asFloatBuffer();
            for (int j = 0; j < inputs; j++) {
                f.get(w1tFloat, j * floatStride + u0, units);
            }
        } else {
            java.nio.DoubleBuffer d = mine.asDoubleBuffer();
            for (int j = 0; j < inputs; j++) {
                d.get(w1t, j * stride + u0, units);
            }
        }
        in.position(in.position() + bytes);
    }

    /**
     * Lays out, in place, everything but {@code W1} ({@code b1}, {@code W2}, {@code b2} and their copies) from the flat
     * {@code theta}: what {@link #of} would make of them.
     */
    public void refreshRest(double[] theta) {
        requireLayout();
        int hidden = shape.hidden();
        System.arraycopy(theta, shape.b1Offset(), b1, 0, hidden);
        if (b1Float != null) {
            for (int u = 0; u < hidden; u++) {
                b1Float[u] = (float) b1[u];
            }
        }
        for (int c = 0; c < shape.classes(); c++) {
            System.arraycopy(theta, shape.w2Offset() + c * hidden, w2, c * stride, hidden);
        }
        System.arraycopy(theta, shape.b2Offset(), b2, 0, shape.classes());
        transposeW2();
    }

    private void requireLayout() {
        if (loops == null) {
            throw new IllegalStateException("the flat vector (" + kind.id() + ") has no layout to update in place");
        }
    }

    /** {@code parameters} in the layout of {@code kind}'s kernel on this JVM (the parameters are copied). */
    public static KernelWeights of(Parameters parameters, KernelKind kind) {
        return of(parameters, kind, 1);
    }

    /**
     * {@link #of(Parameters, KernelKind)} with {@code W1}'s transposition in ranges of hidden units on up to {@code cores}
     * threads (the driver's, {@link CoreRanges#cores()}): the same layout, element for element.
     */
    public static KernelWeights of(Parameters parameters, KernelKind kind, int cores) {
        Loops loops = kind.loops();
        NetworkShape shape = parameters.shape();
        double[] v = parameters.values();
        if (loops == null) {
            return new KernelWeights(kind, shape, null, 0, 0, 0, v.clone(), null, null, null, null, null);
        }
        int inputs = shape.inputs();
        int hidden = shape.hidden();
        int classes = shape.classes();
        boolean simd = loops != Loops.SCALAR;
        int stride = simd ? VectorLoops.stride(hidden) : hidden;
        int classStride = simd ? VectorLoops.stride(classes) : classes;
        boolean single = loops == Loops.FLOAT;
        int floatStride = single ? FloatLoops.stride(hidden) : 0;
        double[] w1t = single ? null : new double[inputs * stride];
        float[] w1tFloat = single ? new float[inputs * floatStride] : null;
        int w1tStride = single ? floatStride : stride;
        CoreRanges.forEach(CoreRanges.bounds(hidden, cores, 128, 16),
                (u0, u1) -> transposeW1(v, shape, w1t, w1tFloat, w1tStride, u0, u1));
        double[] b1 = Arrays.copyOfRange(v, shape.b1Offset(), shape.b1Offset() + hidden);
        double[] w2 = new double[classes * stride];
        for (int c = 0; c < classes; c++) {
            System.arraycopy(v, shape.w2Offset() + c * hidden, w2, c * stride, hidden);
        }
        double[] b2 = Arrays.copyOf(Arrays.copyOfRange(v, shape.b2Offset(), shape.b2Offset() + classes), classStride);
        return new KernelWeights(kind, shape, loops, stride, classStride, floatStride, null, w1t, w1tFloat, b1, w2, b2);
    }

    /** {@code parameters} as the flat vector (copied), for {@code kind}'s kernel to lay out itself (local steps). */
    public static KernelWeights flat(Parameters parameters, KernelKind kind) {
        return new KernelWeights(kind, parameters.shape(), null, 0, 0, 0, parameters.values().clone(), null, null, null,
                null, null);
    }

    /**
     * Hidden units {@code [from, to)} of {@code W1 [hidden x inputs]} (flat, row-major) into {@code W1ᵀ [inputs x stride]},
     * in tiles of 16 x 16 so that both sides are read and written a cache line at a time (a plain double loop strides
     * one side by a whole row).
     */
    static void transposeW1(double[] v, NetworkShape shape, double[] w1t, float[] w1tFloat, int stride, int from,
                            int to) {
        int inputs = shape.inputs();
        int w1o = shape.w1Offset();
        final int tile = 16;
        for (int u0 = from; u0 < to; u0 += tile) {
            int u1 = Math.min(to, u0 + tile);
            for (int j0 = 0; j0 < inputs; j0 += tile) {
                int j1 = Math.min(inputs, j0 + tile);
                for (int u = u0; u < u1; u++) {
                    int row = w1o + u * inputs;
                    if (w1tFloat != null) {
                        for (int j = j0; j < j1; j++) {
                            w1tFloat[j * stride + u] = (float) v[row + j];
                        }
                    } else {
                        for (int j = j0; j < j1; j++) {
                            w1t[j * stride + u] = v[row + j];
                        }
                    }
                }
            }
        }
    }

    public NetworkShape shape() {
        return shape;
    }

    public KernelKind kind() {
        return kind;
    }

    /**
     * A kernel over these weights for this JVM: it reads the arrays in place (they are never written) when the
     * layout fits this JVM's vectors, else it is made from {@link #parameters()}.
     */
    public Kernel kernel(Activation activation) {
        if (loops == null) {
            return kind.create(new Parameters(shape, flat), activation);
        }
        if (fitsHere()) {
            return new SparseKernel(this, activation);
        }
        return kind.create(parameters(), activation);
    }

    /** Whether {@link #kernel} runs on this layout in place: this JVM has the loops of the one that made it. */
    private boolean fitsHere() {
        return loops != null && loops == kind.loops() && SparseKernel.fits(this);
    }

    /**
     * Whether a task of this JVM should return a {@link GradientSum#compact} sum for a slice of {@code rows} rows with
     * {@code nnz} non-zero pixels: when its kernel runs on this layout (so the driver, which made it, replays the
     * same loops) and the rows with their deltas take at most a quarter of the bytes of the dense {@code dW1}.
     */
    public boolean compactPays(long rows, long nnz) {
        return fitsHere() && 4 * DeltaRows.bytesFor(rows, nnz, shape.hidden(), w1tFloat != null)
                <= 8L * shape.inputs() * shape.hidden();
    }

    /** The flat parameters (a new array; {@code W1} as the layout holds it: in float for the float kernel). */
    public Parameters parameters() {
        if (loops == null) {
            return new Parameters(shape, flat.clone());
        }
        return parameters(w1tFloat != null ? null : w1t);
    }

    /**
     * The flat parameters (a new array) with {@code W1} from {@code w1tDouble [inputs x stride]}, a {@code W1ᵀ} in double
     * in this layout's stride (such as {@link LocalSgd}'s master copy), or, when null, from the float {@code W1ᵀ}; the
     * rest from this layout. Not for the flat vector ({@code ojalgo}).
     */
    Parameters parameters(double[] w1tDouble) {
        int inputs = shape.inputs();
        int hidden = shape.hidden();
        double[] v = new double[shape.parameterCount()];
        for (int u = 0; u < hidden; u++) {
            int row = shape.w1Offset() + u * inputs;
            if (w1tDouble != null) {
                for (int j = 0; j < inputs; j++) {
                    v[row + j] = w1tDouble[j * stride + u];
                }
            } else {
                for (int j = 0; j < inputs; j++) {
                    v[row + j] = w1tFloat[j * floatStride + u];
                }
            }
        }
        System.arraycopy(b1, 0, v, shape.b1Offset(), hidden);
        for (int c = 0; c < shape.classes(); c++) {
            System.arraycopy(w2, c * stride, v, shape.w2Offset() + c * hidden, hidden);
        }
        System.arraycopy(b2, 0, v, shape.b2Offset(), shape.classes());
        return new Parameters(shape, v);
    }

    private Object writeReplace() {
        return new Wire(this);
    }

    /** The serialized form: the layout's sizes and its arrays as raw bytes. */
    private static final class Wire implements Externalizable {
        private static final long serialVersionUID = 1L;
        private KernelWeights w;

        /** For deserialization. */
        public Wire() {
        }

        Wire(KernelWeights w) {
            this.w = w;
        }

        @Override
        public void writeExternal(ObjectOutput out) throws IOException {
            out.writeInt(w.kind.ordinal());
            out.writeInt(w.shape.inputs());
            out.writeInt(w.shape.hidden());
            out.writeInt(w.shape.classes());
            out.writeInt(w.loops == null ? -1 : w.loops.ordinal());
            if (w.loops == null) {
                BulkArrays.writeDoubles(out, w.flat);
                return;
            }
            out.writeInt(w.stride);
            out.writeInt(w.classStride);
            out.writeInt(w.floatStride);
            out.writeBoolean(w.w1tFloat != null);
            if (w.w1tFloat != null) {
                BulkArrays.writeFloats(out, w.w1tFloat);
            } else {
                BulkArrays.writeDoubles(out, w.w1t);
            }
            BulkArrays.writeDoubles(out, w.b1);
            BulkArrays.writeDoubles(out, w.w2);
            BulkArrays.writeDoubles(out, w.b2);
        }

        @Override
        public void readExternal(ObjectInput in) throws IOException {
            KernelKind kind = KernelKind.values()[in.readInt()];
            NetworkShape shape = new NetworkShape(in.readInt(), in.readInt(), in.readInt());
            int loops = in.readInt();
            if (loops < 0) {
                w = new KernelWeights(kind, shape, null, 0, 0, 0, BulkArrays.readDoubles(in), null, null, null, null, null);
                return;
            }
            int stride = in.readInt();
            int classStride = in.readInt();
            int floatStride = in.readInt();
            boolean single = in.readBoolean();
            double[] w1t = single ? null : BulkArrays.readDoubles(in);
            float[] w1tFloat = single ? BulkArrays.readFloats(in) : null;
            w = new KernelWeights(kind, shape, Loops.values()[loops], stride, classStride, floatStride, null,
                    w1t, w1tFloat, BulkArrays.readDoubles(in), BulkArrays.readDoubles(in), BulkArrays.readDoubles(in));
        }

        private Object readResolve() {
            return w;
        }
    }
}
