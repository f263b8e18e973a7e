package org.sparkdigits.train;

import java.util.Locale;
import java.util.Optional;

import org.sparkdigits.core.optim.LearningRateSchedule;

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

    /**
     * The warning for a warm-up as long as a run of {@code totalSteps} steps or longer: the learning rate climbs towards
     * {@code --lr} for the whole run (and never reaches it when the warm-up is longer), or empty.
     */
    public Optional<String> warmupWarning(long totalSteps) {
        if (warmup == 0 || warmup < totalSteps || totalSteps < 1) {
            return Optional.empty();
        }
        double last = over(totalSteps).at(totalSteps - 1);
        return Optional.of(String.format(Locale.ROOT, "--warmup %d is as long as the run's %d steps or longer: the learning "
                + "rate climbs towards --lr %s for the whole run and ends at %.3g (%s); give a shorter --warmup or more "
                + "steps", warmup, totalSteps, lr, last, warmup > totalSteps ? "it never reaches its base value"
                : "its base value at the last step only"));
    }
}
