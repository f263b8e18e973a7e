package org.sparkdigits.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.checkpoint.TrainingState;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Distillation;
import org.sparkdigits.core.kernel.Dropout;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.KernelWeights;
import org.sparkdigits.core.loss.Regularization;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.numbers.CoreRanges;
import org.sparkdigits.core.optim.LearningRateSchedule;
import org.sparkdigits.train.Divergence;
import org.sparkdigits.train.TrainingSpec;

/**
 * The jobs engine: every step is one Spark job. Broadcast the weights; one ordered aggregation of (gradient sum, loss
 * sum, rows, correct) over the cached blocks (full batch) or over one slice of each permuted block (mini-batch);
 * divide once by the step's row count; add the L2 gradient; let the driver's optimiser update; destroy the broadcast.
 * With {@code --local-steps k} a job is a round: each task takes k steps on its own slices from the same weights, and
 * the driver's optimiser takes the averaged models as one pseudo-gradient step.
 */
final class JobSteps implements StepEngine {

    private final JavaSparkContext jsc;
    private final JavaRDD<DigitBlock> blocks;
    private final TrainingSpec spec;
    private final NetworkShape shape;
    private final Broadcast<Distillation> teachers;
    private final Parameters p;
    private final TrainingState state;
    /** The mini-batches of an epoch, or {@code null}: full batch (an epoch is one step over every row). */
    private final BatchPlan plan;
    private final LearningRateSchedule lr;
    private final StepTimer timer = new StepTimer();
    /** Rounds of the run's first epoch, which the steady-state figures leave out. */
    private int firstEpochLaps;
    /** Whether this run has applied an update yet (a loss that is not finite before that is not the rate's doing). */
    private boolean updated;
    /** The current epoch's cached permutations ({@link #close} unpersists them when the epoch does not end). */
    private JavaRDD<int[]> permutations;

    /**
     * @param plan  the epoch's mini-batches, or {@code null} for full-batch steps (the run one epoch of them)
     * @param total the run's steps (the schedule's length)
     */
    JobSteps(JavaRDD<DigitBlock> blocks, TrainingSpec spec, Broadcast<Distillation> teachers, Parameters p,
             TrainingState state, BatchPlan plan, long total) {
        this.jsc = JavaSparkContext.fromSparkContext(blocks.context());
        this.blocks = blocks;
        this.spec = spec;
        this.shape = p.shape();
        this.teachers = teachers;
        this.p = p;
        this.state = state;
        this.plan = plan;
        this.lr = spec.schedule().over(total);
    }

    @Override
    public void beginEpoch(int epoch) {
        if (plan != null) {
            permutations = permutations(epoch);
        }
    }

    @Override
    public List<Round> run(int epoch, int i, long t, int limit, Teller teller) {
        Round r = plan == null ? fullBatchStep(t) : miniBatchRound(epoch, i, t);
        teller.told(r);
        return List.of(r);
    }

    @Override
    public void endEpoch(int epoch) {
        if (permutations != null) {
            permutations.unpersist(false);
            permutations = null;
        }
        if (firstEpochLaps == 0) {
            firstEpochLaps = timer.count();
        }
    }

    @Override
    public void close() {
        if (permutations != null) {
            permutations.unpersist(false);
            permutations = null;
        }
    }

    /** Mini-batch: the median of each phase over the rounds after the first epoch (the second half without one). */
    @Override
    public Map<String, Double> phases() {
        int laps = timer.count();
        return timer.medians(laps > firstEpochLaps && firstEpochLaps > 0 ? firstEpochLaps : laps / 2);
    }

    /** Full batch: one pass over every row, the iteration's on-the-fly distortions and dropout masks. */
    private Round fullBatchStep(long t) {
        long t0 = System.nanoTime();
        int iterations = spec.loop().iterations();
        jsc.setJobDescription("iteration " + (t + 1) + "/" + iterations);
        GradientSum sum = fullPass(p.values(), Dropout.forStep(spec.regularization().dropout(), spec.loop().seed(), t),
                (int) t);
        double rate = lr.at(t);
        update(sum, rate, t + 1);
        return new Round(t + 1, (int) t + 1, 1, sum.loss(), sum.count(), sum.correct(), rate, (System.nanoTime() - t0) / 1e6);
    }

