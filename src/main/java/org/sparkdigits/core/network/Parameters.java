package org.sparkdigits.core.network;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.Arrays;

import org.ojalgo.matrix.store.R064Store;

/**
 * The network's parameters: one flat {@code double[]} laid out as {@link NetworkShape} describes, with
 * per-layer views. Broadcasting, summing and updating work on the flat array; the kernel reads layers
 * through {@link #w1()}, {@link #w2Transposed()} and friends.
 */
@DefaultSerializer(JavaSerializer.class)
public final class Parameters implements Serializable {

    private final NetworkShape shape;
    private final double[] values;

    /**
     * @param shape  the network shape
     * @param values the flat parameters, length {@code shape.parameterCount()}; taken, not copied
     */
    public Parameters(NetworkShape shape, double[] values) {
        if (values.length != shape.parameterCount()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.parameterCount()
                    + " parameters, got " + values.length);
        }
        this.shape = shape;
        this.values = values;
    }

    public NetworkShape shape() {
        return shape;
    }

    /** The flat array itself (not a copy): the unit that is broadcast and updated. */
    public double[] values() {
        return values;
    }

    public Parameters copy() {
        return new Parameters(shape, values.clone());
    }

    /** {@code W1 [hidden x inputs]} as an ojAlgo (column-major) store: a transposed copy of the flat rows. */
    public R064Store w1() {
        return transposedCopy(shape.w1Offset(), shape.hidden(), shape.inputs());
    }

    /** {@code W2 [classes x hidden]} as an ojAlgo store (a transposed copy of the flat rows). */
    public R064Store w2() {
        return transposedCopy(shape.w2Offset(), shape.classes(), shape.hidden());
    }

    /** {@code W2ᵀ [hidden x classes]}: the flat rows of W2 read column-major (a plain copy). */
    public R064Store w2Transposed() {
        int from = shape.w2Offset();
        return R064Store.wrap(Arrays.copyOfRange(values, from, from + shape.classes() * shape.hidden()),
                shape.hidden());
    }

    /** A copy of {@code b1 [hidden]}. */
    public double[] b1() {
        return Arrays.copyOfRange(values, shape.b1Offset(), shape.b1Offset() + shape.hidden());
    }

    /** A copy of {@code b2 [classes]}. */
    public double[] b2() {
        return Arrays.copyOfRange(values, shape.b2Offset(), shape.b2Offset() + shape.classes());
    }

    /** Element {@code W1[h][j]}. */
    public double w1(int h, int j) {
        return values[shape.w1Offset() + h * shape.inputs() + j];
    }

    /** Element {@code W2[c][h]}. */
    public double w2(int c, int h) {
        return values[shape.w2Offset() + c * shape.hidden() + h];
    }

    /** Copies the row-major {@code rows x cols} tensor at {@code offset} into a column-major store of that shape. */
    private R064Store transposedCopy(int offset, int rows, int cols) {
        double[] colMajor = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            int src = offset + r * cols;
            for (int c = 0; c < cols; c++) {
                colMajor[c * rows + r] = values[src + c];
            }
        }
        return R064Store.wrap(colMajor, rows);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameters p && p.shape.equals(shape) && Arrays.equals(p.values, values);
    }

    @Override
    public int hashCode() {
        return shape.hashCode() * 31 + Arrays.hashCode(values);
    }
}
