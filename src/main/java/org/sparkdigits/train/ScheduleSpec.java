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

    /** {@code --lr}. */
    public static final Setting<ScheduleSpec> LR = Setting.<ScheduleSpec>of("lr", "RATE", "0.1", Setting.Kind.NUMBER,
            "learning rate (the schedule's base rate)")
            .recorded(Setting.Recorded.RUN, k -> k.lr())
            .positive();

    /** {@code --schedule}. */
    public static final Setting<ScheduleSpec> SCHEDULE = Setting.<ScheduleSpec>of(
            "schedule", "constant|step|cosine", "constant", Setting.Kind.CHOICE,
            "learning-rate schedule over the steps")
            .recorded(Setting.Recorded.RUN, k -> k.kind().id());

    /** {@code --warmup}. */
    public static final Setting<ScheduleSpec> WARMUP = Setting.<ScheduleSpec>of(
            "warmup", "STEPS", "0", Setting.Kind.INTEGER,
            "linear warm-up of the learning rate over the first STEPS steps")
            .recorded(Setting.Recorded.RUN, k -> k.warmup())
            .between(0, Integer.MAX_VALUE);

    /** {@code --decay-every}. */
    public static final Setting<ScheduleSpec> DECAY_EVERY = Setting.<ScheduleSpec>of(
            "decay-every", "STEPS", "1000", Setting.Kind.INTEGER,
            "step schedule: multiply the rate by --decay-rate every STEPS steps")
            .recorded(Setting.Recorded.RUN, k -> k.kind() == LearningRateSchedule.Kind.STEP ? k.decayEvery() : null)
            .between(1, Integer.MAX_VALUE);

    /** {@code --decay-rate}. */
    public static final Setting<ScheduleSpec> DECAY_RATE = Setting.<ScheduleSpec>of(
            "decay-rate", "R", "0.5", Setting.Kind.NUMBER,
            "step schedule: the factor")
            .recorded(Setting.Recorded.RUN, k -> k.kind() == LearningRateSchedule.Kind.STEP ? k.decayRate() : null)
            .in(0, false, 1, true);

    public ScheduleSpec {
        LR.check(lr);
        WARMUP.check(warmup);
        DECAY_EVERY.check(decayEvery);
        DECAY_RATE.check(decayRate);
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
        return Optional.of(String.format(Locale.ROOT, WARMUP.flag() + " %d is as long as the run's %d steps or longer: the learning "
                + "rate climbs towards " + LR.flag() + " %s for the whole run and ends at %.3g (%s); give a shorter " + WARMUP.flag() + " or more "
                + "steps", warmup, totalSteps, lr, last, warmup > totalSteps ? "it never reaches its base value"
                : "its base value at the last step only"));
    }
}
