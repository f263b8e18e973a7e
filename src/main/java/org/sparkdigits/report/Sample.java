package org.sparkdigits.report;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;

/**
 * One digit as the model saw it, for the samples gallery.
 *
 * @param pixels        {@code [784]} row-major 28x28, 0-255 (as unsigned bytes)
 * @param label         the true class
 * @param predicted     the model's class
 * @param probabilities {@code [10]} the softmax outputs
 */
@DefaultSerializer(JavaSerializer.class)
public record Sample(byte[] pixels, int label, int predicted, double[] probabilities) implements Serializable {

    public boolean correct() {
        return label == predicted;
    }

    /** The probability of the predicted class. */
    public double confidence() {
        return probabilities[predicted];
    }
}
