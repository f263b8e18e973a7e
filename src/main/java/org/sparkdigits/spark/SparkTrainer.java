package org.sparkdigits.spark;

import org.sparkdigits.spark.load.Cancellation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.checkpoint.CheckpointStore;
import org.sparkdigits.checkpoint.Fingerprint;
import org.sparkdigits.checkpoint.TrainingState;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Distillation;
import org.sparkdigits.core.kernel.Dropout;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.loss.Regularization;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.numbers.CoreRanges;
import org.sparkdigits.core.optim.ConjugateGradient;
import org.sparkdigits.core.optim.Lbfgs;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.core.optim.WeightAverage;
import org.sparkdigits.report.HistoryRow;
import org.sparkdigits.train.EarlyStopping;
import org.sparkdigits.train.History;
import org.sparkdigits.train.LoopSpec;
import org.sparkdigits.train.TrainingEvents;
import org.sparkdigits.train.TrainingSpec;

/**
 * The training loop on Spark: one loop of gradient steps ({@link #descend}) over a {@link StepEngine} that computes
 * them, {@link JobSteps} (a Spark job per step) or {@link CollectiveSegments} (one barrier stage per segment of
 * steps); after each step the loop records it: the history, the log line, the evaluations of the validation (and,
 * for information, test) set every epoch or every {@code evalEvery} steps (of the weights or, with {@code --ema}, of
 * their moving average, which the result is then too), early stopping, and every {@code every} steps a checkpoint of
 * the run's state ({@link TrainingState}: weights, optimiser, average, {@link History}, {@link EarlyStopping}).
 * {@code lbfgs} and {@code cg} drive the jobs engine's full pass from their own line searches and are recorded the
 * same way.
 */
