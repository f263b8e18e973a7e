package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdigits.testing.Numbers.maxRelativeDifference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Dropout;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.ReferenceKernel;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.report.HistoryRow;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TestLoads;
import org.sparkdigits.train.TrainingEvents;
import org.sparkdigits.train.TrainingSpec;

/** {@code --ema} and {@code --label-smoothing} in the driver loops, on real Spark. */
@Tag("spark-layer")
class AveragingAndSmoothingTest {

    private static final NetworkShape SHAPE = NetworkShape.mnist(10);
    private static LoadedData data;
    private static LoadedData validation;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        SparkTestSession.get();
        data = TestLoads.shuffled(TestCsv.labelled(dir.resolve("train.csv"), 600, 21, false), 3);
        validation = TestLoads.shuffled(TestCsv.labelled(dir.resolve("val.csv"), 120, 22, false), 2);
    }

    private static DigitTrainer.Builder adam() {
        return DigitTrainer.builder().optimizer("adam").lr(0.01).seed(4).logEvery(1);
    }

    private static Parameters train(TrainingSpec spec) {
        return SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 6), spec).parameters();
    }

    @Test
    void theAveragedWeightsAreTheHandComputedAverageOfTheSteps() {
        int steps = 5;
        double decay = 0.5;
        // θ_t: the weights after t full-batch steps (a constant rate: the first t steps of every run are the same)
        double[][] theta = new double[steps + 1][];
        theta[0] = Initializer.HE.initialize(SHAPE, 6).values();
        for (int t = 1; t <= steps; t++) {
            theta[t] = train(adam().iterations(t).build().spec()).values();
        }
        double[] averaged = train(adam().iterations(steps).ema(decay).build().spec()).values();
        // ē_T = Σ_t w_t θ_t with w_0 = Π d_s, w_t = (1 - d_t) Π_{s>t} d_s, d_t = min(decay, (1+t)/(10+t))
        double[] expected = new double[theta[0].length];
        for (int t = 0; t <= steps; t++) {
            double w = t == 0 ? 1 : 1 - Math.min(decay, (1.0 + t) / (10.0 + t));
            for (int s = t + 1; s <= steps; s++) {
                w *= Math.min(decay, (1.0 + s) / (10.0 + s));
            }
            for (int i = 0; i < expected.length; i++) {
                expected[i] += w * theta[t][i];
            }
        }
        assertTrue(maxRelativeDifference(expected, averaged) <= 1e-12, "rel " + maxRelativeDifference(expected, averaged));
        assertTrue(maxRelativeDifference(theta[steps], averaged) > 1e-3, "the average is not the last weights");
    }

    @Test
    void evaluationsUseTheAverageAndTheTrainingLossTheWeights() {
        SparkTrainer.Monitor monitor = w -> SparkPasses.evaluate(validation.blocks(), w, Activation.RELU);
        SparkTrainer.Monitors monitors = new SparkTrainer.Monitors(monitor, null, "", TrainingEvents.NONE);
        TrainingSpec raw = adam().batchSize(50).epochs(3).dropout(0.2).evalEvery(4).build().spec();
        TrainingSpec averaged = adam().batchSize(50).epochs(3).dropout(0.2).evalEvery(4).ema(0.9).build().spec();
        SparkTrainer.Result r = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 6), raw, monitors);
        SparkTrainer.Result a = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 6), averaged,
                monitors);
        assertEquals(r.history().size(), a.history().size());
        for (int i = 0; i < r.history().size(); i++) {
            assertEquals(r.history().get(i).loss(), a.history().get(i).loss(), 0.0, "the same steps, the same training loss");
        }
        HistoryRow last = a.history().get(a.history().size() - 1);
        assertEquals(monitor.evaluate(a.parameters()).meanLoss(), last.valLoss(), 0.0,
                "the last evaluation is of the weights returned: the average");
        assertFalse(Arrays.equals(r.parameters().values(), a.parameters().values()));
        assertTrue(r.history().stream().anyMatch(h -> !Double.isNaN(h.valLoss())
                && h.valLoss() != a.history().get(r.history().indexOf(h)).valLoss()), "the evaluations differ");
        // a rerun is bit-identical
        double[] again = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 6), averaged, monitors)
                .parameters().values();
        assertTrue(Arrays.equals(a.parameters().values(), again));
    }

    @Test
    void theSmoothedLossReachesTheTasks() {
        TrainingSpec s = adam().iterations(1).labelSmoothing(0.2).build().spec();
        SparkTrainer.Result r = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 6), s);
        Parameters initial = Initializer.HE.initialize(SHAPE, 6);
        GradientSum local = new GradientSum(SHAPE);
        ReferenceKernel net = new ReferenceKernel(initial);
        List<DigitBlock> blocks = data.blocks().collect();
        for (DigitBlock b : blocks) {
            net.accumulateGradient(b, null, 0, b.rows(), local, Dropout.NONE, new LabelSmoothing(0.2));
        }
        assertEquals(local.meanLoss(), r.history().get(0).loss(), 1e-12 * local.meanLoss());
        GradientSum plain = new GradientSum(SHAPE);
        for (DigitBlock b : blocks) {
            net.accumulateGradient(b, plain);
        }
        assertTrue(Math.abs(plain.meanLoss() - r.history().get(0).loss()) > 1e-6, "the loss is the smoothed one");
    }

    @Test
    void theNewSettingsAreCheckedWithTheirOptionsMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam().ema(1).build());
        assertEquals("--ema must be in [0, 1), got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> adam().labelSmoothing(-0.1).build());
        assertEquals("--label-smoothing must be in [0, 1), got -0.1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> adam().optimizer("lbfgs").ema(0.9).build());
        assertTrue(e.getMessage().startsWith("--ema averages the steps of sgd"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> adam().elasticScale("simard").build());
        assertEquals("--elastic-scale sets the distortions of --augment-on-the-fly: give that too", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> adam().augmentOnTheFly(true).batchSize(10).elasticScale("max")
                .build());
        assertEquals("--elastic-scale: unknown elastic scale 'max' (peak or simard)", e.getMessage());
    }
}
