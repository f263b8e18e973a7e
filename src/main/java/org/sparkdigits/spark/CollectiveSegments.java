package org.sparkdigits.spark;

import org.sparkdigits.spark.load.Cancellation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.checkpoint.TrainingState;
import org.sparkdigits.collective.ProgressChannel;
import org.sparkdigits.collective.Rendezvous;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Distillation;
import org.sparkdigits.core.kernel.Dropout;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.optim.LearningRateSchedule;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.train.Divergence;
import org.sparkdigits.train.Engine;
import org.sparkdigits.train.EngineSpec;
import org.sparkdigits.train.TrainingCancelledException;
import org.sparkdigits.train.TrainingSpec;

/**
 * The collective engine's driver side ({@link CollectiveSteps} is the tasks' side): each segment of steps (mini-batch
 * or full-batch), up to the loop's next evaluation, checkpoint or end of epoch, is one barrier stage in which the tasks add their sums
 * among themselves and update the weights; the driver then takes the state the stage hands back. The same bits as
 * {@link JobSteps}. A failed segment (a lost task or executor) runs again from its start, which the driver still
 * holds, up to {@link #SEGMENT_ATTEMPTS} times. While a stage runs, rank 0 reports each step over an authenticated
 * channel ({@link ProgressChannel}), so the run's log and listener follow it live.
 */
final class CollectiveSegments implements StepEngine {

    private static final Logger LOG = LoggerFactory.getLogger(CollectiveSegments.class);

    /** Attempts of a collective segment before the run fails (a lost task or executor fails the barrier stage). */
    static final int SEGMENT_ATTEMPTS = 3;

    private final JavaSparkContext jsc;
    private final JavaRDD<DigitBlock> blocks;
    private final TrainingSpec spec;
    private final Broadcast<Distillation> teachers;
    private final Parameters p;
    private final TrainingState state;
    private final BatchPlan plan;
    private final LearningRateSchedule lr;
    /** Rank 0's step phases (ms) summed over {@link #phaseSteps} steps. */
    private final double[] phaseMs = new double[CollectiveSteps.PHASES.size()];
    private long phaseSteps;
    /** The most bytes a task sent and received over the mesh, summed over the segments, and their steps. */
    private final long[] meshBytes = new long[2];
    private long meshSteps;
    /** Whether this run has applied an update yet (a loss that is not finite before that is not the rate's doing). */
    private boolean updated;
    /**
     * Whether the tasks meet through Spark's allGather for the rest of the run: an attempt failed before every rank
     * reached the driver's rendezvous (e.g. a firewall between the executors and the driver's ephemeral ports). See
     * {@link MeshExchanges}.
     */
    private boolean meetThroughSpark;
    /** The last attempt's rendezvous when not every rank reached it: what it saw, for the log; else {@code null}. */
    private String missedMeeting;

    CollectiveSegments(JavaRDD<DigitBlock> blocks, TrainingSpec spec, Broadcast<Distillation> teachers, Parameters p,
                       TrainingState state, BatchPlan plan, long total) {
        this.jsc = JavaSparkContext.fromSparkContext(blocks.context());
        this.blocks = blocks;
        this.spec = spec;
        this.teachers = teachers;
        this.p = p;
        this.state = state;
        this.plan = plan;
        this.lr = spec.schedule().over(total);
    }

    @Override
    public List<Round> run(int epoch, int i, long t, int limit, Teller teller) {
        var loop = spec.loop();
        Optimizer.Settings os = spec.optimizerSettings();
        double[] rates = new double[limit - i];
        for (int j = 0; j < rates.length; j++) {
            rates[j] = lr.at(t + j);
        }
        CollectiveSteps.Segment segment = new CollectiveSteps.Segment(epoch, i, limit, t, rates, plan, loop.seed(),
                spec.regularization().dropout(), os.kind(), os.momentum(), os.beta1(), os.beta2(), os.eps(),
                os.weightDecay(), spec.coupledL2(), spec.optimizer().ema());
        Pass pass = new Pass(p.shape(), spec.network().activation(), spec.network().kernel(), Dropout.NONE,
                spec.regularization().smoothing(), spec.augment().fresh(loop.seed()), epoch, teachers);
        Live live = new Live(segment, teller);
        CollectiveSteps.Outcome o = segment(segment, pass, live);
        meshBytes[0] += o.meshBytes()[0];
        meshBytes[1] += o.meshBytes()[1];
        meshSteps += segment.steps();
        // as the jobs engine's phases: after the first epoch's warm-up (full batch: after the first segment's)
        if (plan == null ? segment.firstStep() > 0 : epoch > 0 || loop.epochs() == 1) {
            for (int k = 0; k < phaseMs.length; k++) {
                phaseMs[k] += o.phaseMs()[k];
            }
            phaseSteps += segment.steps();
        }
        System.arraycopy(o.theta(), 0, p.values(), 0, p.values().length);
        state.optimizer().restore(o.optimizer());
        if (state.average() != null) {
            state.average().restore(o.ema(), o.emaUpdates());
        }
        List<Round> rounds = new ArrayList<>(rates.length);
        for (int j = 0; j < rates.length; j++) {
            if (j == o.diverged()) {
                throw new IllegalStateException(Divergence.message(o.loss()[j], t + j + 1, rates[j], !updated, spec));
            }
            updated |= o.count()[j] > 0;
            live.told(j, o.loss()[j], o.count()[j], o.correct()[j]);   // when not reported live (the channel failed)
            rounds.add(live.round(j, o.loss()[j], o.count()[j], o.correct()[j], Double.NaN));
        }
        return rounds;
    }

