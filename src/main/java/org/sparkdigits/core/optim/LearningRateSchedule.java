package org.sparkdigits.core.optim;

import org.sparkdigits.core.network.Names;

/**
 * The learning rate of step {@code t} (0-based): a linear warm-up over the first {@code warmup} steps
 * ({@code base (t+1)/warmup}), then
 * <ul>
 *   <li>{@code constant}: {@code base};</li>
 *   <li>{@code step}: {@code base * decayRate^floor((t - warmup) / decayEvery)};</li>
 *   <li>{@code cosine}: {@code base * (1 + cos(π (t - warmup) / (total - warmup))) / 2}, reaching 0 at the end.</li>
 * </ul>
 *
 * @param totalSteps all steps of the run (for cosine)
 */
public record LearningRateSchedule(Kind kind, double base, long warmup, long decayEvery, double decayRate, long totalSteps) {

    public enum Kind {
        CONSTANT, STEP, COSINE;

        public static Kind parse(String name) {
            return Names.parse(values(), name, "schedule");
        }

        public String id() {
            return Names.id(this);
        }
    }

    public LearningRateSchedule {
        if (!(base > 0) || Double.isInfinite(base)) {
            throw new IllegalArgumentException("the learning rate must be a positive number, got " + base);
        }
        if (warmup < 0 || decayEvery < 1 || !(decayRate > 0) || totalSteps < 1) {
            throw new IllegalArgumentException("bad schedule: warmup " + warmup + ", decay every " + decayEvery
                    + ", decay rate " + decayRate + ", total steps " + totalSteps);
        }
    }

    public static LearningRateSchedule constant(double base) {
        return new LearningRateSchedule(Kind.CONSTANT, base, 0, 1, 1.0, 1);
    }

    public double at(long t) {
        if (t < warmup) {
            return base * (t + 1) / warmup;
        }
        long s = t - warmup;
        return switch (kind) {
            case CONSTANT -> base;
            case STEP -> base * Math.pow(decayRate, (double) (s / decayEvery));
            case COSINE -> {
                long span = Math.max(1, totalSteps - warmup);
                yield base * 0.5 * (1.0 + Math.cos(Math.PI * Math.min(s, span) / span));
            }
        };
    }
}
