package org.sparkdigits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.optim.LearningRateSchedule;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.data.OnBadRow;

/** Every group of the training spec checks its own fields, with the command line's messages: tested where they live. */
class TrainingSpecTest {

    private static void refused(String message, Executable e) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    static final NetworkSpec NETWORK = new NetworkSpec(10, Activation.RELU, Initializer.HE, KernelKind.SIMD);
    static final OptimizerSpec SGD = new OptimizerSpec(Optimizer.Kind.SGD, 0.9, 0.9, 0.999, 1e-8);
    static final ScheduleSpec SCHEDULE = new ScheduleSpec(LearningRateSchedule.Kind.CONSTANT, 0.1, 0, 1000, 0.5);
    static final RegularizationSpec NONE = new RegularizationSpec(0, 0);
    static final LoopSpec FULL = new LoopSpec(0, 10, 500, 1, 10, 1);
    static final EvaluationSpec EVAL = new EvaluationSpec(0, 0, 0, 0);
    static final DataSpec DATA = new DataSpec("d.csv", null, null, 0, "MEMORY_AND_DISK", OnBadRow.FAIL, null, List.of());
    static final CheckpointSpec NO_CHECKPOINTS = new CheckpointSpec(null, 100, false);
    static final AugmentSpec PLAIN = new AugmentSpec(false, AugmentSpec.distortion(10, 0.1, 0.15, 2, 2.5, 4));

    @Test
    void network() {
        refused("--hidden must be between 1 and 4096, got 0", () -> new NetworkSpec(0, Activation.RELU, Initializer.HE, KernelKind.SIMD));
        refused("--hidden must be between 1 and 4096, got 4097",
                () -> new NetworkSpec(4097, Activation.RELU, Initializer.HE, KernelKind.SIMD));
        assertEquals(7960, NETWORK.shape().parameterCount());
    }

    @Test
    void optimizer() {
        refused("--momentum must be in [0, 1), got 1", () -> new OptimizerSpec(Optimizer.Kind.MOMENTUM, 1, 0.9, 0.999, 1e-8));
        refused("--beta1 must be in [0, 1), got -0.5", () -> new OptimizerSpec(Optimizer.Kind.ADAM, 0.9, -0.5, 0.999, 1e-8));
        refused("--beta2 must be in [0, 1), got 1", () -> new OptimizerSpec(Optimizer.Kind.ADAM, 0.9, 0.9, 1, 1e-8));
        refused("--eps must be in (0, 1], got 0", () -> new OptimizerSpec(Optimizer.Kind.ADAM, 0.9, 0.9, 0.999, 0));
        assertEquals(0.25, SGD.settings(0.25).weightDecay());
    }

    @Test
    void schedule() {
        refused("--lr must be a positive number, got -1",
                () -> new ScheduleSpec(LearningRateSchedule.Kind.CONSTANT, -1, 0, 1, 0.5));
        refused("--lr must be a positive number, got inf",
                () -> new ScheduleSpec(LearningRateSchedule.Kind.CONSTANT, Double.POSITIVE_INFINITY, 0, 1, 0.5));
        refused("--warmup must be between 0 and 2147483647, got -3",
                () -> new ScheduleSpec(LearningRateSchedule.Kind.CONSTANT, 0.1, -3, 1, 0.5));
        refused("--decay-every must be between 1 and 2147483647, got 0",
                () -> new ScheduleSpec(LearningRateSchedule.Kind.STEP, 0.1, 0, 0, 0.5));
        refused("--decay-rate must be in (0, 1], got 2", () -> new ScheduleSpec(LearningRateSchedule.Kind.STEP, 0.1, 0, 1, 2));
        assertEquals(0.05, new ScheduleSpec(LearningRateSchedule.Kind.STEP, 0.1, 0, 10, 0.5).over(100).at(10), 1e-15);
    }

    @Test
    void regularization() {
        refused("--l2 must be in [0, inf), got -0.001", () -> new RegularizationSpec(-0.001, 0));
        refused("--dropout must be in [0, 1), got 1", () -> new RegularizationSpec(0, 1));
    }