public final class SparkTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    /** Evaluates weights on a held-out set while training. */
    @FunctionalInterface
    public interface Monitor {
        Evaluation evaluate(Parameters parameters);
    }

    /**
     * Who watches a run.
     *
     * @param validation  evaluated for early stopping, or {@code null}
     * @param test        evaluated at the same times for information only, or {@code null}
     * @param fingerprint the run's identity in its checkpoints (see {@link Fingerprint}); needed with checkpoints
     * @param listener    told of every step, evaluation and epoch
     */
    public record Monitors(Monitor validation, Monitor test, String fingerprint, TrainingEvents listener) {
        public static final Monitors NONE = new Monitors(null, null, "", TrainingEvents.NONE);
    }

    /**
     * @param parameters   the trained weights, or their moving average with {@code --ema} (the best ones when early
     *                     stopping restored them)
     * @param steps        steps taken
     * @param msPerStep    median, min and max wall time of a step (of a round with local steps)
     * @param bestStep     step of the best validation loss, or -1
     * @param stoppedEarly whether early stopping ended the run
     * @param bytesPerStep the bytes a step moves: the task results the driver received ({@code driver_received}); the
     *                     collective engine's most sent and received by a task over the mesh ({@code task_sent},
     *                     {@code task_received}); the jobs engine's results per task ({@code task_sent})
     * @param stepPhasesMs mini-batch: the median wall time of each phase of a step ({@link StepTimer}) and their total,
     *                     over the steps after the run's first epoch (its second half when it had one); else empty
     * @param engineChange how the engine changed during the run ("from step 31 on jobs: ..." when the cluster could no
     *                     longer run the collective engine's stages), or {@code null}
     */
    public record Result(Parameters parameters, List<HistoryRow> history, double trainSeconds, double[] msPerStep,
                         long steps, long bestStep, boolean stoppedEarly, java.util.Map<String, Double> stepPhasesMs,
                         java.util.Map<String, Double> bytesPerStep, String engineChange) {

        public double medianMs() {
            return msPerStep[0];
        }
    }

    private final JavaRDD<DigitBlock> blocks;
    private final long rows;
    private final TrainingSpec spec;
    private final LoopSpec loop;
    private final Monitors monitors;
    private final JavaSparkContext jsc;
    /** With {@code --teacher}: the teachers, broadcast once for the run and destroyed after it. */
    private final Broadcast<Distillation> teachers;
    private final NetworkShape shape;
    private final Parameters p;
    private final History history = new History();
    private final EarlyStopping early;
    /** Each round's wall time (a step's, or a round's of local steps), as the engine told it. */
    private final List<Double> times = new ArrayList<>();
    private final long start = System.nanoTime();
    /** Training time of the runs this one resumed. */
    private long elapsedBefore;
    private TrainingState state;
    private CheckpointStore store;
    private StepEngine engine;
    /** How the engine changed during the run (the collective engine's steps handed to jobs), or {@code null}. */
    private String engineChange;
    /** Full batch: an epoch is one step over every row (an iteration); else {@link BatchPlan}'s mini-batches. */
    private boolean fullBatch;
    private int perEpoch;
    private long total;
    /** The epoch the loop is in (from 0). */
    private int epoch;
    /** The loss, rows and right answers of the rounds told since the last log line. */
    private double windowLoss;
    private long windowRows;
    private long windowCorrect;

    private SparkTrainer(JavaRDD<DigitBlock> blocks, long rows, Parameters initial, TrainingSpec spec, Monitors monitors,
                         Distillation distillation) {
        this.blocks = blocks;
        this.rows = rows;
        this.spec = spec;
        this.loop = spec.loop();
        this.monitors = monitors;
        this.jsc = JavaSparkContext.fromSparkContext(blocks.context());
        this.teachers = distillation == null ? null : jsc.broadcast(distillation);   // destroyed by train's finally
        this.shape = initial.shape();
        this.p = initial.copy();
        this.early = new EarlyStopping(spec.evaluation().earlyStopping());
    }

    /** Trains with no monitors and no checkpoints, counting the rows. */
    public static Result train(JavaRDD<DigitBlock> blocks, Parameters initial, TrainingSpec spec) {
        return train(blocks, -1, initial, spec, Monitors.NONE);
    }

    /** Trains with no monitors and no checkpoints. */
    public static Result train(JavaRDD<DigitBlock> blocks, long rows, Parameters initial, TrainingSpec spec) {
        return train(blocks, rows, initial, spec, Monitors.NONE);
    }

    /** @param rows training rows (needed for mini-batches; -1 to count them) */
    public static Result train(JavaRDD<DigitBlock> blocks, long rows, Parameters initial, TrainingSpec spec,
                               Monitors monitors) {
        if (spec.regularization().distillation().active()) {
            throw new IllegalArgumentException("the spec distils from --teacher: pass its teachers (a Distillation) too");
        }
        return train(blocks, rows, initial, spec, monitors, null);
    }

    /**
     * @param rows         training rows (needed for mini-batches; -1 to count them)
     * @param distillation the teachers to distil from ({@code --teacher}), or {@code null}
     */
    public static Result train(JavaRDD<DigitBlock> blocks, long rows, Parameters initial, TrainingSpec spec,
                               Monitors monitors, Distillation distillation) {
        var d = spec.regularization().distillation();
        if (d.active() && (distillation == null || distillation.teachers().size() != d.teachers().size()
                || distillation.temperature() != d.temperature() || distillation.weight() != d.weight())) {
            throw new IllegalArgumentException("the teachers passed are not the spec's --teacher, --distill-temperature "
                    + "and --distill-weight");
        }
        long n = rows >= 0 ? rows : blocks.map(DigitBlock::rows).reduce(Integer::sum);
        SparkTrainer t = new SparkTrainer(blocks, n, initial, spec, monitors, distillation);
        t.resultBytes = ResultBytes.start(t.jsc.sc());
        try {
            if (spec.optimizer().kind().fullBatchOnly()) {
                t.lineSearch();
            } else {
                t.descend();
            }
        } finally {   // a failed or cancelled run too: what it cached and broadcast goes
            t.resultBytes.close();
            t.jsc.setJobDescription(null);
            if (t.engine != null) {
                t.engine.close();
            }
            if (t.teachers != null) {
                t.teachers.destroy();
            }
        }
        return t.result();
    }

    private ResultBytes resultBytes;

    /**
     * The loop of gradient steps, in the shape of MLlib's {@code runMiniBatchSGD}: the engine computes the next steps
     * (the sums, the update), then each is recorded (history, log, evaluation, checkpoint). An epoch is {@link BatchPlan}'s
     * mini-batches; full batch, the run is one epoch of {@code --iterations} steps over every row. The jobs engine runs
     * one step (or round of local steps) at a time; the collective engine runs the steps up to the next evaluation,
     * checkpoint or end of epoch ({@link #segmentEnd}) in one barrier stage and reports them as they go.
     */
    private void descend() {
        fullBatch = !loop.miniBatch();
        BatchPlan plan = fullBatch ? null : new BatchPlan(rows, loop.batchSize());
        perEpoch = fullBatch ? loop.iterations() : plan.stepsPerEpoch();
        int epochs = fullBatch ? 1 : loop.epochs();
        total = (long) perEpoch * epochs;
        TrainingState.Position resumed = start(total, fullBatch ? 0 : perEpoch);
        engine = startEngine(plan, epochs);
        StepEngine.Teller teller = teller();
        // a full-batch checkpoint is at (iteration, iteration, 0): in this loop, epoch 0 at position iteration
        int firstEpoch = resumed == null || fullBatch ? 0 : resumed.epoch();
        int firstPosition = resumed == null ? 0 : fullBatch ? (int) resumed.step() : resumed.position();
        long t = resumed == null ? 0 : resumed.step();
        for (epoch = firstEpoch; epoch < epochs && !early.stopped(); epoch++) {
            if (!fullBatch) {
                Cancellation.check(jsc.sc(), "before epoch " + (epoch + 1));
            }
            engine.beginEpoch(epoch);
            for (int i = epoch == firstEpoch ? firstPosition : 0; i < perEpoch && !early.stopped(); ) {
                Cancellation.check(jsc.sc(), (fullBatch ? "before iteration " : "at step ") + (t + 1) + " of " + total);
                for (StepEngine.Round r : segment(plan, i, t, teller)) {
                    recorded(r);
                    t = r.step();
                    i = r.position();
                }
            }
            engine.endEpoch(epoch);
            if (!fullBatch) {
                monitors.listener().onEpoch(epoch + 1, t);
            }
        }
    }

    /** The engine the spec resolved to (steps without local steps, not lbfgs or cg, for the collective one), logged. */
    private StepEngine startEngine(BatchPlan plan, int epochs) {
        boolean collective = spec.engine().collective();
        if (!fullBatch) {
            LOG.info("mini-batch: {} steps per epoch of about {} rows, {} epochs{}", perEpoch, loop.batchSize(), epochs,
                    collective ? ", on the collective engine (" + blocks.getNumPartitions() + " tasks in one barrier stage"
                            + " per segment)" : loop.localSteps() > 1 ? ", " + loop.localSteps() + " local steps per job" : "");
        } else if (collective) {
            LOG.info("full batch: {} iterations on the collective engine ({} tasks in one barrier stage per segment)",
                    perEpoch, blocks.getNumPartitions());
        }
        return collective ? new CollectiveSegments(blocks, spec, teachers, p, state, plan, total)
                : new JobSteps(blocks, spec, teachers, p, state, plan, total);
    }

    /** Tells each round as it is done ({@link #told}); a segment that runs again starts the log's window again. */
    private StepEngine.Teller teller() {
        return new StepEngine.Teller() {
            @Override
            public void told(StepEngine.Round r) {
                SparkTrainer.this.told(r);
            }

            @Override
            public void retold() {
                windowLoss = 0;
                windowRows = 0;
                windowCorrect = 0;
            }
        };
    }

    /**
     * The rounds of the segment that starts at position {@code i} of the epoch (step {@code t} done). When the collective
     * engine cannot go on (the cluster lost the slots of its barrier stage; {@code auto} only), the jobs engine takes
     * over, which takes the same steps: none are done yet, and the loop asks again.
     */
    private List<StepEngine.Round> segment(BatchPlan plan, int i, long t, StepEngine.Teller teller) {
        try {
            return engine.run(epoch, i, t, segmentEnd(i, t), teller);
        } catch (StepEngine.Unavailable e) {
            LOG.warn("the collective engine cannot go on ({}): the jobs engine takes the same steps from step {}"
                    + " on", e.getMessage(), t + 1);
            engineChange = "from step " + (t + 1) + " on jobs: " + e.getMessage();
            engine.close();
            engine = new JobSteps(blocks, spec, teachers, p, state, plan, total);
            engine.beginEpoch(epoch);
            teller.retold();
            return List.of();
        }
    }

    /**
     * The position in the epoch after the last step of the segment that starts at position {@code i} (step {@code t}
     * done): the first step after which the loop evaluates (when there is something to evaluate) or checkpoints, or the
     * epoch's end (as {@link #evaluates} and {@link #checkpoints} decide, one step at a time).
     */
    private int segmentEnd(int i, long t) {
        long end = t + (perEpoch - i);   // the epoch's last step (full batch: the run's)
        if (hasMonitors()) {
            end = Math.min(end, nextMultiple(t, fullBatch ? fullBatchEvalEvery() : spec.evaluation().evalEvery()));
        }
        if (spec.checkpoints().enabled()) {
            end = Math.min(end, nextMultiple(t, spec.checkpoints().every()));
        }
        return (int) (i + (end - t));
    }

    /** The first multiple of {@code every} after {@code t}; none when {@code every} is 0. */
    private static long nextMultiple(long t, int every) {
        return every > 0 ? (t / every + 1) * every : Long.MAX_VALUE;
    }

    /** A round as soon as it is done: its time, the listener, and at the log interval a line. */
    private void told(StepEngine.Round r) {
        times.add(r.ms());
        if (r.count() > 0) {
            windowLoss += r.loss();
            windowRows += r.count();
            windowCorrect += r.correct();
        }
        double loss = r.count() > 0 ? r.loss() / r.count() : Double.NaN;
        double accuracy = r.count() > 0 ? (double) r.correct() / r.count() : Double.NaN;
        monitors.listener().onStep(r.step(), epochAt(r), loss, accuracy, r.rate());
        if (!logs(r)) {
            return;
        }
        if (fullBatch) {
            LOG.info(String.format(Locale.ROOT, "iteration %d/%d  loss %.4f  train acc %.4f  %.0f ms/it  ETA %s",
                    r.step(), total, loss, accuracy, median(), eta(total - r.step())));
        } else {
            LOG.info(String.format(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.4f  train acc %.4f  lr %.3g  %.1f ms/step  ETA %s",
                    epoch + 1, total / perEpoch, r.position(), perEpoch,
                    windowRows == 0 ? Double.NaN : windowLoss / windowRows,
                    windowRows == 0 ? Double.NaN : (double) windowCorrect / windowRows, r.rate(), median() / r.steps(),
                    eta((total - r.step() + r.steps() - 1) / r.steps())));
        }
        windowLoss = 0;
        windowRows = 0;
        windowCorrect = 0;
    }

    /** A round with the driver's state after it: into the history, a row (with evaluations), a checkpoint. */
    private void recorded(StepEngine.Round r) {
        if (r.count() > 0) {
            history.record(r.loss(), r.count(), r.correct());
        }
        boolean evaluate = evaluates(r);
        if (logs(r) || (evaluate && hasMonitors())) {
            row(r.step(), epochAt(r), evaluate);
        }
        if (checkpoints(r)) {
            store.write(r.step(), state.checkpoint(monitors.fingerprint(), fullBatch
                    ? new TrainingState.Position(r.step(), (int) r.step(), 0, elapsedMs())
                    : new TrainingState.Position(r.step(), epoch, r.position(), elapsedMs())));
        }
    }

    /** Where {@code r} ends, in epochs (full batch: the iteration). */
    private double epochAt(StepEngine.Round r) {
        return fullBatch ? r.step() : epoch + (double) r.position() / perEpoch;
    }

    /** Whether a line is logged after {@code r}: at every {@code logEvery} steps, and at the end of an epoch (of the run, and its first iteration, with full batch). */
    private boolean logs(StepEngine.Round r) {
        long before = r.step() - r.steps();
        return fullBatch ? r.step() % loop.logEvery() == 0 || r.step() == total || r.step() == 1
                : r.step() / loop.logEvery() != before / loop.logEvery() || r.position() == perEpoch;
    }

    /**
     * Whether the monitors evaluate after {@code r}: every {@code evalEvery} steps and at the end of each epoch;
     * full batch every {@code evalEvery} (else {@code logEvery}) iterations and at the last.
     */
    private boolean evaluates(StepEngine.Round r) {
        long before = r.step() - r.steps();
        int every = spec.evaluation().evalEvery();
        return fullBatch ? r.step() % fullBatchEvalEvery() == 0 || r.step() == total
                : r.position() == perEpoch || (every > 0 && r.step() / every != before / every);
    }

    /** Whether a checkpoint is written after {@code r}: every {@code every} steps. */
    private boolean checkpoints(StepEngine.Round r) {
        int every = spec.checkpoints().every();
        return spec.checkpoints().enabled() && r.step() / every != (r.step() - r.steps()) / every;
    }

    /**
     * Makes the run's state, opens the checkpoint store and, with {@code --resume}, restores the newest checkpoint that
     * fits this run; returns its position, or {@code null} to start from the beginning.
     */
    private TrainingState.Position start(long total, int perEpoch) {
        WeightAverage average = spec.optimizer().averaged() ? new WeightAverage(spec.optimizer().ema(), p.values()) : null;
        state = new TrainingState(p, Optimizer.create(spec.optimizerSettings(), shape), average, history, early);
        if (!spec.checkpoints().enabled()) {
            return null;
        }
        store = new CheckpointStore(spec.checkpoints().dir(), jsc.hadoopConfiguration());
        if (!spec.checkpoints().resume()) {
            return null;
        }
        var c = store.newest(monitors.fingerprint(), state.maxCheckpointBytes(total),
                x -> state.problem(x, total, perEpoch, loop.epochs())).orElse(null);
        if (c == null) {
            LOG.info("--resume: no checkpoint in {} yet: starting from the beginning", spec.checkpoints().dir());
            return null;
        }
        TrainingState.Position at = state.restore(c);
        elapsedBefore = at.elapsedMs();
        LOG.info("resuming from the checkpoint of step {} (epoch {}, step {} of it) in {}", at.step(),
                at.epoch() + (perEpoch > 0 ? 1 : 0), at.position(), spec.checkpoints().dir());
        return at;
    }

    private long elapsedMs() {
        return (System.nanoTime() - start) / 1_000_000 + elapsedBefore;
    }

    /**
     * lbfgs or cg: the optimiser drives its own iterations, each with a line search whose every value-and-gradient
     * evaluation is one full pass of the jobs engine; after each iteration it is recorded as a full-batch step is.
     */
    private void lineSearch() {
        state = new TrainingState(p, null, history, early);
        fullBatch = true;
        perEpoch = 1;
        total = loop.iterations();
        JobSteps passes = new JobSteps(blocks, spec, teachers, p, state, null, total);
        engine = passes;
        long[] evaluations = {0};
        double[] x = p.values().clone();
        if (spec.optimizer().kind() == Optimizer.Kind.LBFGS) {
            new Lbfgs(10, 1e-9).minimize(objective(passes, evaluations), x, loop.iterations(), progress(evaluations));
        } else {
            new ConjugateGradient(1e-12).minimize(objective(passes, evaluations), x, loop.iterations(),
                    progress(evaluations));
        }
        if (!early.stopped()) {
            System.arraycopy(x, 0, p.values(), 0, x.length);
        }
    }

    /** The line searches' objective: a full pass at {@code x}, its mean loss plus the L2 penalty, counted. */
    private Lbfgs.Objective objective(JobSteps passes, long[] evaluations) {
        double lambda = spec.regularization().l2();
        return (x, gradient) -> {
            Cancellation.check(jsc.sc(), "after " + evaluations[0] + " passes");
            evaluations[0]++;
            jsc.setJobDescription(spec.optimizer().kind().id() + " evaluation " + evaluations[0]);
            GradientSum sum = passes.fullPass(x, Dropout.NONE, -1);
            double[] mean = sum.meanGradient(CoreRanges.cores());
            double penalty = Regularization.addL2(x, mean, shape, lambda);
            System.arraycopy(mean, 0, gradient, 0, mean.length);
            history.replacePending(sum.loss(), sum.count(), sum.correct());
            return sum.meanLoss() + penalty;
        };
    }

    /** After each iteration of the optimiser: recorded as a full-batch step is (log, history row, evaluations). */
    private Lbfgs.Progress progress(long[] evaluations) {
        int iterations = loop.iterations();
        long[] last = {System.nanoTime()};
        return (it, value, x) -> {
            System.arraycopy(x, 0, p.values(), 0, x.length);
            long now = System.nanoTime();
            times.add((now - last[0]) / 1e6);
            last[0] = now;
            monitors.listener().onStep(it, it, history.pendingLoss(), history.pendingAccuracy(), Double.NaN);
            StepEngine.Round round = new StepEngine.Round(it, it, 1, Double.NaN, 0, 0, Double.NaN, times.get(times.size() - 1));
            boolean log = logs(round);
            boolean eval = evaluates(round);
            if (log) {
                LOG.info(String.format(Locale.ROOT, "%s iteration %d/%d  objective %.4f  train acc %.4f  %d passes  %.0f ms/it  ETA %s",
                        spec.optimizer().kind().id(), it, iterations, value, history.pendingAccuracy(), evaluations[0],
                        median(), eta(iterations - it)));
            }
            if (log || (eval && hasMonitors())) {
                row(it, it, eval);
            } else {
                history.clearPending();
            }
            return !early.stopped();
        };
    }

    private int fullBatchEvalEvery() {
        return spec.evaluation().evalEvery() > 0 ? spec.evaluation().evalEvery() : loop.logEvery();
    }

    /**
     * A history row at {@code step}, with the validation and test evaluations when {@code evaluate}: of the weights'
     * average with {@code --ema}, of the weights otherwise (the row's training loss is always the weights' own).
     */
    private void row(long step, double epoch, boolean evaluate) {
        Parameters evaluated = evaluate && hasMonitors() ? state.evaluated() : p;   // with --ema the average
        Evaluation v = evaluate && monitors.validation() != null ? monitors.validation().evaluate(evaluated) : null;
        Evaluation te = evaluate && monitors.test() != null ? monitors.test().evaluate(evaluated) : null;
        history.row(step, epoch, v, te, elapsedMs());
        if (v != null || te != null) {
            LOG.info(String.format(Locale.ROOT, "evaluation at step %d:%s%s", step,
                    v == null ? "" : String.format(Locale.ROOT, "  validation loss %.4f acc %.4f", v.meanLoss(), v.accuracy()),
                    te == null ? "" : String.format(Locale.ROOT, "  test loss %.4f acc %.4f", te.meanLoss(), te.accuracy())));
            monitors.listener().onEvaluation(step, epoch, v, te);
        }
        if (v != null && early.observe(v.meanLoss(), step, evaluated)) {
            LOG.info("early stopping: {} evaluations without a better validation loss; restoring the weights of step {}",
                    early.state().withoutImprovement(), early.state().bestStep());
        }
    }

    private boolean hasMonitors() {
        return monitors.validation() != null || monitors.test() != null;
    }

    private Result result() {
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] t = times.stream().mapToDouble(Double::doubleValue).toArray();
        double[] sorted = t.clone();
        Arrays.sort(sorted);
        double[] ms = t.length == 0 ? new double[] {Double.NaN, Double.NaN, Double.NaN}
                : new double[] {StepTimer.median(t), sorted[0], sorted[sorted.length - 1]};
        var phases = engine == null ? new java.util.LinkedHashMap<String, Double>() : engine.phases();
        if (!phases.isEmpty()) {
            LOG.info("a step's wall time by phase, ms ({}, after the first epoch when there was more than one): {}",
                    engine instanceof CollectiveSegments ? "the mean in rank 0's task of the collective engine"
                            : "the median on the driver", StepTimer.describe(phases));
        }
        java.util.Map<String, Double> bytes = new java.util.LinkedHashMap<>();
        long steps = times.size();   // the steps (or rounds) this run timed: a resumed run's own
        if (steps > 0) {
            bytes.put("driver_received", (double) Math.round((double) resultBytes.bytes() / steps));
            double[] mesh = engine == null ? null : engine.taskBytesPerStep();
            if (mesh != null) {
                bytes.put("task_sent", (double) Math.round(mesh[0]));
                bytes.put("task_received", (double) Math.round(mesh[1]));
            } else {
                bytes.put("task_sent", (double) Math.round((double) resultBytes.bytes() / steps / blocks.getNumPartitions()));
            }
        }
        return new Result(early.result(state == null ? p : state.evaluated()), history.rows(), seconds, ms, history.lastStep(), early.state().bestStep(),
                early.stopped(), phases, bytes, engineChange);
    }

    private double median() {
        return StepTimer.median(times.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private String eta(long stepsLeft) {
        long sec = Math.round(median() * stepsLeft / 1000);
        return sec < 60 ? sec + " s" : (sec / 60) + " min " + (sec % 60) + " s";
    }
}
