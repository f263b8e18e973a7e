package org.sparkdigits.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.augment.FreshDistortions;
import org.sparkdigits.core.Activation;
import org.sparkdigits.core.BatchPlan;
import org.sparkdigits.core.ConjugateGradient;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.Dropout;
import org.sparkdigits.core.Evaluation;
import org.sparkdigits.core.GradientSum;
import org.sparkdigits.core.Kernel;
import org.sparkdigits.core.Lbfgs;
import org.sparkdigits.core.LearningRateSchedule;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Optimizer;
import org.sparkdigits.core.Parameters;
import org.sparkdigits.core.Regularization;
import org.sparkdigits.model.Checkpoint;

/**
 * The driver loop. Each step: broadcast the weights; one ordered aggregation of (gradient sum, loss sum,
 * rows, correct) over the cached blocks (full batch) or over one slice of each permuted block (mini-batch);
 * divide once by the global row count; add the L2 gradient; let the optimiser update; destroy the
 * broadcast; record. {@code lbfgs} and {@code cg} drive the same full-batch pass from their line searches.
 * Validation (and, for information, test) evaluations run every epoch or every {@code evalEvery} steps;
 * early stopping keeps the weights of the best validation loss.
 */
public final class SparkTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    /**
     * Everything about how to train.
     *
     * @param batchSize     global rows per step, or 0 for full batch
     * @param epochs        passes over the data in mini-batch mode
     * @param iterations    steps in full-batch mode (iterations of lbfgs/cg)
     * @param evalEvery     evaluate validation/test every this many steps: 0 means every {@code logEvery} steps
     *                      in full-batch mode, and at epoch ends only in mini-batch mode (which always
     *                      evaluates at epoch ends)
     * @param earlyStopping stop after this many evaluations without a better validation loss (0: never)
     * @param dropout       probability of dropping each hidden unit in training (0: none); not with lbfgs/cg
     * @param localSteps    mini-batch steps each task takes on its own before the models are averaged
     * @param seed          drives the per-epoch permutations and the dropout masks
     * @param augment       {@code --augment-on-the-fly}: fresh distortions of the rows in every epoch, or {@code null}
     */
    public record Settings(Activation activation, Kernel kernel, Optimizer.Settings optimizer, LearningRateSchedule.Kind schedule,
                           double learningRate, long warmup, long decayEvery, double decayRate, double l2,
                           double dropout, int batchSize, int epochs, int iterations, int logEvery, int evalEvery,
                           int earlyStopping, int localSteps, long seed, FreshDistortions augment) {

        /** Plain full-batch gradient descent, as the notebooks did. */
        public static Settings fullBatch(int iterations, double learningRate, int logEvery) {
            return new Settings(Activation.RELU, Kernel.SIMD, new Optimizer.Settings(Optimizer.Kind.SGD, 0.9, 0.9, 0.999, 1e-8, 0),
                    LearningRateSchedule.Kind.CONSTANT, learningRate, 0, 1, 1.0, 0, 0, 0, 0, iterations, logEvery, logEvery,
                    0, 1, 1, null);
        }

        public boolean miniBatch() {
            return batchSize > 0;
        }

        /** These settings on another kernel. */
        public Settings withKernel(Kernel other) {
            return new Settings(activation, other, optimizer, schedule, learningRate, warmup, decayEvery, decayRate, l2,
                    dropout, batchSize, epochs, iterations, logEvery, evalEvery, earlyStopping, localSteps, seed, augment);
        }
    }

    /**
     * Checkpoints ({@code --checkpoint-dir}, {@code --checkpoint-every}, {@code --resume}).
     *
     * @param dir         a directory on any Hadoop file system, or {@code null} for none
     * @param every       steps (rounds with local steps: at the first round end at or past each multiple) between checkpoints
     * @param resume      continue from the newest intact checkpoint in {@code dir}, if there is one
     * @param fingerprint the training configuration; a checkpoint of another one is refused
     */
    public record Checkpointing(String dir, int every, boolean resume, String fingerprint) {
        public static final Checkpointing NONE = new Checkpointing(null, 1, false, "");

        public boolean enabled() {
            return dir != null;
        }
    }

    /** Evaluates weights on a held-out set while training. */
    @FunctionalInterface
    public interface Monitor {
        Evaluation evaluate(Parameters parameters);
    }

    /**
     * One row of history.csv. {@code loss} and {@code trainAccuracy} are over the rows of the steps since
     * the previous row (full batch: of the weights before that step's update); NaN where not measured.
     */
    public record HistoryRow(long step, double epoch, double loss, double trainAccuracy, double valLoss,
                             double valAccuracy, double testLoss, double testAccuracy, long elapsedMs) {
    }

    /**
     * @param parameters     the trained weights (the best ones when early stopping restored them)
     * @param steps          steps taken
     * @param msPerStep      median, min and max wall time of a step (of a round with local steps)
     * @param bestStep       step of the best validation loss, or -1
     * @param stoppedEarly   whether early stopping ended the run
     */
    public record Result(Parameters parameters, List<HistoryRow> history, double trainSeconds, double[] msPerStep,
                         long steps, long bestStep, boolean stoppedEarly) {

        public double medianMs() {
            return msPerStep[0];
        }
    }

    private final JavaRDD<DigitBlock> blocks;
    private final long rows;
    private final Settings s;
    private final Monitor validation;
    private final Monitor test;
    private final JavaSparkContext jsc;
    private final NetworkShape shape;
    private final Parameters p;
    private final List<HistoryRow> history = new ArrayList<>();
    private final List<Double> times = new ArrayList<>();
    private final long start = System.nanoTime();
    private final Checkpointing ck;
    private CheckpointStore store;
    private long elapsedOffsetMs;
    private double pendingLoss;
    private long pendingRows;
    private long pendingCorrect;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private Parameters best;
    private long bestStep = -1;
    private int withoutImprovement;
    private boolean stop;

    private SparkTrainer(JavaRDD<DigitBlock> blocks, long rows, Parameters initial, Settings s, Monitor validation,
                         Monitor test, Checkpointing ck) {
        this.ck = ck;
        this.blocks = blocks;
        this.rows = rows;
        this.s = s;
        this.validation = validation;
        this.test = test;
        this.jsc = JavaSparkContext.fromSparkContext(blocks.context());
        this.shape = initial.shape();
        this.p = initial.copy();
    }

    /** Full-batch gradient descent with the given settings and no monitors. */
    public static Result train(JavaRDD<DigitBlock> blocks, Parameters initial, Settings s) {
        return train(blocks, -1, initial, s, null, null);
    }

    /**
     * @param rows       training rows (needed for mini-batches; -1 to count them)
     * @param validation evaluated for early stopping, or null
     * @param test       evaluated at the same times for information only, or null
     */
    public static Result train(JavaRDD<DigitBlock> blocks, long rows, Parameters initial, Settings s,
                               Monitor validation, Monitor test) {
        return train(blocks, rows, initial, s, validation, test, Checkpointing.NONE);
    }

    /** The same with checkpoints (first-order optimisers only). */
    public static Result train(JavaRDD<DigitBlock> blocks, long rows, Parameters initial, Settings s,
                               Monitor validation, Monitor test, Checkpointing ck) {
        if (ck.enabled() && s.optimizer().kind().fullBatchOnly()) {
            throw new IllegalArgumentException("checkpoints are not supported with " + s.optimizer().kind().id());
        }
        long n = rows >= 0 ? rows : blocks.map(DigitBlock::rows).reduce(Integer::sum);
        SparkTrainer t = new SparkTrainer(blocks, n, initial, s, validation, test, ck);
        try {
            if (s.optimizer().kind().fullBatchOnly()) {
                t.lineSearch();
            } else if (s.miniBatch()) {
                t.miniBatch();
            } else {
                t.fullBatch();
            }
        } finally {
            t.jsc.setJobDescription(null);
        }
        return t.result();
    }

    private void fullBatch() {
        Optimizer opt = Optimizer.create(s.optimizer(), shape);
        LearningRateSchedule lr = schedule(s.iterations());
        Checkpoint resumed = resume(opt, s.iterations(), 0);
        int first = resumed == null ? 1 : (int) resumed.counter("step") + 1;
        for (int it = first; it <= s.iterations() && !stop; it++) {
            long t0 = System.nanoTime();
            jsc.setJobDescription("iteration " + it + "/" + s.iterations());
            GradientSum sum = fullPass(p.values(), Dropout.forStep(s.dropout(), s.seed(), it - 1), it - 1);
            double rate = lr.at(it - 1);
            double[] g = sum.meanGradient();
            Regularization.addL2(p.values(), g, shape, l2Coupled());
            opt.step(p.values(), g, rate);
            times.add((System.nanoTime() - t0) / 1e6);
            checkFinite(sum, it, rate);
            record(sum);
            boolean log = it % s.logEvery() == 0 || it == s.iterations() || it == 1;
            boolean eval = it % fullBatchEvalEvery() == 0 || it == s.iterations();
            if (log) {
                LOG.info(String.format(Locale.ROOT, "iteration %d/%d  loss %.4f  train acc %.4f  %.0f ms/it  ETA %s",
                        it, s.iterations(), sum.meanLoss(), sum.accuracy(), median(), eta(s.iterations() - it)));
            }
            if (log || (eval && hasMonitors())) {
                row(it, it, eval);
            }
            if (ck.enabled() && it % ck.every() == 0) {
                store.write(it, snapshot(it, it, 0, opt));
            }
        }
    }

    private void miniBatch() {
        BatchPlan plan = new BatchPlan(rows, s.batchSize());
        int perEpoch = plan.stepsPerEpoch();
        long total = (long) perEpoch * s.epochs();
        Optimizer opt = Optimizer.create(s.optimizer(), shape);
        LearningRateSchedule lr = schedule(total);
        long t = 0;
        LOG.info("mini-batch: {} steps per epoch of about {} rows, {} epochs{}", perEpoch, s.batchSize(), s.epochs(),
                s.localSteps() > 1 ? ", " + s.localSteps() + " local steps per job" : "");
        Checkpoint resumed = resume(opt, total, perEpoch);
        int firstEpoch = 0;
        int firstStep = 0;
        if (resumed != null) {
            t = (long) resumed.counter("step");
            firstEpoch = (int) resumed.counter("epoch");
            firstStep = (int) resumed.counter("position");
        }
        for (int epoch = firstEpoch; epoch < s.epochs() && !stop; epoch++) {
            int e = epoch;
            long seed = s.seed();
            JavaRDD<int[]> perms = blocks.mapPartitionsWithIndex((idx, it) -> {
                List<int[]> out = new ArrayList<>();
                int k = 0;
                while (it.hasNext()) {
                    out.add(BatchPlan.permutation(it.next().rows(), seed, e, idx * 1024 + k++));
                }
                return out.iterator();
            }, true).persist(StorageLevel.MEMORY_AND_DISK());
            for (int i = epoch == firstEpoch ? firstStep : 0; i < perEpoch && !stop; ) {
                long t0 = System.nanoTime();
                int k = Math.min(s.localSteps(), perEpoch - i);
                jsc.setJobDescription(String.format(Locale.ROOT, "epoch %d/%d step %d/%d", epoch + 1, s.epochs(), i + 1, perEpoch));
                double rate = lr.at(t);
                Broadcast<double[]> w = jsc.broadcast(p.values().clone());
                try {
                    if (k == 1) {
                        GradientSum sum = DistributedNetwork.sliceGradientSum(blocks, perms, plan, i, shape, s.activation(),
                                s.kernel(), Dropout.forStep(s.dropout(), s.seed(), t), s.augment(), epoch, w);
                        if (sum.count() > 0) { // with many tiny partitions a step's slices can all be empty
                            double[] g = sum.meanGradient();
                            Regularization.addL2(p.values(), g, shape, l2Coupled());
                            opt.step(p.values(), g, rate);
                            checkFinite(sum, t + 1, rate);
                            record(sum);
                        }
                    } else {
                        double[] rates = new double[k];
                        for (int j = 0; j < k; j++) {
                            rates[j] = lr.at(t + j);
                        }
                        LocalSteps.ModelSum m = LocalSteps.round(blocks, perms, plan, i, k, rates, l2Coupled(), shape,
                                s.activation(), s.kernel(), s.dropout(), s.seed(), t, s.augment(), epoch, w);
                        if (m.rows > 0) { // with many tiny partitions a round's slices can all be empty
                            double[] theta = p.values();
                            double[] pseudo = new double[theta.length];
                            for (int j = 0; j < theta.length; j++) {
                                pseudo[j] = (theta[j] - m.weighted[j] / m.rows) / rate;
                            }
                            opt.step(theta, pseudo, rate);
                            pendingLoss += m.loss;
                            pendingRows += m.rows;
                            pendingCorrect += m.correct;
                            if (!Double.isFinite(m.loss)) {
                                throw new IllegalStateException("the loss became " + m.loss + " at step " + (t + k)
                                        + ": the learning rate " + rate + " is too large");
                            }
                        }
                    }
                } finally {
                    w.destroy();
                }
                times.add((System.nanoTime() - t0) / 1e6);
                long before = t;
                t += k;
                i += k;
                boolean evalNow = i == perEpoch || (s.evalEvery() > 0 && t / s.evalEvery() != before / s.evalEvery());
                if (t / s.logEvery() != before / s.logEvery() || i == perEpoch) {
                    double loss = pendingLoss / Math.max(1, pendingRows);
                    double acc = (double) pendingCorrect / Math.max(1, pendingRows);
                    LOG.info(String.format(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.4f  train acc %.4f  lr %.3g  %.1f ms/step  ETA %s",
                            epoch + 1, s.epochs(), i, perEpoch, loss, acc, rate, median() / k,
                            eta((total - t + k - 1) / k)));
                    row(t, epoch + (double) i / perEpoch, evalNow);
                } else if (evalNow && hasMonitors()) {
                    row(t, epoch + (double) i / perEpoch, true);
                }
                if (ck.enabled() && t / ck.every() != before / ck.every()) {
                    store.write(t, snapshot(t, epoch, i, opt));
                }
            }
            perms.unpersist(false);
        }
    }

    /**
     * Opens the checkpoint store; with {@code --resume}, restores the newest checkpoint that fits this run and returns
     * it (else null).
     *
     * @param total    steps of the whole run
     * @param perEpoch steps per epoch (mini-batch), 0 for full batch
     */
    private Checkpoint resume(Optimizer opt, long total, int perEpoch) {
        if (!ck.enabled()) {
            return null;
        }
        store = new CheckpointStore(ck.dir(), jsc.hadoopConfiguration());
        if (!ck.resume()) {
            return null;
        }
        long params = p.values().length;
        long arrays = params * (2 + opt.state().size()) + HISTORY_FIELDS * (total + 1) + 16;
        long maxBytes = 64 + (1 << 20) + 8 * arrays;
        Checkpoint c = store.newest(ck.fingerprint(), maxBytes, x -> problem(x, opt, total, perEpoch)).orElse(null);
        if (c == null) {
            LOG.info("--resume: no checkpoint in {} yet: starting from the beginning", ck.dir());
            return null;
        }
        Map<String, double[]> a = c.arrays();
        System.arraycopy(a.get("theta"), 0, p.values(), 0, p.values().length);
        Map<String, double[]> state = new java.util.HashMap<>();
        a.forEach((k, v) -> {
            if (k.startsWith("optimizer.")) {
                state.put(k.substring("optimizer.".length()), v);
            }
        });
        opt.restore(state);
        double[] h = a.get("history");
        for (int r = 0; r + 9 <= h.length; r += 9) {
            history.add(new HistoryRow((long) h[r], h[r + 1], h[r + 2], h[r + 3], h[r + 4], h[r + 5], h[r + 6], h[r + 7],
                    (long) h[r + 8]));
        }
        pendingLoss = a.get("pending_loss")[0];
        bestLoss = a.get("best_loss")[0];
        pendingRows = (long) c.counter("pending_rows");
        pendingCorrect = (long) c.counter("pending_correct");
        bestStep = (long) c.counter("best_step");
        withoutImprovement = (int) c.counter("without_improvement");
        stop = c.counter("stop") != 0;
        best = a.containsKey("best") ? new Parameters(shape, a.get("best").clone()) : null;
        elapsedOffsetMs = (long) c.counter("elapsed_ms");
        LOG.info("resuming from the checkpoint of step {} (epoch {}, step {} of it) in {}", (long) c.counter("step"),
                (long) c.counter("epoch") + (s.miniBatch() ? 1 : 0), (long) c.counter("position"), ck.dir());
        return c;
    }

    /** Numbers per history row in a checkpoint. */
    private static final int HISTORY_FIELDS = 9;

    /**
     * What makes checkpoint {@code c} unfit for this run, or {@code null}: every counter present, whole and in range
     * (the step within the run, the epoch and position within their bounds), every vector of this network's length.
     */
    private String problem(Checkpoint c, Optimizer opt, long total, int perEpoch) {
        Map<String, Double> k = c.counters();
        for (String name : List.of("step", "epoch", "position", "elapsed_ms", "pending_rows", "pending_correct",
                "best_step", "without_improvement", "stop")) {
            Double v = k.get(name);
            if (v == null || !Double.isFinite(v) || v != Math.rint(v)) {
                return "counter " + name + " is " + (v == null ? "missing" : "not a whole number (" + v + ")");
            }
        }
        long step = k.get("step").longValue();
        if (step < 1 || step > total) {
            return "step " + step + " is outside this run's 1-" + total;
        }
        if (perEpoch > 0) {
            long epoch = k.get("epoch").longValue();
            long position = k.get("position").longValue();
            if (epoch < 0 || epoch >= s.epochs() || position < 0 || position > perEpoch
                    || epoch * perEpoch + position != step) {
                return "epoch " + epoch + ", position " + position + " do not make step " + step + " of " + perEpoch
                        + " steps per epoch";
            }
        }
        if (k.get("pending_rows") < 0 || k.get("pending_correct") < 0 || k.get("pending_correct") > k.get("pending_rows")
                || k.get("best_step") < -1 || k.get("best_step") > step || k.get("without_improvement") < 0 || k.get("elapsed_ms") < 0) {
            return "its counters are out of range";
        }
        Map<String, double[]> a = c.arrays();
        int n = p.values().length;
        if (a.get("theta") == null || a.get("theta").length != n) {
            return "theta " + (a.get("theta") == null ? "is missing" : "has " + a.get("theta").length + " values, not " + n);
        }
        if (a.containsKey("best") && a.get("best").length != n) {
            return "best has " + a.get("best").length + " values, not " + n;
        }
        for (Map.Entry<String, double[]> e : opt.state().entrySet()) {
            double[] saved = a.get("optimizer." + e.getKey());
            if (saved == null || saved.length != e.getValue().length) {
                return "optimizer state " + e.getKey() + " is missing or of another length";
            }
        }
        double[] h = a.get("history");
        if (h == null || h.length % HISTORY_FIELDS != 0 || h.length / HISTORY_FIELDS > step + 1) {
            return "its history is missing or malformed";
        }
        for (String one : List.of("pending_loss", "best_loss")) {
            if (a.get(one) == null || a.get(one).length != 1) {
                return one + " is missing";
            }
        }
        return null;
    }

    /** Everything that decides the rest of the run. */
    private Checkpoint snapshot(long step, int epoch, int position, Optimizer opt) {
        Map<String, Double> c = new java.util.LinkedHashMap<>();
        c.put("step", (double) step);
        c.put("epoch", (double) epoch);
        c.put("position", (double) position);
        c.put("elapsed_ms", (double) elapsedMs());
        c.put("pending_rows", (double) pendingRows);
        c.put("pending_correct", (double) pendingCorrect);
        c.put("best_step", (double) bestStep);
        c.put("without_improvement", (double) withoutImprovement);
        c.put("stop", stop ? 1.0 : 0.0);
        Map<String, double[]> a = new java.util.LinkedHashMap<>();
        a.put("theta", p.values().clone());
        opt.state().forEach((k, v) -> a.put("optimizer." + k, v.clone()));
        double[] h = new double[history.size() * HISTORY_FIELDS];
        for (int r = 0; r < history.size(); r++) {
            HistoryRow x = history.get(r);
            double[] row = {x.step(), x.epoch(), x.loss(), x.trainAccuracy(), x.valLoss(), x.valAccuracy(), x.testLoss(),
                    x.testAccuracy(), x.elapsedMs()};
            System.arraycopy(row, 0, h, r * 9, 9);
        }
        a.put("history", h);
        a.put("pending_loss", new double[] {pendingLoss});
        a.put("best_loss", new double[] {bestLoss});
        if (best != null) {
            a.put("best", best.values().clone());
        }
        return new Checkpoint(ck.fingerprint(), c, a);
    }

    private long elapsedMs() {
        return (System.nanoTime() - start) / 1_000_000 + elapsedOffsetMs;
    }

    /** lbfgs or cg: every value-and-gradient evaluation is one full pass. */
    private void lineSearch() {
        double lambda = s.l2();
        long[] evaluations = {0};
        Lbfgs.Objective f = (x, gradient) -> {
            evaluations[0]++;
            jsc.setJobDescription(s.optimizer().kind().id() + " evaluation " + evaluations[0]);
            GradientSum sum = fullPass(x, Dropout.NONE, -1);
            double[] mean = sum.meanGradient();
            double penalty = Regularization.addL2(x, mean, shape, lambda);
            System.arraycopy(mean, 0, gradient, 0, mean.length);
            pendingLoss = sum.loss();
            pendingRows = sum.count();
            pendingCorrect = sum.correct();
            return sum.meanLoss() + penalty;
        };
        long[] last = {System.nanoTime()};
        Lbfgs.Progress progress = (it, value, x) -> {
            System.arraycopy(x, 0, p.values(), 0, x.length);
            long now = System.nanoTime();
            times.add((now - last[0]) / 1e6);
            last[0] = now;
            boolean log = it % s.logEvery() == 0 || it == s.iterations() || it == 1;
            boolean eval = it % fullBatchEvalEvery() == 0 || it == s.iterations();
            if (log) {
                LOG.info(String.format(Locale.ROOT, "%s iteration %d/%d  objective %.4f  train acc %.4f  %d passes  %.0f ms/it  ETA %s",
                        s.optimizer().kind().id(), it, s.iterations(), value, (double) pendingCorrect / Math.max(1, pendingRows),
                        evaluations[0], median(), eta(s.iterations() - it)));
            }
            if (log || (eval && hasMonitors())) {
                row(it, it, eval);
            } else {
                pendingLoss = 0;
                pendingRows = 0;
                pendingCorrect = 0;
            }
            return !stop;
        };
        double[] x = p.values().clone();
        if (s.optimizer().kind() == Optimizer.Kind.LBFGS) {
            new Lbfgs(10, 1e-9).minimize(f, x, s.iterations(), progress);
        } else {
            new ConjugateGradient(1e-12).minimize(f, x, s.iterations(), progress);
        }
        if (!stop) {
            System.arraycopy(x, 0, p.values(), 0, x.length);
        }
    }

    private int fullBatchEvalEvery() {
        return s.evalEvery() > 0 ? s.evalEvery() : s.logEvery();
    }

    /** @param epoch the full-batch iteration (from 0) that picks the on-the-fly distortions; -1: the rows as they are */
    private GradientSum fullPass(double[] weights, Dropout dropout, int epoch) {
        Broadcast<double[]> w = jsc.broadcast(weights.clone());
        try {
            return DistributedNetwork.gradientSum(blocks, shape, s.activation(), s.kernel(), dropout,
                    epoch >= 0 ? s.augment() : null, epoch, w);
        } finally {
            w.destroy();
        }
    }

    private LearningRateSchedule schedule(long totalSteps) {
        return new LearningRateSchedule(s.schedule(), s.learningRate(), s.warmup(), s.decayEvery(), s.decayRate(),
                Math.max(1, totalSteps));
    }

    /** L2 added to the gradient: all optimisers but adamw, whose decay is decoupled. */
    private double l2Coupled() {
        return s.optimizer().kind() == Optimizer.Kind.ADAMW ? 0 : s.l2();
    }

    private void record(GradientSum sum) {
        pendingLoss += sum.loss();
        pendingRows += sum.count();
        pendingCorrect += sum.correct();
    }

    private void row(long step, double epoch, boolean evaluate) {
        double loss = pendingRows == 0 ? Double.NaN : pendingLoss / pendingRows;
        double acc = pendingRows == 0 ? Double.NaN : (double) pendingCorrect / pendingRows;
        pendingLoss = 0;
        pendingRows = 0;
        pendingCorrect = 0;
        Evaluation v = evaluate && validation != null ? validation.evaluate(p) : null;
        Evaluation te = evaluate && test != null ? test.evaluate(p) : null;
        long elapsed = elapsedMs();
        history.add(new HistoryRow(step, epoch, loss, acc, v == null ? Double.NaN : v.meanLoss(),
                v == null ? Double.NaN : v.accuracy(), te == null ? Double.NaN : te.meanLoss(),
                te == null ? Double.NaN : te.accuracy(), elapsed));
        if (v != null || te != null) {
            LOG.info(String.format(Locale.ROOT, "evaluation at step %d:%s%s", step,
                    v == null ? "" : String.format(Locale.ROOT, "  validation loss %.4f acc %.4f", v.meanLoss(), v.accuracy()),
                    te == null ? "" : String.format(Locale.ROOT, "  test loss %.4f acc %.4f", te.meanLoss(), te.accuracy())));
        }
        if (v != null) {
            if (v.meanLoss() < bestLoss) {
                bestLoss = v.meanLoss();
                best = p.copy();
                bestStep = step;
                withoutImprovement = 0;
            } else if (s.earlyStopping() > 0 && ++withoutImprovement >= s.earlyStopping()) {
                LOG.info("early stopping: {} evaluations without a better validation loss; restoring the weights of step {}",
                        withoutImprovement, bestStep);
                stop = true;
            }
        }
    }

    private boolean hasMonitors() {
        return validation != null || test != null;
    }

    private void checkFinite(GradientSum sum, long step, double rate) {
        if (!Double.isFinite(sum.loss())) {
            throw new IllegalStateException("the loss became " + sum.loss() + " at step " + step
                    + ": the learning rate " + rate + " is too large");
        }
    }

    private Result result() {
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] t = times.stream().mapToDouble(Double::doubleValue).toArray();
        double[] sorted = t.clone();
        Arrays.sort(sorted);
        double[] ms = t.length == 0 ? new double[] {Double.NaN, Double.NaN, Double.NaN}
                : new double[] {median(t), sorted[0], sorted[sorted.length - 1]};
        Parameters out = p;
        if (s.earlyStopping() > 0 && best != null) {
            out = best;
        }
        long steps = history.isEmpty() ? 0 : history.get(history.size() - 1).step();
        return new Result(out, history, seconds, ms, steps, bestStep, stop);
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
