package org.sparkdigits.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.core.BatchPlan;
import org.sparkdigits.core.ConjugateGradient;
import org.sparkdigits.core.CoreRanges;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.Distillation;
import org.sparkdigits.core.Dropout;
import org.sparkdigits.core.Evaluation;
import org.sparkdigits.core.GradientSum;
import org.sparkdigits.core.KernelWeights;
import org.sparkdigits.core.Lbfgs;
import org.sparkdigits.core.LearningRateSchedule;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Optimizer;
import org.sparkdigits.core.Parameters;
import org.sparkdigits.core.Regularization;
import org.sparkdigits.core.WeightAverage;
import org.sparkdigits.report.HistoryRow;
import org.sparkdigits.train.EarlyStopping;
import org.sparkdigits.train.History;
import org.sparkdigits.train.LoopSpec;
import org.sparkdigits.train.TrainingListener;
import org.sparkdigits.train.TrainingSpec;
import org.sparkdigits.train.TrainingState;

/**
 * The driver loops. A step: broadcast the weights; one ordered aggregation of (gradient sum, loss sum, rows, correct)
 * over the cached blocks (full batch) or over one slice of each permuted block (mini-batch); divide once by the global
 * row count; add the L2 gradient; let the optimiser update; destroy the broadcast. {@code lbfgs} and {@code cg} drive
 * the same full-batch pass from their line searches. Evaluations of the validation (and, for information, test) set
 * run every epoch or every {@code evalEvery} steps, of the weights or, with {@code --ema}, of their moving average
 * (which the result is then too); the run's state ({@link TrainingState}: weights, optimiser, average,
 * {@link History}, {@link EarlyStopping}) is checkpointed every {@code every} steps.
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
    public record Monitors(Monitor validation, Monitor test, String fingerprint, TrainingListener listener) {
        public static final Monitors NONE = new Monitors(null, null, "", TrainingListener.NONE);
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
     */
    public record Result(Parameters parameters, List<HistoryRow> history, double trainSeconds, double[] msPerStep,
                         long steps, long bestStep, boolean stoppedEarly, java.util.Map<String, Double> stepPhasesMs,
                         java.util.Map<String, Double> bytesPerStep) {

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
    private final List<Double> times = new ArrayList<>();
    private final StepTimer timer = new StepTimer();
    /** Steps (or rounds) of the run's first epoch, which the steady-state figures leave out. */
    private int firstEpochLaps;
    private final long start = System.nanoTime();
    /** Whether this run has applied an update yet (a loss that is not finite before that is not the rate's doing). */
    private boolean updated;
    /** Training time of the runs this one resumed. */
    private long elapsedBefore;
    private TrainingState state;
    private CheckpointStore store;
    private double stepLoss = Double.NaN;
    private double stepAccuracy = Double.NaN;
    /** The current epoch's cached permutations, unpersisted by {@link #train}'s finally when the epoch does not end. */
    private JavaRDD<int[]> permutations;

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
            } else if (spec.engine().collective()) {   // resolved: mini-batch steps without local steps
                t.miniBatchCollective();
            } else if (spec.loop().miniBatch()) {
                t.miniBatch();
            } else {
                t.fullBatch();
            }
        } finally {   // a failed or cancelled run too: what it cached and broadcast goes
            t.resultBytes.close();
            t.jsc.setJobDescription(null);
            if (t.permutations != null) {
                t.permutations.unpersist(false);
            }
            if (t.teachers != null) {
                t.teachers.destroy();
            }
        }
        return t.result();
    }

    private void fullBatch() {
        int iterations = loop.iterations();
        LearningRateSchedule lr = spec.schedule().over(iterations);
        TrainingState.Position resumed = start(iterations, 0);
        for (int it = resumed == null ? 1 : (int) resumed.step() + 1; it <= iterations && !early.stopped(); it++) {
            Cancellation.check(jsc.sc(), "before iteration " + it + " of " + iterations);
            long t0 = System.nanoTime();
            jsc.setJobDescription("iteration " + it + "/" + iterations);
            GradientSum sum = fullPass(p.values(), Dropout.forStep(spec.regularization().dropout(), loop.seed(), it - 1), it - 1);
            double rate = lr.at(it - 1);
            update(sum, rate, it);
            times.add((System.nanoTime() - t0) / 1e6);
            monitors.listener().onStep(it, it, sum.meanLoss(), sum.accuracy(), rate);
            boolean log = it % loop.logEvery() == 0 || it == iterations || it == 1;
            boolean eval = it % fullBatchEvalEvery() == 0 || it == iterations;
            if (log) {
                LOG.info(String.format(Locale.ROOT, "iteration %d/%d  loss %.4f  train acc %.4f  %.0f ms/it  ETA %s",
                        it, iterations, sum.meanLoss(), sum.accuracy(), median(), eta(iterations - it)));
            }
            if (log || (eval && hasMonitors())) {
                row(it, it, eval);
            }
            if (spec.checkpoints().enabled() && it % spec.checkpoints().every() == 0) {
                store.write(it, state.checkpoint(monitors.fingerprint(), new TrainingState.Position(it, it, 0, elapsedMs())));
            }
        }
    }

    private void miniBatch() {
        BatchPlan plan = new BatchPlan(rows, loop.batchSize());
        int perEpoch = plan.stepsPerEpoch();
        long total = (long) perEpoch * loop.epochs();
        int k = loop.localSteps();
        LearningRateSchedule lr = spec.schedule().over(total);
        LOG.info("mini-batch: {} steps per epoch of about {} rows, {} epochs{}", perEpoch, loop.batchSize(), loop.epochs(),
                k > 1 ? ", " + k + " local steps per job" : "");
        TrainingState.Position resumed = start(total, perEpoch);
        long t = resumed == null ? 0 : resumed.step();
        for (int epoch = resumed == null ? 0 : resumed.epoch(); epoch < loop.epochs() && !early.stopped(); epoch++) {
            Cancellation.check(jsc.sc(), "before epoch " + (epoch + 1));
            JavaRDD<int[]> perms = permutations(epoch);
            permutations = perms;
            Pass pass = new Pass(shape, spec.network().activation(), spec.network().kernel(), Dropout.NONE,
                    spec.regularization().smoothing(), spec.augment().fresh(loop.seed()), epoch, teachers);
            for (int i = resumed != null && epoch == resumed.epoch() ? resumed.position() : 0; i < perEpoch && !early.stopped(); ) {
                Cancellation.check(jsc.sc(), "at step " + (t + 1) + " of " + total);
                long t0 = System.nanoTime();
                int steps = Math.min(k, perEpoch - i);
                jsc.setJobDescription(String.format(Locale.ROOT, "epoch %d/%d step %d/%d", epoch + 1, loop.epochs(), i + 1, perEpoch));
                double rate = lr.at(t);
                StepTimer.Lap lap = timer.lap();
                // one step: the weights in the kernel's layout; local steps: the flat vector each task updates
                KernelWeights weights = steps == 1 ? KernelWeights.of(p, spec.network().kernel(), CoreRanges.cores())
                        : KernelWeights.flat(p, spec.network().kernel());
                lap.mark();
                Broadcast<KernelWeights> w = jsc.broadcast(weights);
                lap.mark();
                try {
                    if (steps == 1) {
                        GradientSum sum = SparkPasses.sliceGradientSum(blocks, perms, plan, i, pass.withDropout(
                                Dropout.forStep(spec.regularization().dropout(), loop.seed(), t)), w);
                        lap.mark();
                        step(sum, rate, t + 1);
                    } else {
                        LocalSteps.ModelSum m = localJob(perms, plan, i, steps, lr, t, pass, w);
                        lap.mark();
                        localUpdate(m, steps, lr.at(t), t);
                    }
                    lap.mark();
                } finally {
                    w.destroy();
                }
                lap.mark();
                times.add((System.nanoTime() - t0) / 1e6);
                long before = t;
                t += steps;
                i += steps;
                monitors.listener().onStep(t, epoch + (double) i / perEpoch, stepLoss, stepAccuracy, rate);
                boolean evalNow = i == perEpoch || (spec.evaluation().evalEvery() > 0
                        && t / spec.evaluation().evalEvery() != before / spec.evaluation().evalEvery());
                if (t / loop.logEvery() != before / loop.logEvery() || i == perEpoch) {
                    LOG.info(String.format(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.4f  train acc %.4f  lr %.3g  %.1f ms/step  ETA %s",
                            epoch + 1, loop.epochs(), i, perEpoch, history.pendingLoss(), history.pendingAccuracy(), rate,
                            median() / steps, eta((total - t + steps - 1) / steps)));
                    row(t, epoch + (double) i / perEpoch, evalNow);
                } else if (evalNow && hasMonitors()) {
                    row(t, epoch + (double) i / perEpoch, true);
                }
                if (spec.checkpoints().enabled() && t / spec.checkpoints().every() != before / spec.checkpoints().every()) {
                    store.write(t, state.checkpoint(monitors.fingerprint(), new TrainingState.Position(t, epoch, i, elapsedMs())));
                }
            }
            perms.unpersist(false);
            permutations = null;
            if (firstEpochLaps == 0) {
                firstEpochLaps = timer.count();
            }
            monitors.listener().onEpoch(epoch + 1, t);
        }
    }

    /** The collective engine's step phases (rank 0's, ms) summed over {@link #collectivePhaseSteps} steps. */
    private final double[] collectivePhaseMs = new double[CollectiveSteps.PHASES.size()];
    private long collectivePhaseSteps;
    /** The most bytes a task sent and received over the mesh, summed over the segments, and their steps. */
    private final long[] meshBytes = new long[2];
    private long meshSteps;
    private ResultBytes resultBytes;

    /** Attempts of a collective segment before the run fails (a lost task or executor fails the barrier stage). */
    static final int SEGMENT_ATTEMPTS = 3;

    /**
     * Whether the collective engine's tasks meet through Spark's allGather for the rest of the run: an attempt failed
     * before every rank reached the driver's rendezvous (e.g. a firewall between the executors and the driver's
     * ephemeral ports). See {@link MeshExchanges}.
     */
    private boolean meetThroughSpark;
    /** The last attempt's rendezvous when not every rank reached it: what it saw, for the log; else {@code null}. */
    private String missedMeeting;

    /**
     * The mini-batch loop of the collective engine ({@link CollectiveSteps}): each segment of steps, up to the next
     * evaluation, checkpoint or end of epoch, is one barrier stage in which the tasks add their sums among themselves
     * and update the weights; the driver then takes the state, replays the steps' sums into the history, logs,
     * evaluates and checkpoints as {@link #miniBatch} does after the same steps. The same bits as the jobs engine. A
     * failed segment (a lost task or executor) runs again from its start, which the driver still holds.
     */
    private void miniBatchCollective() {
        BatchPlan plan = new BatchPlan(rows, loop.batchSize());
        int perEpoch = plan.stepsPerEpoch();
        long total = (long) perEpoch * loop.epochs();
        LearningRateSchedule lr = spec.schedule().over(total);
        LOG.info("mini-batch: {} steps per epoch of about {} rows, {} epochs, on the collective engine ({} tasks in one "
                + "barrier stage per segment)", perEpoch, loop.batchSize(), loop.epochs(), blocks.getNumPartitions());
        TrainingState.Position resumed = start(total, perEpoch);
        long t = resumed == null ? 0 : resumed.step();
        Optimizer.Settings os = spec.optimizerSettings();
        for (int epoch = resumed == null ? 0 : resumed.epoch(); epoch < loop.epochs() && !early.stopped(); epoch++) {
            Cancellation.check(jsc.sc(), "before epoch " + (epoch + 1));
            Pass pass = new Pass(shape, spec.network().activation(), spec.network().kernel(), Dropout.NONE,
                    spec.regularization().smoothing(), spec.augment().fresh(loop.seed()), epoch, teachers);
            for (int i = resumed != null && epoch == resumed.epoch() ? resumed.position() : 0; i < perEpoch && !early.stopped(); ) {
                Cancellation.check(jsc.sc(), "at step " + (t + 1) + " of " + total);
                int end = segmentEnd(i, t, perEpoch);
                double[] rates = new double[end - i];
                for (int j = 0; j < rates.length; j++) {
                    rates[j] = lr.at(t + j);
                }
                CollectiveSteps.Segment segment = new CollectiveSteps.Segment(epoch, i, end, t, rates, plan, loop.seed(),
                        spec.regularization().dropout(), os.kind(), os.momentum(), os.beta1(), os.beta2(), os.eps(),
                        os.weightDecay(), spec.coupledL2(), spec.optimizer().ema());
                Live live = new Live(epoch, i, t, perEpoch, total, rates);
                CollectiveSteps.Outcome o = segment(segment, pass, perEpoch, live);
                meshBytes[0] += o.meshBytes()[0];
                meshBytes[1] += o.meshBytes()[1];
                meshSteps += end - i;
                if (epoch > 0 || loop.epochs() == 1) {   // as the jobs engine's phases: after the first epoch's warm-up
                    for (int k = 0; k < collectivePhaseMs.length; k++) {
                        collectivePhaseMs[k] += o.phaseMs()[k];
                    }
                    collectivePhaseSteps += end - i;
                }
                System.arraycopy(o.theta(), 0, p.values(), 0, p.values().length);
                state.optimizer().restore(o.optimizer());
                if (state.average() != null) {
                    state.average().restore(o.ema(), o.emaUpdates());
                }
                for (int j = 0; j < rates.length; j++) {
                    if (j == o.diverged()) {
                        throw new IllegalStateException(org.sparkdigits.train.Divergence.message(o.loss()[j], t + 1,
                                rates[j], !updated, spec));
                    }
                    if (o.count()[j] > 0) {
                        history.record(o.loss()[j], o.count()[j], o.correct()[j]);
                        stepLoss = o.loss()[j] / o.count()[j];
                        stepAccuracy = (double) o.correct()[j] / o.count()[j];
                        updated = true;
                    } else {
                        stepLoss = Double.NaN;
                        stepAccuracy = Double.NaN;
                    }
                    long before = t;
                    t++;
                    i++;
                    if (j >= live.reported) {   // not reported live (the channel failed): told now
                        live.told(j, o.loss()[j], o.count()[j], o.correct()[j]);
                    }
                    boolean evalNow = i == perEpoch || (spec.evaluation().evalEvery() > 0
                            && t / spec.evaluation().evalEvery() != before / spec.evaluation().evalEvery());
                    if (t / loop.logEvery() != before / loop.logEvery() || i == perEpoch) {
                        row(t, epoch + (double) i / perEpoch, evalNow);
                    } else if (evalNow && hasMonitors()) {
                        row(t, epoch + (double) i / perEpoch, true);
                    }
                    if (spec.checkpoints().enabled() && t / spec.checkpoints().every() != before / spec.checkpoints().every()) {
                        store.write(t, state.checkpoint(monitors.fingerprint(), new TrainingState.Position(t, epoch, i, elapsedMs())));
                    }
                }
            }
            monitors.listener().onEpoch(epoch + 1, t);
        }
    }

    /**
     * The position in the epoch after the last step of the segment that starts at position {@code i} (step {@code t}
     * done): the first step after which the driver evaluates or checkpoints, or the epoch's end.
     */
    private int segmentEnd(int i, long t, int perEpoch) {
        int evalEvery = spec.evaluation().evalEvery();
        int every = spec.checkpoints().enabled() ? spec.checkpoints().every() : 0;
        while (true) {
            long before = t++;
            i++;
            if (i >= perEpoch || (evalEvery > 0 && t / evalEvery != before / evalEvery)
                    || (every > 0 && t / every != before / every)) {
                return i;
            }
        }
    }

    /**
     * A segment's steps as rank 0 reports them while the stage runs: each is timed, told to the listener and, at the
     * log interval, logged with its loss and accuracy since the last line and the ETA; the history takes them when the
     * segment's state arrives.
     */
    private final class Live {
        private final int epoch;
        private final int first;
        private final long firstStep;
        private final int perEpoch;
        private final long total;
        private final double[] rates;
        /** Steps told so far (a retried segment tells its steps again). */
        int reported;
        private long last = System.nanoTime();
        private double windowLoss;
        private long windowRows;
        private long windowCorrect;

        Live(int epoch, int first, long firstStep, int perEpoch, long total, double[] rates) {
            this.epoch = epoch;
            this.first = first;
            this.firstStep = firstStep;
            this.perEpoch = perEpoch;
            this.total = total;
            this.rates = rates;
        }

        /** Step {@code j} of the segment, with its sums. */
        void told(int j, double loss, long count, long correct) {
            long now = System.nanoTime();
            times.add((now - last) / 1e6);
            last = now;
            reported = j + 1;
            long t = firstStep + j + 1;
            int i = first + j + 1;
            windowLoss += loss;
            windowRows += count;
            windowCorrect += correct;
            monitors.listener().onStep(t, epoch + (double) i / perEpoch, count > 0 ? loss / count : Double.NaN,
                    count > 0 ? (double) correct / count : Double.NaN, rates[j]);
            if (t / loop.logEvery() != (t - 1) / loop.logEvery() || i == perEpoch) {
                LOG.info(String.format(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.4f  train acc %.4f  lr %.3g  %.1f ms/step  ETA %s",
                        epoch + 1, loop.epochs(), i, perEpoch, windowRows == 0 ? Double.NaN : windowLoss / windowRows,
                        windowRows == 0 ? Double.NaN : (double) windowCorrect / windowRows, rates[j], median(),
                        eta(total - t)));
                windowLoss = 0;
                windowRows = 0;
                windowCorrect = 0;
            }
        }

        /** A retried segment starts its steps again. */
        void restart() {
            reported = 0;
            windowLoss = 0;
            windowRows = 0;
            windowCorrect = 0;
            last = System.nanoTime();
        }
    }

    /**
     * Runs {@code segment} as a barrier stage from the driver's state, again from that state when it fails. The stage
     * runs on a thread of its own (which inherits this one's job tag and description), while this thread tells
     * {@code live} the steps rank 0 reports over an authenticated channel.
     */
    private CollectiveSteps.Outcome segment(CollectiveSteps.Segment segment, Pass pass, int perEpoch, Live live) {
        Broadcast<CollectiveSteps.Start> start = jsc.broadcast(new CollectiveSteps.Start(p.values().clone(),
                CollectiveSteps.copy(state.optimizer().state()), state.average() == null ? null : state.average().values().clone(),
                state.average() == null ? 0 : state.average().updates()));
        String what = String.format(Locale.ROOT, "epoch %d/%d steps %d-%d/%d", segment.epoch() + 1, loop.epochs(),
                segment.first() + 1, segment.last(), perEpoch);
        try {
            int attempts = SEGMENT_ATTEMPTS;
            for (int attempt = 1; ; attempt++) {
                jsc.setJobDescription(what + " (collective" + (attempt > 1 ? ", attempt " + attempt : "") + ")");
                try {
                    return runLive(segment, start, pass, MeshExchanges.of(jsc.getConf(), what + " attempt " + attempt), live);
                } catch (Exception e) {
                    // Exception, not RuntimeException: a failed Spark job throws SparkException, a checked exception
                    // that Scala's collect() does not declare (precise rethrow: this method still throws none)
                    if (Thread.currentThread().isInterrupted() || Cancellation.shows(e)) {
                        throw e;
                    }
                    if (missedMeeting != null && !meetThroughSpark) {
                        // one attempt more: this one may have failed only because the tasks could not reach the driver
                        meetThroughSpark = true;
                        attempts++;
                        LOG.warn("the tasks of {} did not all reach the driver's rendezvous ({}): this run's tasks meet"
                                + " through Spark's allGather from now on (about 1 s per segment)", what, missedMeeting);
                    }
                    if (attempt >= attempts) {
                        throw e;
                    }
                    LOG.warn("the barrier stage of {} failed (attempt {} of {}): {}: running it again from its start", what,
                            attempt, attempts, stageFailure(e));
                    live.restart();
                }
            }
        } finally {
            start.destroy();
        }
    }

    /** One attempt: the stage on its own thread, rank 0's steps told to {@code live} here as they arrive. */
    private CollectiveSteps.Outcome runLive(CollectiveSteps.Segment segment, Broadcast<CollectiveSteps.Start> start, Pass pass,
                                            MeshExchanges exchanges, Live live) {
        java.util.concurrent.BlockingQueue<byte[]> steps = new java.util.concurrent.LinkedBlockingQueue<>();
        String host = jsc.getConf().get("spark.driver.host", "localhost");
        missedMeeting = null;
        org.sparkdigits.collective.Rendezvous.Server meeting = null;
        MeshExchanges meetingThere = exchanges;
        if (!meetThroughSpark) {
            try {
                meeting = org.sparkdigits.collective.Rendezvous.serve(host, blocks.getNumPartitions(),
                        exchanges.driverConfig());
                meetingThere = exchanges.meetingAt(meeting.address());
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("the driver cannot serve its tasks' rendezvous for this segment ({}): they meet through Spark's"
                        + " allGather (about 1 s)", e.getMessage());
            }
        }
        org.sparkdigits.collective.ProgressChannel.Server server = null;
        MeshExchanges reporting = meetingThere;
        try {
            server = org.sparkdigits.collective.ProgressChannel.serve(host, exchanges.driverConfig(), steps::add);
            reporting = meetingThere.reportingTo(server.address());
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("no live progress for this segment (its steps are logged when it ends): {}", e.getMessage());
        }
        java.util.concurrent.CompletableFuture<CollectiveSteps.Outcome> done = new java.util.concurrent.CompletableFuture<>();
        MeshExchanges chosen = reporting;
        Thread stage = new Thread(() -> {   // a child thread: Spark's local properties (job tag, description) are inherited
            try {
                done.complete(CollectiveSteps.run(blocks, segment, start, pass, chosen));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "spark-digits-segment");
        stage.setDaemon(true);
        stage.start();
        try {
            while (true) {
                byte[] m = steps.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (m != null) {
                    CollectiveSteps.Step s = CollectiveSteps.Step.of(m);
                    if (s.index() == live.reported) {
                        live.told(s.index(), s.loss(), s.count(), s.correct());
                    }
                } else if (done.isDone()) {
                    for (byte[] rest; (rest = steps.poll()) != null; ) {
                        CollectiveSteps.Step s = CollectiveSteps.Step.of(rest);
                        if (s.index() == live.reported) {
                            live.told(s.index(), s.loss(), s.count(), s.correct());
                        }
                    }
                    try {
                        return done.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        Throwable c = e.getCause();
                        if (c instanceof RuntimeException r) {
                            throw r;
                        }
                        if (c instanceof Error err) {
                            throw err;
                        }
                        throw new IllegalStateException(c.getMessage(), c);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // TrainingRun cancels the run's jobs, this stage's among them
            throw new org.sparkdigits.train.TrainingCancelledException("training cancelled at step " + (live.firstStep
                    + live.reported + 1) + " (the thread was interrupted)", true, e);
        } finally {
            if (server != null) {
                server.close();
            }
            if (meeting != null) {
                if (!meeting.complete()) {
                    missedMeeting = meeting.arrived() + " of " + meeting.size() + " ranks arrived at " + meeting.address()
                            + ", " + meeting.connections() + " connections";
                }
                meeting.close();
            }
        }
    }

    /**
     * A failed barrier stage's message in one line: Spark's first line ("Job aborted due to stage failure: ... barrier
     * task ResultTask(5, 0) finished unsuccessfully.") and the task's own failure on the next (which names, e.g., the
     * rank a task waited for), without the stack trace.
     */
    static String stageFailure(Throwable e) {
        String[] lines = String.valueOf(e.getMessage()).split("\n");
        String out = lines[0].strip();
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("at ")) {
                return out + " " + l;
            }
        }
        return out;
    }

    /** One synchronous mini-batch step from its gradient sum (skipped when every slice was empty: tiny partitions). */
    private void step(GradientSum sum, double rate, long stepNumber) {
        if (sum.count() > 0) {
            update(sum, rate, stepNumber);
        } else {
            stepLoss = Double.NaN;   // no rows: the listener is not told the previous step's figures
            stepAccuracy = Double.NaN;
        }
    }

    /** A round of {@code --local-steps}: each task's steps, the models summed. */
    private LocalSteps.ModelSum localJob(JavaRDD<int[]> perms, BatchPlan plan, int first, int steps, LearningRateSchedule lr,
                                         long t, Pass pass, Broadcast<KernelWeights> w) {
        double[] rates = new double[steps];
        for (int j = 0; j < steps; j++) {
            rates[j] = lr.at(t + j);
        }
        return LocalSteps.round(blocks, perms, plan, new LocalSteps.Round(first, rates, t,
                spec.regularization().dropout(), loop.seed(), spec.coupledL2()), pass, w);
    }

    /** The averaged models of a round become a pseudo-gradient for the driver's optimiser. */
    private void localUpdate(LocalSteps.ModelSum m, int steps, double rate, long t) {
        if (m.rows == 0) { // with many tiny partitions a round's slices can all be empty
            return;
        }
        double[] theta = p.values();
        double[] pseudo = new double[theta.length];
        for (int j = 0; j < theta.length; j++) {
            pseudo[j] = (theta[j] - m.weighted[j] / m.rows) / rate;
        }
        state.optimizer().step(theta, pseudo, rate);
        average();
        history.record(m.loss, m.rows, m.correct);
        stepLoss = m.loss / m.rows;
        stepAccuracy = (double) m.correct / m.rows;
        if (!Double.isFinite(m.loss)) {
            throw new IllegalStateException(org.sparkdigits.train.Divergence.message(m.loss, t + steps, rate, false, spec));
        }
    }

    /** Mean gradient, L2, the optimiser's step, the step's sums into the history. */
    private void update(GradientSum sum, double rate, long stepNumber) {
        double[] g = sum.meanGradient(CoreRanges.cores());
        Regularization.addL2(p.values(), g, shape, spec.coupledL2());
        if (!Double.isFinite(sum.loss())) {   // measured on the weights before this step's update
            throw new IllegalStateException(org.sparkdigits.train.Divergence.message(sum.loss(), stepNumber, rate, !updated,
                    spec));
        }
        state.optimizer().step(p.values(), g, rate);
        updated = true;
        average();
        history.record(sum.loss(), sum.count(), sum.correct());
        stepLoss = sum.meanLoss();
        stepAccuracy = sum.accuracy();
    }

    /** With {@code --ema}: the step's weights into their moving average. */
    private void average() {
        if (state.average() != null) {
            state.average().update(p.values());
        }
    }

    /** This epoch's seeded permutation of every block, cached for its steps. */
    private JavaRDD<int[]> permutations(int epoch) {
        long seed = loop.seed();
        return blocks.mapPartitionsWithIndex((idx, it) -> {
            List<int[]> out = new ArrayList<>();
            int k = 0;
            while (it.hasNext()) {
                out.add(BatchPlan.permutation(it.next().rows(), seed, epoch, idx * 1024 + k++));
            }
            return out.iterator();
        }, true).persist(StorageLevel.MEMORY_AND_DISK());
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

    /** lbfgs or cg: every value-and-gradient evaluation is one full pass. */
    private void lineSearch() {
        state = new TrainingState(p, null, history, early);
        double lambda = spec.regularization().l2();
        int iterations = loop.iterations();
        long[] evaluations = {0};
        Lbfgs.Objective f = (x, gradient) -> {
            Cancellation.check(jsc.sc(), "after " + evaluations[0] + " passes");
            evaluations[0]++;
            jsc.setJobDescription(spec.optimizer().kind().id() + " evaluation " + evaluations[0]);
            GradientSum sum = fullPass(x, Dropout.NONE, -1);
            double[] mean = sum.meanGradient(CoreRanges.cores());
            double penalty = Regularization.addL2(x, mean, shape, lambda);
            System.arraycopy(mean, 0, gradient, 0, mean.length);
            history.replacePending(sum.loss(), sum.count(), sum.correct());
            return sum.meanLoss() + penalty;
        };
        long[] last = {System.nanoTime()};
        Lbfgs.Progress progress = (it, value, x) -> {
            System.arraycopy(x, 0, p.values(), 0, x.length);
            long now = System.nanoTime();
            times.add((now - last[0]) / 1e6);
            last[0] = now;
            monitors.listener().onStep(it, it, history.pendingLoss(), history.pendingAccuracy(), Double.NaN);
            boolean log = it % loop.logEvery() == 0 || it == iterations || it == 1;
            boolean eval = it % fullBatchEvalEvery() == 0 || it == iterations;
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
        double[] x = p.values().clone();
        if (spec.optimizer().kind() == Optimizer.Kind.LBFGS) {
            new Lbfgs(10, 1e-9).minimize(f, x, iterations, progress);
        } else {
            new ConjugateGradient(1e-12).minimize(f, x, iterations, progress);
        }
        if (!early.stopped()) {
            System.arraycopy(x, 0, p.values(), 0, x.length);
        }
    }

    private int fullBatchEvalEvery() {
        return spec.evaluation().evalEvery() > 0 ? spec.evaluation().evalEvery() : loop.logEvery();
    }

    /** @param epoch the full-batch iteration (from 0) that picks the on-the-fly distortions; -1: the rows as they are */
    private GradientSum fullPass(double[] weights, Dropout dropout, int epoch) {
        Broadcast<KernelWeights> w = jsc.broadcast(KernelWeights.of(new Parameters(shape, weights), spec.network().kernel()));
        try {
            return SparkPasses.gradientSum(blocks, new Pass(shape, spec.network().activation(), spec.network().kernel(),
                    dropout, spec.regularization().smoothing(), epoch >= 0 ? spec.augment().fresh(loop.seed()) : null, epoch,
                    teachers), w);
        } finally {
            w.destroy();
        }
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
                : new double[] {median(t), sorted[0], sorted[sorted.length - 1]};
        int laps = timer.count();
        var phases = timer.medians(laps > firstEpochLaps && firstEpochLaps > 0 ? firstEpochLaps : laps / 2);
        if (phases.isEmpty() && collectivePhaseSteps > 0) {
            double sum = 0;
            for (int k = 0; k < collectivePhaseMs.length; k++) {
                double v = collectivePhaseMs[k] / collectivePhaseSteps;
                phases.put(CollectiveSteps.PHASES.get(k), Math.round(v * 100) / 100.0);
                sum += v;
            }
            phases.put("total", Math.round(sum * 100) / 100.0);
            LOG.info("a step's wall time in rank 0's task of the collective engine, mean ms over {} steps{}: {}",
                    collectivePhaseSteps, loop.epochs() > 1 ? " after the first epoch" : "", StepTimer.describe(phases));
        } else if (!phases.isEmpty()) {
            LOG.info("a step's wall time on the driver, median ms over the {} after the first epoch: {}",
                    laps > firstEpochLaps && firstEpochLaps > 0 ? "steps" : "second half of the steps",
                    StepTimer.describe(phases));
        }
        java.util.Map<String, Double> bytes = new java.util.LinkedHashMap<>();
        long steps = times.size();   // the steps (or rounds) this run timed: a resumed run's own
        if (steps > 0) {
            bytes.put("driver_received", (double) Math.round((double) resultBytes.bytes() / steps));
            if (meshSteps > 0) {
                bytes.put("task_sent", (double) Math.round((double) meshBytes[0] / meshSteps));
                bytes.put("task_received", (double) Math.round((double) meshBytes[1] / meshSteps));
            } else {
                bytes.put("task_sent", (double) Math.round((double) resultBytes.bytes() / steps / blocks.getNumPartitions()));
            }
        }
        return new Result(early.result(state == null ? p : state.evaluated()), history.rows(), seconds, ms, history.lastStep(), early.state().bestStep(),
                early.stopped(), phases, bytes);
    }

    private double median() {
        return median(times.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private String eta(long stepsLeft) {
        long sec = Math.round(median() * stepsLeft / 1000);
        return sec < 60 ? sec + " s" : (sec / 60) + " min " + (sec % 60) + " s";
    }
}