    /** One mini-batch step, or a round of local steps, from position {@code i}. */
    private Round miniBatchRound(int epoch, int i, long t) {
        var loop = spec.loop();
        int perEpoch = plan.stepsPerEpoch();
        long t0 = System.nanoTime();
        int steps = Math.min(loop.localSteps(), perEpoch - i);
        jsc.setJobDescription(String.format(Locale.ROOT, "epoch %d/%d step %d/%d", epoch + 1, loop.epochs(), i + 1, perEpoch));
        double rate = lr.at(t);
        Pass pass = new Pass(shape, spec.network().activation(), spec.network().kernel(), Dropout.NONE,
                spec.regularization().smoothing(), spec.augment().fresh(loop.seed()), epoch, teachers);
        StepTimer.Lap lap = timer.lap();
        // one step: the weights in the kernel's layout; local steps: the flat vector each task updates
        KernelWeights weights = steps == 1 ? KernelWeights.of(p, spec.network().kernel(), CoreRanges.cores())
                : KernelWeights.flat(p, spec.network().kernel());
        lap.mark();
        Broadcast<KernelWeights> w = jsc.broadcast(weights);
        lap.mark();
        double loss;
        long count;
        long correct;
        try {
            if (steps == 1) {
                GradientSum sum = SparkPasses.sliceGradientSum(blocks, permutations, plan, i, pass.withDropout(
                        Dropout.forStep(spec.regularization().dropout(), loop.seed(), t)), w);
                lap.mark();
                if (sum.count() > 0) {   // every slice empty (tiny partitions): no step
                    update(sum, rate, t + 1);
                }
                loss = sum.loss();
                count = sum.count();
                correct = sum.correct();
            } else {
                double[] rates = new double[steps];
                for (int j = 0; j < steps; j++) {
                    rates[j] = lr.at(t + j);
                }
                LocalSteps.ModelSum m = LocalSteps.round(blocks, permutations, plan, new LocalSteps.Round(i, rates, t,
                        spec.regularization().dropout(), loop.seed(), spec.coupledL2()), pass, w);
                lap.mark();
                localUpdate(m, steps, rate, t);
                loss = m.loss;
                count = m.rows;
                correct = m.correct;
            }
            lap.mark();
        } finally {
            w.destroy();
        }
        lap.mark();
        return new Round(t + steps, i + steps, steps, loss, count, correct, rate, (System.nanoTime() - t0) / 1e6);
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
        if (!Double.isFinite(m.loss)) {
            throw new IllegalStateException(Divergence.message(m.loss, t + steps, rate, false, spec));
        }
    }

    /** Mean gradient, L2, the optimiser's step. */
    private void update(GradientSum sum, double rate, long stepNumber) {
        double[] g = sum.meanGradient(CoreRanges.cores());
        Regularization.addL2(p.values(), g, shape, spec.coupledL2());
        if (!Double.isFinite(sum.loss())) {   // measured on the weights before this step's update
            throw new IllegalStateException(Divergence.message(sum.loss(), stepNumber, rate, !updated, spec));
        }
        state.optimizer().step(p.values(), g, rate);
        updated = true;
        average();
    }

    /** With {@code --ema}: the step's weights into their moving average. */
    private void average() {
        if (state.average() != null) {
            state.average().update(p.values());
        }
    }

    /** This epoch's seeded permutation of every block, cached for its steps. */
    private JavaRDD<int[]> permutations(int epoch) {
        long seed = spec.loop().seed();
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
     * The sums of one pass over every row at {@code weights} (the full-batch step; {@code lbfgs}' and {@code cg}'s
     * evaluations).
     *
     * @param epoch the full-batch iteration (from 0) that picks the on-the-fly distortions; -1: the rows as they are
     */
    GradientSum fullPass(double[] weights, Dropout dropout, int epoch) {
        Broadcast<KernelWeights> w = jsc.broadcast(KernelWeights.of(new Parameters(shape, weights), spec.network().kernel()));
        try {
            return SparkPasses.gradientSum(blocks, new Pass(shape, spec.network().activation(), spec.network().kernel(),
                    dropout, spec.regularization().smoothing(), epoch >= 0 ? spec.augment().fresh(spec.loop().seed()) : null,
                    epoch, teachers), w);
        } finally {
            w.destroy();
        }
    }
}