    @Test
    void loop() {
        refused("--batch-size must be between 0 and 2147483647, got -5", () -> new LoopSpec(-5, 10, 500, 1, 10, 1));
        refused("--epochs must be between 1 and 1000000, got 0", () -> new LoopSpec(64, 0, 500, 1, 10, 1));
        refused("--iterations must be between 1 and 10000000, got 0", () -> new LoopSpec(0, 10, 0, 1, 10, 1));
        refused("--local-steps 4 needs mini-batches: give --batch-size too", () -> new LoopSpec(0, 10, 500, 4, 10, 1));
        refused("--log-every must be between 1 and 2147483647, got 0", () -> new LoopSpec(0, 10, 500, 1, 0, 1));
    }

    @Test
    void evaluation() {
        refused("--holdout must be between 0 and 2147483647, got -1", () -> new EvaluationSpec(-1, 0, 0, 0));
        refused("--early-stopping must be between 0 and 2147483647, got -2", () -> new EvaluationSpec(0, 0, 0, -2));
    }

    @Test
    void data() {
        refused("--partitions must be between 0 and 100000, got 100001",
                () -> new DataSpec("d", null, null, 100_001, "MEMORY_AND_DISK", OnBadRow.FAIL, null, List.of()));
        refused("--storage-level must be a Spark storage level such as MEMORY_AND_DISK, MEMORY_ONLY, MEMORY_AND_DISK_SER or "
                + "DISK_ONLY, got 'ram'", () -> new DataSpec("d", null, null, 0, "ram", OnBadRow.FAIL, null, List.of()));
        refused("--out is empty: give PATH", () -> new DataSpec("d", null, null, 0, "DISK_ONLY", OnBadRow.SKIP, " ", List.of()));
        assertEquals("DISK_ONLY", new DataSpec("d", null, null, 0, "disk_only", OnBadRow.SKIP, null, List.of()).storageLevel());
    }

    @Test
    void checkpoints() {
        refused("--resume needs --checkpoint-dir (where the checkpoints are)", () -> new CheckpointSpec(null, 100, true));
        refused("--checkpoint-every must be between 1 and 2147483647, got 0", () -> new CheckpointSpec("ck", 0, false));
    }

    @Test
    void augment() {
        refused("--rotation must be in [0, 180], got 200", () -> AugmentSpec.distortion(200, 0.1, 0.15, 2, 2.5, 4));
        refused("--sigma must be in [0.1, 20], got 0", () -> AugmentSpec.distortion(10, 0.1, 0.15, 2, 2.5, 0));
        assertEquals(null, PLAIN.fresh(1));
    }

    @Test
    void rulesBetweenGroups() {
        OptimizerSpec lbfgs = new OptimizerSpec(Optimizer.Kind.LBFGS, 0.9, 0.9, 0.999, 1e-8);
        OptimizerSpec cg = new OptimizerSpec(Optimizer.Kind.CG, 0.9, 0.9, 0.999, 1e-8);
        LoopSpec mini = new LoopSpec(64, 1, 500, 1, 10, 1);
        refused("--optimizer lbfgs is a full-batch method: drop --batch-size (or use sgd, momentum, nesterov, adam or adamw)",
                () -> new TrainingSpec(NETWORK, lbfgs, SCHEDULE, NONE, mini, EVAL, DATA, NO_CHECKPOINTS, PLAIN));
        refused("--dropout draws new masks every step, which the line search of --optimizer cg cannot follow: use sgd, "
                + "momentum, nesterov, adam or adamw", () -> new TrainingSpec(NETWORK, cg, SCHEDULE,
                new RegularizationSpec(0, 0.5), FULL, EVAL, DATA, NO_CHECKPOINTS, PLAIN));
        refused("--checkpoint-dir: checkpoints are for sgd, momentum, nesterov, adam and adamw; cg keeps line-search state "
                + "that is not checkpointed", () -> new TrainingSpec(NETWORK, cg, SCHEDULE, NONE, FULL, EVAL, DATA,
                new CheckpointSpec("ck", 100, false), PLAIN));
        refused("--augment-on-the-fly draws new distortions every epoch, which the line search of --optimizer lbfgs cannot "
                + "follow: use sgd, momentum, nesterov, adam or adamw", () -> new TrainingSpec(NETWORK, lbfgs, SCHEDULE, NONE,
                FULL, EVAL, DATA, NO_CHECKPOINTS, new AugmentSpec(true, PLAIN.distortion())));
        TrainingSpec adamw = new TrainingSpec(NETWORK, new OptimizerSpec(Optimizer.Kind.ADAMW, 0.9, 0.9, 0.999, 1e-8), SCHEDULE,
                new RegularizationSpec(0.1, 0), mini, EVAL, DATA, NO_CHECKPOINTS, PLAIN);
        assertEquals(0.0, adamw.coupledL2(), "adamw's decay is decoupled");
        assertEquals(0.1, adamw.optimizerSettings().weightDecay());
    }

