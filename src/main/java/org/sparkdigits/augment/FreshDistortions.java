package org.sparkdigits.augment;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;

import org.sparkdigits.core.block.DigitBlock;

/**
 * {@code train --augment-on-the-fly}: every training step sees distorted variants of its rows, made inside the
 * gradient task and never stored. The variant of a row in epoch {@code e} (0-based; a full-batch iteration is an
 * epoch) is {@link Distortion#apply} copy {@code e + 1}: exactly the row {@code augment --seed S} writes as its copy
 * {@code e + 1}, so each epoch sees fresh distortions and a run is reproducible bit for bit.
 *
 * @param distortion the ranges of the distortions
 * @param seed       the run's seed
 */
@DefaultSerializer(JavaSerializer.class)
public record FreshDistortions(Distortion distortion, long seed) implements Serializable {

    /**
     * The rows {@code order[from..to)} of {@code b} (rows {@code from..to} when {@code order} is null), each replaced by
     * its epoch-{@code epoch} variant, as a new block of {@code to - from} rows in that order.
     */
    public DigitBlock slice(DigitBlock b, int[] order, int from, int to, int epoch) {
        int n = to - from;
        int inputs = b.inputs();
        byte[] labels = b.labels() == null ? null : new byte[n];
        byte[] pixels = new byte[n * inputs];
        byte[] src = new byte[inputs];
        for (int k = 0; k < n; k++) {
            int r = order == null ? from + k : order[from + k];
            System.arraycopy(b.pixels(), r * inputs, src, 0, inputs);
            System.arraycopy(distortion.apply(src, seed, b.rowKey(r), epoch + 1), 0, pixels, k * inputs, inputs);
            if (labels != null) {
                labels[k] = b.labels()[r];
            }
        }
        return new DigitBlock(n, inputs, labels, pixels);
    }
}
