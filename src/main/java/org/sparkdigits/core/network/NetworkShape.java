package org.sparkdigits.core.network;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

/**
 * The shape of the two-layer network: {@code inputs -> hidden (ReLU) -> classes (softmax)}.
 *
 * <p>All parameters live in one flat {@code double[]} of length {@link #parameterCount()}, laid out
 * as four consecutive row-major tensors (the order and layout of the model file):
 * <pre>
 *   W1  [hidden  x inputs]   at {@link #w1Offset()}
 *   b1  [hidden]             at {@link #b1Offset()}
 *   W2  [classes x hidden]   at {@link #w2Offset()}
 *   b2  [classes]            at {@link #b2Offset()}
 * </pre>
 * Row-major {@code W1 [hidden x inputs]} is, read column-major, {@code W1ᵀ [inputs x hidden]}: the
 * kernel uses that to accumulate weight gradients straight into the flat layout.
 */
@DefaultSerializer(JavaSerializer.class)
public record NetworkShape(int inputs, int hidden, int classes) implements java.io.Serializable {

    /** MNIST: 28x28 grey pixels. */
    public static final int MNIST_INPUTS = 784;
    /** Ten digits. */
    public static final int MNIST_CLASSES = 10;
    /** The largest hidden layer accepted. */
    public static final int MAX_HIDDEN = 4096;

    public NetworkShape {
        if (inputs < 1) {
            throw new IllegalArgumentException("inputs must be at least 1, got " + inputs);
        }
        if (hidden < 1 || hidden > MAX_HIDDEN) {
            throw new IllegalArgumentException("hidden must be between 1 and " + MAX_HIDDEN + ", got " + hidden);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be at least 2, got " + classes);
        }
    }

    /** The MNIST shape {@code 784 -> hidden -> 10}. */
    public static NetworkShape mnist(int hidden) {
        return new NetworkShape(MNIST_INPUTS, hidden, MNIST_CLASSES);
    }

    public int w1Offset() {
        return 0;
    }

    public int b1Offset() {
        return hidden * inputs;
    }

    public int w2Offset() {
        return b1Offset() + hidden;
    }

    public int b2Offset() {
        return w2Offset() + classes * hidden;
    }

    /** Total number of parameters: {@code hidden*inputs + hidden + classes*hidden + classes}. */
    public int parameterCount() {
        return b2Offset() + classes;
    }

    @Override
    public String toString() {
        return inputs + "-" + hidden + "-" + classes;
    }
}