    @Test
    void engine() {
        assertEquals(Engine.AUTO, Engine.parse(" Auto "));
        refused("--engine must be one of collective, jobs, auto, got 'bogus'", () -> Engine.parse("bogus"));
        assertEquals(EngineSpec.DEFAULT, new TrainingSpec(NETWORK, SGD, SCHEDULE, NONE, FULL, EVAL, DATA, NO_CHECKPOINTS,
                PLAIN).engine());
        LoopSpec miniBatch = new LoopSpec(32, 1, 1, 1, 10, 1);
        TrainingSpec collective = new TrainingSpec(NETWORK, SGD, SCHEDULE, NONE, miniBatch, EVAL, DATA, NO_CHECKPOINTS,
                PLAIN, new EngineSpec(Engine.COLLECTIVE));
        assertEquals(Engine.COLLECTIVE, collective.engine().engine());
        assertEquals(Engine.COLLECTIVE, collective.with(DATA).engine().engine(), "with(...) keeps the engine");
        assertEquals(Engine.AUTO, collective.with(EngineSpec.DEFAULT).engine().engine(), "the default");
        assertEquals(Engine.JOBS, collective.with(new EngineSpec(Engine.JOBS)).engine().engine());
        // the collective engine runs synchronous gradient steps, mini-batch or full-batch: the others are refused
        assertEquals(Engine.COLLECTIVE, collective.with(FULL).engine().engine());
        refused("--engine collective runs one synchronous step at a time (--local-steps 1): --local-steps 4 averages its "
                + "rounds on the jobs engine; use --engine jobs or auto", () -> collective.with(new LoopSpec(32, 1, 1, 4, 10, 1)));
        OptimizerSpec lbfgs = new OptimizerSpec(Optimizer.Kind.LBFGS, 0.9, 0.9, 0.999, 1e-8);
        refused("--engine collective runs gradient steps (sgd, momentum, nesterov, adam or adamw): lbfgs keeps its line "
                + "search on the jobs engine; use --engine jobs or auto", () -> new TrainingSpec(NETWORK, lbfgs, SCHEDULE, NONE, FULL, EVAL,
                DATA, NO_CHECKPOINTS, PLAIN, new EngineSpec(Engine.COLLECTIVE)));
        // auto decides later, on the cluster: any steps are allowed
        assertEquals(Engine.AUTO, new TrainingSpec(NETWORK, lbfgs, SCHEDULE, NONE, FULL, EVAL, DATA, NO_CHECKPOINTS, PLAIN,
                new EngineSpec(Engine.AUTO)).engine().engine());
        assertEquals(null, EngineSpec.jobsOnly(FULL, Optimizer.Kind.SGD));
        assertEquals("lbfgs keeps its line search on the jobs engine", EngineSpec.jobsOnly(FULL, Optimizer.Kind.LBFGS));
        assertEquals(null, EngineSpec.jobsOnly(miniBatch, Optimizer.Kind.ADAM));
    }
}
