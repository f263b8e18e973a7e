package org.sparkdigits.train;

import org.sparkdigits.core.LearningRateSchedule;

/**
 * The learning rate over the steps.
 *
 * @param kind       constant, step or cosine ({@code --schedule})
 * @param lr         the base rate, a positive number ({@code --lr})
 * @param warmup     steps of linear warm-up ({@code --warmup})
 * @param decayEvery step schedule: steps between decays, at least 1 ({@code --decay-every})
 * @param decayRate  step schedule: the factor, in (0, 1] ({@code --decay-rate})
 */
public record ScheduleSpec(LearningRateSchedule.Kind kind, double lr, int warmup, int decayEvery, double decayRate) {

    public ScheduleSpec {
        Check.positive("--lr", lr);
        Check.between("--warmup", warmup, 0, Integer.MAX_VALUE);
        Check.between("--decay-every", decayEvery, 1, Integer.MAX_VALUE);
        Check.in("--decay-rate", decayRate, 0, false, 1, true);
    }

    /** The schedule over a run of {@code totalSteps} steps. */
    public LearningRateSchedule over(long totalSteps) {
        return new LearningRateSchedule(kind, lr, warmup, decayEvery, decayRate, Math.max(1, totalSteps));
    }
}
