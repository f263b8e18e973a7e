package org.sparkdigits.train;

import org.sparkdigits.core.Optimizer;

/**
 * Which engine runs the steps ({@code --engine}). As the builder makes it, what was asked: {@code collective},
 * {@code jobs} or {@code auto}. In the spec a run hands to {@link org.sparkdigits.spark.SparkTrainer}, the engine
 * {@link org.sparkdigits.spark.EngineChoice#resolve resolved} for the cluster: {@code collective} or {@code jobs}, never
 * {@code auto}.
 *
 * <p>The engine never changes what a step computes: it is not part of a checkpoint's fingerprint, so a run may resume
 * on the other engine.
 *
 * @param engine the engine asked for, or (after resolution) the one used
 */
public record EngineSpec(Engine engine) {

    /** The default: {@code --engine jobs}. */
    public static final EngineSpec DEFAULT = new EngineSpec(Engine.JOBS);

    public EngineSpec {
        if (engine == null) {
            throw new IllegalArgumentException("--engine: give collective, jobs or auto");
        }
    }

    /** Whether the steps run as barrier stages. */
    public boolean collective() {
        return engine == Engine.COLLECTIVE;
    }

    /**
     * Why the steps of {@code loop} with {@code optimizer} stay on the jobs engine whatever the cluster (the collective
     * engine runs synchronous mini-batch steps only), or {@code null} when they may run collectively.
     */
    public static String jobsOnly(LoopSpec loop, Optimizer.Kind optimizer) {
        if (optimizer.fullBatchOnly()) {
            return optimizer.id() + " keeps its line search on the jobs engine";
        }
        if (!loop.miniBatch()) {
            return "full-batch steps run on the jobs engine";
        }
        if (loop.localSteps() > 1) {
            return "--local-steps " + loop.localSteps() + " averages its rounds on the jobs engine";
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
        String what = loop.miniBatch() && !optimizer.fullBatchOnly()
                ? "one synchronous step at a time (--local-steps 1)" : "mini-batch steps (--batch-size > 0)";
        return "--engine collective runs " + what + ": " + why + "; use --engine jobs or auto";
    }
}
