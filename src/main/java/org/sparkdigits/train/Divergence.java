package org.sparkdigits.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The message of a training whose loss stopped being a finite number, naming every setting that shapes the loss or
 * the step, not only the learning rate: a temperature, an L2 weight or label smoothing can make the loss infinite as
 * surely as a large rate. A loss that is not finite before any update of the run cannot be the rate's doing at all,
 * and says so.
 */
public final class Divergence {

    private Divergence() {
    }

    /**
     * @param loss            the loss that is not finite
     * @param step            the step it was measured at
     * @param rate            the learning rate of that step (after the schedule)
     * @param beforeAnyUpdate whether the loss was measured on the weights the run started from, before any update
     */
    public static String message(double loss, long step, double rate, boolean beforeAnyUpdate, TrainingSpec spec) {
        List<String> inPlay = new ArrayList<>();
        if (!beforeAnyUpdate) {
            inPlay.add(ScheduleSpec.LR.flag() + " " + num(rate) + " (this step's rate)");
            inPlay.add(OptimizerSpec.OPTIMIZER.flag() + " " + spec.optimizer().kind().id());
        }
        RegularizationSpec r = spec.regularization();
        if (r.l2() > 0) {
            inPlay.add(RegularizationSpec.L2.flag() + " " + num(r.l2()));
        }
        if (r.dropout() > 0) {
            inPlay.add(RegularizationSpec.DROPOUT.flag() + " " + num(r.dropout()));
        }
        if (r.labelSmoothing() > 0) {
            inPlay.add(RegularizationSpec.LABEL_SMOOTHING.flag() + " " + num(r.labelSmoothing()));
        }
        if (r.distillation().active()) {
            inPlay.add(DistillationSpec.DISTILL_TEMPERATURE.flag() + " " + num(r.distillation().temperature()));
            inPlay.add(DistillationSpec.DISTILL_WEIGHT.flag() + " " + num(r.distillation().weight()));
        }
        String settings = String.join(", ", inPlay);
        if (beforeAnyUpdate) {
            return "the loss was " + loss + " at step " + step + ", on the weights the run started from, before any "
                    + "update: the learning rate is not the cause" + (settings.isEmpty() ? "; check the data and the "
                    + "initial weights" : "; the settings that shape the loss: " + settings);
        }
        return "the loss became " + loss + " at step " + step + " with " + settings + ": lower " + ScheduleSpec.LR.flag() + " first"
                + (inPlay.size() > 2 ? "; if it still diverges, the other settings named here are the suspects" : "");
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v)
                : new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toString().toLowerCase(Locale.ROOT);
    }
}