    /** Rank 0's mean wall time of each phase of a step, over the steps after the first epoch (ms), with the total. */
    @Override
    public Map<String, Double> phases() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (phaseSteps == 0) {
            return out;
        }
        double sum = 0;
        for (int k = 0; k < phaseMs.length; k++) {
            double v = phaseMs[k] / phaseSteps;
            out.put(CollectiveSteps.PHASES.get(k), Math.round(v * 100) / 100.0);
            sum += v;
        }
        out.put("total", Math.round(sum * 100) / 100.0);
        return out;
    }

    @Override
    public double[] taskBytesPerStep() {
        return meshSteps == 0 ? null : new double[] {(double) meshBytes[0] / meshSteps, (double) meshBytes[1] / meshSteps};
    }

    /** A segment's steps as rank 0 reports them while the stage runs, each told once per attempt and timed. */
    private static final class Live {
        private final CollectiveSteps.Segment segment;
        private final Teller teller;
        /** Steps told so far (a retried segment tells its steps again). */
        int reported;
        private long last = System.nanoTime();

        Live(CollectiveSteps.Segment segment, Teller teller) {
            this.segment = segment;
            this.teller = teller;
        }

        /** Step {@code j} of the segment, with its sums, told when it is the next one not yet told. */
        void told(int j, double loss, long count, long correct) {
            if (j == reported) {
                long now = System.nanoTime();
                double ms = (now - last) / 1e6;
                last = now;
                reported = j + 1;
                teller.told(round(j, loss, count, correct, ms));
            }
        }

        Round round(int j, double loss, long count, long correct, double ms) {
            return new Round(segment.firstStep() + j + 1, segment.first() + j + 1, 1, loss, count, correct,
                    segment.rates()[j], ms);
        }

        /** A retried segment starts its steps again. */
        void restart() {
            reported = 0;
            last = System.nanoTime();
            teller.retold();
        }
    }

    /**
     * Runs {@code segment} as a barrier stage from the driver's state, again from that state when it fails. The stage
     * runs on a thread of its own (which inherits this one's job tag and description), while this thread tells
     * {@code live} the steps rank 0 reports over an authenticated channel.
     */
    private CollectiveSteps.Outcome segment(CollectiveSteps.Segment segment, Pass pass, Live live) {
        Broadcast<CollectiveSteps.Start> start = jsc.broadcast(new CollectiveSteps.Start(p.values().clone(),
                CollectiveSteps.copy(state.optimizer().state()), state.average() == null ? null : state.average().values().clone(),
                state.average() == null ? 0 : state.average().updates()));
        String what = plan == null ? String.format(Locale.ROOT, "iterations %d-%d/%d", segment.firstStep() + 1,
                segment.firstStep() + segment.steps(), spec.loop().iterations())
                : String.format(Locale.ROOT, "epoch %d/%d steps %d-%d/%d", segment.epoch() + 1, spec.loop().epochs(),
                segment.first() + 1, segment.last(), plan.stepsPerEpoch());
        try {
            int attempts = SEGMENT_ATTEMPTS;
            for (int attempt = 1; ; attempt++) {
                awaitSlots();
                jsc.setJobDescription(what + " (collective" + (attempt > 1 ? ", attempt " + attempt : "") + ")");
                try {
                    return runLive(segment, start, pass, MeshExchanges.of(jsc.getConf(), what + " attempt " + attempt), live);
                } catch (Exception e) {
                    // Exception, not RuntimeException: a failed Spark job throws SparkException, a checked exception
                    // that Scala's collect() does not declare (precise rethrow: this method still throws none)
                    if (shrunk != null) {   // the watchdog cancelled the stage: the cluster cannot run it any more
                        RuntimeException why = shrunk;
                        shrunk = null;
                        throw why;
                    }
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
        BlockingQueue<byte[]> steps = new LinkedBlockingQueue<>();
        String host = jsc.getConf().get("spark.driver.host", "localhost");
        missedMeeting = null;
        Rendezvous.Server meeting = null;
        MeshExchanges meetingThere = exchanges;
        if (!meetThroughSpark) {
            try {
                meeting = Rendezvous.serve(host, blocks.getNumPartitions(), exchanges.driverConfig());
                meetingThere = exchanges.meetingAt(meeting.address());
            } catch (IOException | RuntimeException e) {
                LOG.warn("the driver cannot serve its tasks' rendezvous for this segment ({}): they meet through Spark's"
                        + " allGather (about 1 s)", e.getMessage());
            }
        }
        ProgressChannel.Server server = null;
        MeshExchanges reporting = meetingThere;
        try {
            server = ProgressChannel.serve(host, exchanges.driverConfig(), steps::add);
            reporting = meetingThere.reportingTo(server.address());
        } catch (IOException | RuntimeException e) {
            LOG.warn("no live progress for this segment (its steps are logged when it ends): {}", e.getMessage());
        }
        CompletableFuture<CollectiveSteps.Outcome> done = new CompletableFuture<>();
        MeshExchanges chosen = reporting;
        String tag = "spark-digits-segment-" + java.util.UUID.randomUUID();
        Thread stage = new Thread(() -> {   // a child thread: Spark's local properties (job tag, description) are inherited
            try {
                jsc.sc().addJobTag(tag);   // this stage's own, for the watchdog
                done.complete(CollectiveSteps.run(blocks, segment, start, pass, chosen));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "spark-digits-segment");
        stage.setDaemon(true);
        stage.start();
        Watchdog watchdog = new Watchdog(tag);
        try {
            while (true) {
                byte[] m = steps.poll(100, TimeUnit.MILLISECONDS);
                watchdog.look();
                if (m != null) {
                    CollectiveSteps.Step s = CollectiveSteps.Step.of(m);
                    live.told(s.index(), s.loss(), s.count(), s.correct());
                } else if (done.isDone()) {
                    for (byte[] rest; (rest = steps.poll()) != null; ) {
                        CollectiveSteps.Step s = CollectiveSteps.Step.of(rest);
                        live.told(s.index(), s.loss(), s.count(), s.correct());
                    }
                    try {
                        return done.get();
                    } catch (ExecutionException e) {
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
            throw new TrainingCancelledException("training cancelled at step " + (segment.firstStep()
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
     * Before each attempt: the cluster can still run a barrier stage of every partition, waiting for executors to
     * register as {@link EngineChoice} does (a lost executor's replacement); else, with {@code auto}, the run goes on on
     * the jobs engine ({@link StepEngine.Unavailable}), and {@code --engine collective} ends with the one-line error. So
     * a retry never waits in Spark's slot check (40 times 15 s) for slots that are gone.
     */
    private void awaitSlots() {
        int partitions = blocks.getNumPartitions();
        if (EngineChoice.slots(jsc.sc()) >= partitions) {
            return;
        }
        EngineChoice c = EngineChoice.resolve(jsc.sc(), partitions, asked());   // throws for --engine collective
        if (c.engine() != Engine.COLLECTIVE) {
            throw new StepEngine.Unavailable(c.reason());
        }
    }

    /** The spec with the engine as it was asked for: auto when this run may go on on the jobs engine. */
    private TrainingSpec asked() {
        return spec.with(new EngineSpec(spec.engine().mayFallBack() ? Engine.AUTO : Engine.COLLECTIVE));
    }

    /** Set by the {@link Watchdog} when it cancelled a stage the cluster can no longer run: what to throw instead. */
    private volatile RuntimeException shrunk;

    /**
     * Watches the cluster's task slots while a stage runs (once a second): a barrier stage whose slots are gone (an
     * executor lost and not replaced) would wait for them forever, so when there are fewer slots than partitions for
     * longer than executors take to register ({@code spark.scheduler.maxRegisteredResourcesWaitingTime}), the stage is
     * cancelled and {@link #shrunk} says why.
     */
    private final class Watchdog {
        private final String tag;
        private final int partitions = blocks.getNumPartitions();
        private final long waitNs = EngineChoice.registrationWaitMs(jsc.getConf()) * 1_000_000;
        private long next = System.nanoTime() + 1_000_000_000L;
        private long shortSince = -1;

        Watchdog(String tag) {
            this.tag = tag;
        }

        void look() {
            long now = System.nanoTime();
            if (now < next || shrunk != null) {
                return;
            }
            next = now + 1_000_000_000L;
            int slots = EngineChoice.slots(jsc.sc());
            if (slots >= partitions) {
                shortSince = -1;
            } else if (shortSince < 0) {
                shortSince = now;
            } else if (now - shortSince > waitNs) {
                long waited = (now - shortSince) / 1_000_000;
                try {
                    EngineChoice c = EngineChoice.decide(asked().engine().engine(), null, false, slots, partitions, waited);
                    shrunk = new StepEngine.Unavailable(c.reason());
                } catch (RuntimeException e) {   // --engine collective: the one-line error
                    shrunk = e;
                }
                LOG.warn("the barrier stage cannot run: {}: cancelling it", shrunk.getMessage());
                jsc.sc().cancelJobsWithTag(tag);
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
}
