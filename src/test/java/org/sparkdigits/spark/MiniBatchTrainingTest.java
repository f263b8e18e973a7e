package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdigits.testing.Numbers.maxRelativeDifference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.kernel.ReferenceKernel;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.report.HistoryRow;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TestLoads;
import org.sparkdigits.train.RegularizationSpec;
import org.sparkdigits.train.TrainingEvents;
import org.sparkdigits.train.TrainingSpec;

/** Mini-batches, optimisers, early stopping and the full-batch line-search methods on real Spark. */
@Tag("spark-layer")
class MiniBatchTrainingTest {

    private static final NetworkShape SHAPE = NetworkShape.mnist(10);
    private static SparkSession spark;
    private static LoadedData data;
    private static LoadedData mislabelled;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        spark = SparkTestSession.get();
        data = load(TestCsv.labelled(dir.resolve("train.csv"), 700, 41, false), 3);
        // The same kind of digits with every label shifted by one: the better a model learns the real
        // labels, the worse its loss here. Its best evaluation is the first.
        List<String> shifted = new ArrayList<>();
        for (String row : TestCsv.rows(150, 42, true)) {
            int comma = row.indexOf(',');
            shifted.add((Integer.parseInt(row.substring(0, comma)) + 1) % 10 + row.substring(comma));
        }
        mislabelled = load(TestCsv.write(dir.resolve("shifted.csv"), shifted), 2);
    }

    private static LoadedData load(Path file, int partitions) {
        return TestLoads.shuffled(file, partitions);
    }

    private static TrainingSpec settings(Optimizer.Kind kind, double lr, int batch, int epochs, int iterations,
                                         int localSteps, int earlyStopping, Activation activation) {
        return builder(kind, lr, batch, epochs, iterations, localSteps, earlyStopping, activation).build().spec();
    }

    private static DigitTrainer.Builder builder(Optimizer.Kind kind, double lr, int batch, int epochs, int iterations,
                                                int localSteps, int earlyStopping, Activation activation) {
        DigitTrainer.Builder b = DigitTrainer.builder().optimizer(kind.id()).lr(lr).batchSize(batch).localSteps(localSteps)
                .earlyStopping(earlyStopping).activation(activation.id()).logEvery(5).evalEvery(5).seed(3);
        if (batch > 0) {
            b.epochs(epochs);
        } else {
            b.iterations(iterations);
        }
        if (earlyStopping > 0) {
            b.validation(1); // the validation rows come from the test's monitor; the builder only needs to know there are some
        }
        return b;
    }

    private static double accuracy(Parameters p, Activation a) {
        return SparkPasses.evaluate(data.blocks(), p, a).accuracy();
    }

    @Test
    void aStepReadsExactlyItsSliceOfEachPermutedBlock() {
        BatchPlan plan = new BatchPlan(data.rows(), 64);
        JavaRDD<DigitBlock> blocks = data.blocks();
        JavaRDD<int[]> perms = blocks.mapPartitionsWithIndex((idx, it) -> {
            List<int[]> out = new ArrayList<>();
            while (it.hasNext()) {
                out.add(BatchPlan.permutation(it.next().rows(), 9, 0, idx));
            }
            return out.iterator();
        }, true);
        Parameters p = Initializer.HE.initialize(SHAPE, 2);
        int step = 4;
        GradientSum distributed = SparkPasses.sliceGradientSum(blocks, perms, plan, step, p, Activation.RELU, KernelKind.SIMD);
        // the same rows, gathered on the driver
        List<DigitBlock> local = blocks.collect();
        GradientSum expected = new GradientSum(SHAPE);
        ReferenceKernel net = new ReferenceKernel(p);
        for (int b = 0; b < local.size(); b++) {
            int[] perm = BatchPlan.permutation(local.get(b).rows(), 9, 0, b);
            int from = plan.sliceStart(local.get(b).rows(), step);
            int to = plan.sliceStart(local.get(b).rows(), step + 1);
            boolean[] take = new boolean[local.get(b).rows()];
            for (int r = from; r < to; r++) {
                take[perm[r]] = true;
            }
            DigitBlock slice = local.get(b).select(take, true);
            // same rows, possibly another order: compare sums
            net.accumulateGradient(slice, expected);
        }
        assertEquals(expected.count(), distributed.count());
        assertTrue(Math.abs(distributed.count() - 64) <= 3, "rows in the step: " + distributed.count());
        assertTrue(maxRelativeDifference(expected.gradient(), distributed.gradient()) <= 1e-12);
    }

    @Test
    void theSameSeedGivesBitIdenticalMiniBatchWeights() {
        TrainingSpec s = settings(Optimizer.Kind.ADAM, 0.01, 50, 2, 0, 1, 0, Activation.RELU);
        double[] a = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 1), s).parameters().values();
        double[] b = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 1), s).parameters().values();
        assertArrayEquals(a, b, 0.0);
        TrainingSpec other = builder(Optimizer.Kind.ADAM, 0.01, 50, 2, 0, 1, 0, Activation.RELU).seed(4).build().spec();
        double[] c = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 1), other).parameters().values();
        assertFalse(Arrays.equals(a, c), "another seed draws other batches");
    }

    @Test
    void everyFirstOrderRuleLearnsWithMiniBatches() {
        for (Optimizer.Kind kind : List.of(Optimizer.Kind.SGD, Optimizer.Kind.MOMENTUM, Optimizer.Kind.NESTEROV,
                Optimizer.Kind.ADAM, Optimizer.Kind.ADAMW)) {
            double lr = kind == Optimizer.Kind.ADAM || kind == Optimizer.Kind.ADAMW ? 0.01 : 0.1;
            SparkTrainer.Result r = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 1),
                    settings(kind, lr, 32, 3, 0, 1, 0, Activation.RELU));
            assertTrue(accuracy(r.parameters(), Activation.RELU) > 0.9, kind + ": " + accuracy(r.parameters(), Activation.RELU));
            assertEquals(3 * 22, r.steps(), kind.id());
        }
    }

    @Test
    void localStepsSigmoidLbfgsAndCgLearnToo() {
        SparkTrainer.Result local = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 1),
                settings(Optimizer.Kind.SGD, 0.1, 32, 3, 0, 4, 0, Activation.RELU));
        assertTrue(accuracy(local.parameters(), Activation.RELU) > 0.9, "local steps");
        SparkTrainer.Result sigmoid = SparkTrainer.train(data.blocks(), data.rows(), Initializer.XAVIER.initialize(SHAPE, 1),
                settings(Optimizer.Kind.ADAM, 0.02, 32, 4, 0, 1, 0, Activation.SIGMOID));
        assertTrue(accuracy(sigmoid.parameters(), Activation.SIGMOID) > 0.9, "sigmoid");
        for (Optimizer.Kind kind : List.of(Optimizer.Kind.LBFGS, Optimizer.Kind.CG)) {
            SparkTrainer.Result r = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 1),
                    settings(kind, 1, 0, 0, 25, 1, 0, Activation.RELU));
            assertTrue(accuracy(r.parameters(), Activation.RELU) > 0.9, kind + ": " + accuracy(r.parameters(), Activation.RELU));
            assertTrue(r.history().get(0).loss() > r.history().get(r.history().size() - 1).loss(), kind.id());
        }
    }

    @Test
    void dropoutRunsAreReproducibleAndLearn() {
        for (int local : new int[] {1, 4}) {
            TrainingSpec s = withDropout(settings(Optimizer.Kind.ADAM, 0.01, 32, 3, 0, local, 0, Activation.RELU), 0.3);
            double[] a = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 1), s).parameters().values();
            double[] b = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 1), s).parameters().values();
            assertArrayEquals(a, b, 0.0, "local steps " + local);
            double[] plain = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 1),
                    withDropout(s, 0)).parameters().values();
            assertFalse(Arrays.equals(a, plain), "dropout changes the training");
            assertTrue(accuracy(new Parameters(SHAPE, a), Activation.RELU) > 0.9, "local steps " + local + ": "
                    + accuracy(new Parameters(SHAPE, a), Activation.RELU));
        }
        // full batch: each iteration draws its own masks
        TrainingSpec full = withDropout(settings(Optimizer.Kind.SGD, 0.5, 0, 0, 40, 1, 0, Activation.RELU), 0.2);
        SparkTrainer.Result r = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 2), full);
        assertTrue(accuracy(r.parameters(), Activation.RELU) > 0.9, "full batch: " + accuracy(r.parameters(), Activation.RELU));
    }

    private static TrainingSpec withDropout(TrainingSpec s, double p) {
        return s.with(new RegularizationSpec(s.regularization().l2(), p));
    }

    @Test
    void stepsWhoseSlicesAreAllEmptyAreSkipped() throws IOException {
        // 12 rows over 9 partitions with batch 1: 12 steps per epoch, and a partition of one row
        // contributes to one step only, so several steps read no row at all.
        LoadedData tiny = load(TestCsv.labelled(dir.resolve("tiny.csv"), 12, 43, false), 9);
        Parameters init = Initializer.HE.initialize(SHAPE, 1);
        for (int local : new int[] {1, 3}) {
            SparkTrainer.Result r = SparkTrainer.train(tiny.blocks(), tiny.rows(), init,
                    settings(Optimizer.Kind.SGD, 0.1, 1, 1, 0, local, 0, Activation.RELU));
            assertEquals(12, r.steps());
            assertFalse(Arrays.equals(init.values(), r.parameters().values()));
        }
        tiny.unpersist();
    }

    @Test
    void earlyStoppingRestoresTheBestWeights() {
        SparkTrainer.Monitor validation = w -> SparkPasses.evaluate(mislabelled.blocks(), w, Activation.RELU);
        TrainingSpec s = settings(Optimizer.Kind.SGD, 0.5, 0, 0, 200, 1, 2, Activation.RELU);
        SparkTrainer.Result r = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 5), s,
                new SparkTrainer.Monitors(validation, null, "", TrainingEvents.NONE));
        assertTrue(r.stoppedEarly());
        assertEquals(5, r.bestStep(), "the first evaluation (step 5) was the best");
        assertEquals(15, r.steps(), "two more evaluations without improvement, then stop");
        double best = r.history().stream().filter(h -> !Double.isNaN(h.valLoss())).mapToDouble(HistoryRow::valLoss).min().orElseThrow();
        Evaluation restored = validation.evaluate(r.parameters());
        assertEquals(best, restored.meanLoss(), 0.0, "the returned weights are those of the best evaluation");
        // and they are exactly the weights after 5 steps
        Parameters five = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 5),
                settings(Optimizer.Kind.SGD, 0.5, 0, 0, 5, 1, 0, Activation.RELU)).parameters();
        assertArrayEquals(five.values(), r.parameters().values(), 0.0);
    }
}
