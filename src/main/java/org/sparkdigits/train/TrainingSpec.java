package org.sparkdigits.train;

import org.sparkdigits.core.optim.Optimizer;

/**
 * Everything about how to train, immutable and validated: each group checks its own fields, and this record the
 * rules between groups (a line-search optimiser takes neither mini-batches, nor dropout, nor fresh distortions, nor
 * checkpoints; the collective engine runs synchronous mini-batch steps only).
 */
public record TrainingSpec(NetworkSpec network, OptimizerSpec optimizer, ScheduleSpec schedule,
                           RegularizationSpec regularization, LoopSpec loop, EvaluationSpec evaluation, DataSpec data,
                           CheckpointSpec checkpoints, AugmentSpec augment, EngineSpec engine) {

    public TrainingSpec {
        Optimizer.Kind kind = optimizer.kind();
        if (engine == null) {
            engine = EngineSpec.DEFAULT;
        }
        checkBatches(kind, loop.batchSize());
        if (checkpoints.enabled() && kind.fullBatchOnly()) {
            throw new IllegalArgumentException(CheckpointSpec.CHECKPOINT_DIR.flag() + ": checkpoints are for sgd, momentum, nesterov, adam and "
                    + "adamw; " + kind.id() + " keeps line-search state that is not checkpointed");
        }
        if (regularization.dropout() > 0 && kind.fullBatchOnly()) {
            throw new IllegalArgumentException(RegularizationSpec.DROPOUT.flag() + " draws new masks every step, which the line search of " + OptimizerSpec.OPTIMIZER.flag() + " "
                    + kind.id() + " cannot follow: use sgd, momentum, nesterov, adam or adamw");
        }
        if (augment.onTheFly() && kind.fullBatchOnly()) {
            throw new IllegalArgumentException(AugmentSpec.AUGMENT_ON_THE_FLY.flag() + " draws new distortions every epoch, which the line "
                    + "search of " + OptimizerSpec.OPTIMIZER.flag() + " " + kind.id() + " cannot follow: use sgd, momentum, nesterov, adam or adamw");
        }
        if (engine.collective()) {
            String refusal = EngineSpec.refusal(loop, kind);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal);
            }
        }
    }

    /**
     * The rule between the optimiser and the batches: a line-search optimiser (lbfgs, cg) takes full batches only.
     *
     * @throws IllegalArgumentException for {@code --batch-size} given to one
     */
    public static void checkBatches(Optimizer.Kind kind, int batchSize) {
        if (kind.fullBatchOnly() && batchSize > 0) {
            throw new IllegalArgumentException(OptimizerSpec.OPTIMIZER.flag() + " " + kind.id() + " is a full-batch method: drop " + LoopSpec.BATCH_SIZE.flag() + " (or "
                    + "use sgd, momentum, nesterov, adam or adamw)");
        }
    }

    /** With the default engine ({@code --engine jobs}). */
    public TrainingSpec(NetworkSpec network, OptimizerSpec optimizer, ScheduleSpec schedule,
                        RegularizationSpec regularization, LoopSpec loop, EvaluationSpec evaluation, DataSpec data,
                        CheckpointSpec checkpoints, AugmentSpec augment) {
        this(network, optimizer, schedule, regularization, loop, evaluation, data, checkpoints, augment, EngineSpec.DEFAULT);
    }

    /** This spec with another network. */
    public TrainingSpec with(NetworkSpec n) {
        return new TrainingSpec(n, optimizer, schedule, regularization, loop, evaluation, data, checkpoints, augment, engine);
    }

    /** This spec with another optimiser. */
    public TrainingSpec with(OptimizerSpec o) {
        return new TrainingSpec(network, o, schedule, regularization, loop, evaluation, data, checkpoints, augment, engine);
    }

    /** This spec with another schedule. */
    public TrainingSpec with(ScheduleSpec s) {
        return new TrainingSpec(network, optimizer, s, regularization, loop, evaluation, data, checkpoints, augment, engine);
    }

    /** This spec with other steps. */
    public TrainingSpec with(LoopSpec l) {
        return new TrainingSpec(network, optimizer, schedule, regularization, l, evaluation, data, checkpoints, augment, engine);
    }

    /** This spec with other regularisation. */
    public TrainingSpec with(RegularizationSpec r) {
        return new TrainingSpec(network, optimizer, schedule, r, loop, evaluation, data, checkpoints, augment, engine);
    }

    /** This spec with other data. */
    public TrainingSpec with(DataSpec d) {
        return new TrainingSpec(network, optimizer, schedule, regularization, loop, evaluation, d, checkpoints, augment, engine);
    }

    /** This spec with other checkpoints. */
    public TrainingSpec with(CheckpointSpec c) {
        return new TrainingSpec(network, optimizer, schedule, regularization, loop, evaluation, data, c, augment, engine);
    }

    /** This spec with another engine (a run hands {@code SparkTrainer} the one it resolved). */
    public TrainingSpec with(EngineSpec e) {
        return new TrainingSpec(network, optimizer, schedule, regularization, loop, evaluation, data, checkpoints, augment, e);
    }

    /** The core optimiser's settings (adamw decays with the l2 value). */
    public Optimizer.Settings optimizerSettings() {
        return optimizer.settings(regularization.l2());
    }

    /** L2 added to the gradient: all optimisers but adamw, whose decay is decoupled. */
    public double coupledL2() {
        return optimizer.kind() == Optimizer.Kind.ADAMW ? 0 : regularization.l2();
    }
}
