package org.sparkdigits.train;

/**
 * How many steps of what size, and how often to log.
 *
 * @param batchSize  global rows per mini-batch step, 0 for full batch ({@code --batch-size})
 * @param epochs     passes over the data with mini-batches, 1-1 000 000 ({@code --epochs})
 * @param iterations full-batch steps (iterations of lbfgs and cg), 1-10 000 000 ({@code --iterations})
 * @param localSteps mini-batch steps each task takes alone before the models are averaged, 1-1 000 000
 *                   ({@code --local-steps})
 * @param logEvery   a progress line and a history row every N steps ({@code --log-every})
 * @param seed       initialisation, holdout and validation rows, batches, dropout masks ({@code --seed})
 */
public record LoopSpec(int batchSize, int epochs, int iterations, int localSteps, int logEvery, long seed) {

    /** {@code --iterations}. */
    public static final Setting<LoopSpec> ITERATIONS = Setting.<LoopSpec>of(
            "iterations", "N", "500", Setting.Kind.INTEGER,
            "full-batch steps (iterations of lbfgs and cg)")
            .recorded(Setting.Recorded.RUN, l -> l.miniBatch() ? null : l.iterations())
            .between(1, 10_000_000);

    /** {@code --batch-size}. */
    public static final Setting<LoopSpec> BATCH_SIZE = Setting.<LoopSpec>of(
            "batch-size", "B", "0", Setting.Kind.INTEGER,
            "global rows per mini-batch step; 0 = full batch")
            .recorded(Setting.Recorded.RUN, l -> l.batchSize())
            .between(0, Integer.MAX_VALUE);

    /** {@code --epochs}. */
    public static final Setting<LoopSpec> EPOCHS = Setting.<LoopSpec>of("epochs", "E", "10", Setting.Kind.INTEGER,
            "passes over the data with --batch-size")
            .recorded(Setting.Recorded.RUN, l -> l.miniBatch() ? l.epochs() : null)
            .between(1, 1_000_000);

    /** {@code --local-steps}. */
    public static final Setting<LoopSpec> LOCAL_STEPS = Setting.<LoopSpec>of(
            "local-steps", "K", "1", Setting.Kind.INTEGER,
            "mini-batch steps each task takes alone before the models are averaged")
            .recorded(Setting.Recorded.RUN, l -> l.miniBatch() ? l.localSteps() : null)
            .between(1, 1_000_000);

    /** {@code --seed}. */
    public static final Setting<LoopSpec> SEED = Setting.<LoopSpec>of("seed", "N", "1", Setting.Kind.LONG,
            "seed of initialisation, holdout and every other random choice")
            .recorded(Setting.Recorded.RUN, l -> l.seed());

    /** {@code --log-every}. */
    public static final Setting<LoopSpec> LOG_EVERY = Setting.<LoopSpec>of("log-every", "N", "10", Setting.Kind.INTEGER,
            "a progress line and a history.csv row every N steps")
            .recorded(Setting.Recorded.MODEL, l -> l.logEvery())
            .between(1, Integer.MAX_VALUE);

    public LoopSpec {
        BATCH_SIZE.check(batchSize);
        EPOCHS.check(epochs);
        ITERATIONS.check(iterations);
        LOCAL_STEPS.check(localSteps);
        LOG_EVERY.check(logEvery);
        if (localSteps > 1 && batchSize == 0) {
            throw new IllegalArgumentException(LOCAL_STEPS.flag() + " " + localSteps + " needs mini-batches: give " + BATCH_SIZE.flag() + " too");
        }
    }

    public boolean miniBatch() {
        return batchSize > 0;
    }
}
