package org.sparkdigits.spark;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;

import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.augment.FreshDistortions;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Distillation;
import org.sparkdigits.core.kernel.Dropout;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.loss.Targets;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;

/**
 * What one pass over the blocks computes with the broadcast weights: the network, the kernel the tasks run, the
 * step's dropout masks, the targets of the loss (one-hot or smoothed, mixed with the teachers' when distilling), and
 * whether the rows are replaced by their epoch's distortions.
 *
 * @param fresh    on-the-fly distortions, or {@code null} for the rows as they are
 * @param epoch    the epoch whose distortions {@code fresh} makes (full batch: the iteration, from 0)
 * @param teachers the teachers, broadcast once for the run ({@code --teacher}), or {@code null}
 */
@DefaultSerializer(JavaSerializer.class)
record Pass(NetworkShape shape, Activation activation, KernelKind kernel, Dropout dropout, LabelSmoothing smoothing,
            FreshDistortions fresh, int epoch, Broadcast<Distillation> teachers) implements Serializable {

    /** A pass over the rows as they are, without dropout. */
    static Pass plain(NetworkShape shape, Activation activation, KernelKind kernel) {
        return new Pass(shape, activation, kernel, Dropout.NONE, LabelSmoothing.NONE, null, 0, null);
    }

    /** This pass with another step's dropout masks. */
    Pass withDropout(Dropout masks) {
        return new Pass(shape, activation, kernel, masks, smoothing, fresh, epoch, teachers);
    }

    /** This pass with another epoch's distortions (full batch: each iteration's). */
    Pass withEpoch(int e) {
        return new Pass(shape, activation, kernel, dropout, smoothing, fresh, e, teachers);
    }

    /**
     * The targets of rows {@code order[from..to)} of {@code block} (rows {@code from..to} when {@code order} is null) in
     * one kernel call: the labels' own, or with the teachers evaluated on those rows.
     */
    Targets targets(DigitBlock block, int[] order, int from, int to) {
        return teachers == null ? smoothing : teachers.value().targets(block, order, from, to, smoothing);
    }
}
