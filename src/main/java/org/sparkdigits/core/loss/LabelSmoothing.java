package org.sparkdigits.core.loss;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;

/**
 * Label smoothing ({@code --label-smoothing EPS}, Szegedy et al. 2016): training's cross-entropy is taken against
 * the targets {@code t = (1 - ε)·e_y + ε/K} instead of the one-hot {@code e_y} ({@code K} classes). Per row, with
 * {@code p = softmax(z)} and {@code m = max z}:
 * <pre>
 *   loss = -Σ_c t_c log p_c = log Σ_c exp(z_c - m) - Σ_c t_c (z_c - m)
 *   dz   = p - t
 * </pre>
 * Every kernel computes its rows' loss and output delta here ({@link #softmaxLoss}, {@link #subtractTargets}), so the
 * scalar, vector and float loops and the reference share one definition. With {@code ε = 0} both are exactly the
 * plain one-hot arithmetic ({@link Softmax#softmaxInPlace}, {@code dz_y -= 1}). Evaluations (validation and
 * test loss) always use the one-hot loss. Pure Java, no Spark.
 *
 * @param epsilon the mass moved from the true class to all classes evenly, in [0, 1)
 */
@DefaultSerializer(JavaSerializer.class)
public record LabelSmoothing(double epsilon) implements Targets, Serializable {

    /** Plain one-hot targets. */
    public static final LabelSmoothing NONE = new LabelSmoothing(0);

    public LabelSmoothing {
        if (!(epsilon >= 0 && epsilon < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + epsilon);
        }
    }

    public boolean active() {
        return epsilon > 0;
    }

    /** The smoothed target of class {@code c} of a row of class {@code y}, among {@code k}. */
    public double target(int c, int y, int k) {
        return (c == y ? 1 - epsilon : 0) + epsilon / k;
    }

    @Override
    public double softmaxLoss(double[] z, int base, int k, int y, int position) {
        return softmaxLoss(z, base, k, y);
    }

    @Override
    public void subtractTargets(double[] z, int base, int k, int y, int position) {
        subtractTargets(z, base, k, y);
    }

    /**
     * Turns the logits {@code z[base, base + k)} into probabilities in place and returns the row's loss against the
     * smoothed targets of class {@code y} (stable: computed from {@code z - max}).
     */
    public double softmaxLoss(double[] z, int base, int k, int y) {
        if (epsilon == 0) {
            return Softmax.softmaxInPlace(z, base, k, y);
        }
        double max = Softmax.max(z, base, k);
        double spread = 0;   // Σ_c (z_c - m)
        for (int c = 0; c < k; c++) {
            spread += z[base + c] - max;
        }
        double targeted = (1 - epsilon) * (z[base + y] - max) + epsilon / k * spread;
        return Math.log(Softmax.expNormalize(z, base, k, max)) - targeted;
    }

    /** Turns the probabilities {@code p = z[base, base + k)} of a row of class {@code y} into {@code dz = p - t}. */
    public void subtractTargets(double[] z, int base, int k, int y) {
        if (epsilon == 0) {
            z[base + y] -= 1.0;
            return;
        }
        double spread = epsilon / k;
        for (int c = 0; c < k; c++) {
            z[base + c] -= spread;
        }
        z[base + y] -= 1 - epsilon;
    }
}
