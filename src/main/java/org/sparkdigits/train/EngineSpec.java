package org.sparkdigits.train;

import org.sparkdigits.core.optim.Optimizer;

/**
 * Which engine runs the steps ({@code --engine}). As the builder makes it, what was asked: {@code collective},
 * {@code jobs} or {@code auto}. In the spec a run hands to {@link org.sparkdigits.spark.SparkTrainer}, the engine
 * {@link org.sparkdigits.spark.EngineChoice#resolve resolved} for the cluster: {@code collective} or {@code jobs}, never
 * {@code auto}.
 *
 * <p>The engine never changes what a step computes: it is not part of a checkpoint's fingerprint, so a run may resume
 * on the other engine.
 *
 * @param engine       the engine asked for, or (after resolution) the one used
 * @param mayFallBack  after resolution: whether a run on the collective engine goes on on the jobs engine when the
 *                     cluster can no longer run its barrier stages (fewer task slots than partitions after losing an
 *                     executor): {@code auto}'s; {@code --engine collective} fails with a one-line error instead
 */
public record EngineSpec(Engine engine, boolean mayFallBack) {

    /** {@code --engine}. */
    public static final Setting<EngineSpec> ENGINE = Setting.<EngineSpec>of(
            "engine", "collective|jobs|auto", "auto", Setting.Kind.CHOICE,
            "how the steps reach Spark: jobs (a Spark job per step), collective (one barrier stage per segment of "
            + "steps, whose tasks sum among themselves over TCP; gradient steps with --local-steps 1, not lbfgs or "
            + "cg) or auto (collective when the cluster can run a barrier stage of all the partitions and the steps "
            + "allow it, else jobs, saying why); the same bits on both");

    /** The engine asked for (before resolution: {@code mayFallBack} does not apply). */
    public EngineSpec(Engine engine) {
        this(engine, false);
    }

    /** The default: {@code --engine auto} (collective where the cluster and the steps allow it, else jobs). */
    public static final EngineSpec DEFAULT = new EngineSpec(Engine.AUTO);

    public EngineSpec {
        if (engine == null) {
            throw new IllegalArgumentException(ENGINE.flag() + ": give collective, jobs or auto");
        }
    }

    /** Whether the steps run as barrier stages. */
    public boolean collective() {
        return engine == Engine.COLLECTIVE;
    }

    /**
     * Why the steps of {@code loop} with {@code optimizer} stay on the jobs engine whatever the cluster (the collective
     * engine runs synchronous gradient steps, mini-batch or full-batch, one at a time), or {@code null} when they may run
     * collectively.
     */
    public static String jobsOnly(LoopSpec loop, Optimizer.Kind optimizer) {
        if (optimizer.fullBatchOnly()) {
            return optimizer.id() + " keeps its line search on the jobs engine";
        }
        if (loop.localSteps() > 1) {
            return LoopSpec.LOCAL_STEPS.flag() + " " + loop.localSteps() + " averages its rounds on the jobs engine";
        }
        return null;
    }

    /**
     * The refusal of {@code --engine collective} for steps that stay on the jobs engine ({@link #jobsOnly}), or
     * {@code null} when it may run them.
     */
    public static String refusal(LoopSpec loop, Optimizer.Kind optimizer) {
        String why = jobsOnly(loop, optimizer);
        if (why == null) {
            return null;
        }
        String what = optimizer.fullBatchOnly() ? "gradient steps (sgd, momentum, nesterov, adam or adamw)"
                : "one synchronous step at a time (" + LoopSpec.LOCAL_STEPS.flag() + " 1)";
        return ENGINE.flag() + " collective runs " + what + ": " + why + "; use " + ENGINE.flag() + " jobs or auto";
    }
}
