package org.sparkdigits.core.kernel;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;

import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.numbers.SplitMix;

/**
 * Inverted dropout on the hidden layer while training ({@code --dropout P}): in each step, each hidden
 * unit of each row is dropped (its activation set to zero) with probability {@code P}, and the kept ones
 * are scaled by {@code 1 / (1 - P)}, so that evaluation and prediction use the plain network unchanged.
 *
 * <p>Per row, with {@code m [hidden]} the row's mask of multipliers (0 or {@code 1 / (1 - P)}):
 * <pre>
 *   a  = f(W1 x + b1) ∘ m          (the dropped activations feed the output layer and dW2)
 *   d1 = (W2ᵀ dz) ∘ m ∘ f'(z1)     (f' from the activations before dropping)
 * </pre>
 *
 * <p>The mask is a pure function of ({@link #seed}, the row's content key {@link DigitBlock#rowKey(int)},
 * unit): it does not depend on partitioning, kernel, chunking or task timing, so a step's gradient is the
 * same for any number of partitions and a rerun is bit-identical. {@link #forStep} derives the seed of each
 * training step from the run's seed; with the same step seed the gradient is an ordinary deterministic
 * function of the weights (which is what the finite-difference check relies on).
 *
 * @param rate the probability P of dropping a unit, in [0, 1)
 * @param seed the seed of this step's masks
 */
@DefaultSerializer(JavaSerializer.class)
public record Dropout(double rate, long seed) implements Serializable {

    /** No dropout. */
    public static final Dropout NONE = new Dropout(0, 0);

    static final long GOLDEN = SplitMix.GOLDEN;
    static final long MIX1 = SplitMix.MIX1;
    static final long MIX2 = SplitMix.MIX2;

    public Dropout {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
    }

    /** The masks of training step {@code step} (counted from 0) of a run seeded with {@code runSeed}. */
    public static Dropout forStep(double rate, long runSeed, long step) {
        return rate == 0 ? NONE : new Dropout(rate, mix(mix(runSeed ^ 0x64726F706F7574L) + step * GOLDEN));
    }

    public boolean active() {
        return rate > 0;
    }

    /**
     * Writes the mask of the row with key {@code rowKey} into {@code mask[off, off + hidden)}: 0 for a dropped
     * unit, {@code 1 / (1 - rate)} for a kept one.
     */
    public void fill(long rowKey, double[] mask, int off, int hidden) {
        fillFrom(rowBase(rowKey), mask, off, 0, hidden);
    }

    /** {@link #fill} for units {@code [from, hidden)} only, from the row's {@link #rowBase}. */
    void fillFrom(long base, double[] mask, int off, int from, int hidden) {
        double keep = keep();
        long threshold = threshold();
        for (int u = from; u < hidden; u++) {
            long r = mix(base + (u + 1) * GOLDEN) >>> 11;   // uniform in [0, 2^53)
            mask[off + u] = r < threshold ? 0.0 : keep;
        }
    }

    /** The multiplier of a kept unit, {@code 1 / (1 - rate)}. */
    double keep() {
        return 1.0 / (1.0 - rate);
    }

    /** A unit is dropped when its 53 random bits are below this. */
    long threshold() {
        return (long) (rate * 0x1p53);
    }

    /** The hash that unit {@code u}'s draw {@code mix(base + (u + 1)·GOLDEN)} starts from, for the row {@code rowKey}. */
    long rowBase(long rowKey) {
        return mix(seed ^ mix(rowKey));
    }

    static long mix(long z) {
        return SplitMix.mix(z);
    }
}
