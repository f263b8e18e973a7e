package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdigits.testing.Numbers.maxRelativeDifference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.loss.Softmax;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.testing.SyntheticDigits;

class ReferenceKernelTest {

    private static final NetworkShape SHAPE = NetworkShape.mnist(10);


    @ParameterizedTest(name = "{0} blocks")
    @ValueSource(ints = {1, 3, 7})
    void blocksSumToTheFullBatchGradient(int parts) {
        DigitBlock all = SyntheticDigits.block(1000, 784, 10, 11);
        Parameters p = Initializer.HE.initialize(SHAPE, 5);
        GradientSum full = new GradientSum(SHAPE);
        new ReferenceKernel(p).accumulateGradient(all, full);

        GradientSum summed = new GradientSum(SHAPE);
        for (DigitBlock b : SyntheticDigits.split(all, parts)) {
            GradientSum part = new GradientSum(SHAPE);
            new ReferenceKernel(p).accumulateGradient(b, part);
            summed.add(part);
        }
        assertEquals(full.count(), summed.count());
        assertEquals(full.correct(), summed.correct());
        assertEquals(full.loss(), summed.loss(), 1e-12 * Math.abs(full.loss()));
        double rel = maxRelativeDifference(full.gradient(), summed.gradient());
        assertTrue(rel <= 1e-12, "relative difference " + rel);
        assertTrue(full.count() == 1000 && rel >= 0);
    }

    @ParameterizedTest(name = "chunk {0}")
    @ValueSource(ints = {1, 7, 64, 128, 5000})
    void chunkSizeDoesNotChangeTheGradient(int chunk) {
        DigitBlock all = SyntheticDigits.block(300, 784, 10, 12);
        Parameters p = Initializer.HE.initialize(SHAPE, 6);
        GradientSum reference = new GradientSum(SHAPE);
        new ReferenceKernel(p, 300).accumulateGradient(all, reference);
        GradientSum chunked = new GradientSum(SHAPE);
        new ReferenceKernel(p, chunk).accumulateGradient(all, chunked);
        assertTrue(maxRelativeDifference(reference.gradient(), chunked.gradient()) <= 1e-12);
    }

    @Test
    void biasGradientsArePerUnitNotOneScalar() {
        DigitBlock all = SyntheticDigits.block(200, 784, 10, 13);
        Parameters p = Initializer.HE.initialize(SHAPE, 1);
        GradientSum g = new GradientSum(SHAPE);
        new ReferenceKernel(p).accumulateGradient(all, g);
        double[] grad = g.gradient();
        // db2 = sum over rows of (P - Y): its entries differ per class and sum to ~0 (softmax minus one-hot).
        double total = 0;
        boolean differ = false;
        for (int c = 0; c < 10; c++) {
            total += grad[SHAPE.b2Offset() + c];
            differ |= grad[SHAPE.b2Offset() + c] != grad[SHAPE.b2Offset()];
        }
        assertTrue(differ);
        assertEquals(0.0, total, 1e-9);
    }

    @Test
    void softmaxIsStableForHugeLogits() {
        double[] z = {1000, 1001, 1002};
        double loss = Softmax.softmaxInPlace(z, 0, 3, 2);
        assertTrue(Double.isFinite(loss));
        assertEquals(1.0, z[0] + z[1] + z[2], 1e-15);
        // log(e^-2 + e^-1 + 1)
        assertEquals(Math.log(Math.exp(-2) + Math.exp(-1) + 1), loss, 1e-12);
        double[] neg = {-1e4, 0, -1e4};
        assertEquals(0.0, Softmax.softmaxInPlace(neg, 0, 3, 1), 1e-12);
    }

    @Test
    void predictionAgreesWithEvaluation() {
        DigitBlock all = SyntheticDigits.block(257, 784, 10, 14);
        Parameters p = Initializer.HE.initialize(SHAPE, 2);
        ReferenceKernel net = new ReferenceKernel(p);
        byte[] predicted = new byte[all.rows()];
        double[] probabilities = new double[all.rows() * 10];
        net.predict(all, predicted, probabilities);
        Evaluation e = new Evaluation(10);
        net.evaluate(all, e);
        long right = 0;
        double loss = 0;
        for (int i = 0; i < all.rows(); i++) {
            right += predicted[i] == all.label(i) ? 1 : 0;
            loss -= Math.log(probabilities[i * 10 + all.label(i)]);
            double s = 0;
            for (int c = 0; c < 10; c++) {
                s += probabilities[i * 10 + c];
            }
            assertEquals(1.0, s, 1e-12);
        }
        assertEquals(right, e.correct());
        assertEquals(loss / all.rows(), e.meanLoss(), 1e-9);
    }

    @Test
    void gradientDescentIsDeterministicAndLowersTheLoss() {
        DigitBlock all = SyntheticDigits.block(500, 784, 10, 15);
        double[][] runs = new double[2][];
        double first = 0;
        double last = 0;
        for (int run = 0; run < 2; run++) {
            Parameters p = Initializer.HE.initialize(SHAPE, 42);
            Optimizer gd = new Optimizer.Sgd();
            for (int it = 0; it < 30; it++) {
                GradientSum g = new GradientSum(SHAPE);
                new ReferenceKernel(p).accumulateGradient(all, g);
                if (it == 0) {
                    first = g.meanLoss();
                }
                last = g.meanLoss();
                gd.step(p.values(), g.meanGradient(), 0.1);
            }
            runs[run] = p.values();
        }
        assertArrayEquals(runs[0], runs[1], 0.0);
        assertTrue(last < first, "loss " + first + " -> " + last);
    }

    @Test
    void initializersAreSeededAndScaled() {
        Parameters a = Initializer.HE.initialize(SHAPE, 1);
        assertEquals(a, Initializer.HE.initialize(SHAPE, 1));
        assertFalse(a.equals(Initializer.HE.initialize(SHAPE, 2)));
        double limit = Math.sqrt(6.0 / 784);
        for (int i = 0; i < SHAPE.b1Offset(); i++) {
            assertTrue(Math.abs(a.values()[i]) <= limit);
        }
        for (int i = SHAPE.b1Offset(); i < SHAPE.w2Offset(); i++) {
            assertEquals(0.0, a.values()[i]);
        }
        Parameters s = Initializer.SEED.initialize(SHAPE, 1);
        for (double v : s.values()) {
            assertTrue(v >= -0.5 && v < 0.5);
        }
        assertThrows(IllegalArgumentException.class, () -> Initializer.parse("xavier-ish"));
    }

    @Test
    void ojAlgoStartsNoThreadsOfItsOwn() {
        // Spark runs one task per core: the products must stay on the task's thread, also for shapes
        // large enough for ojAlgo's multi-threaded paths (both sides > 32).
        NetworkShape wide = NetworkShape.mnist(64);
        GradientSum g = new GradientSum(wide);
        new ReferenceKernel(Initializer.HE.initialize(wide, 1), 256).accumulateGradient(SyntheticDigits.block(512, 784, 10, 16), g);
        assertEquals(512, g.count());
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("ojAlgo")),
                "ojAlgo started worker threads");
    }

    @Test
    void rejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> new Parameters(SHAPE, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new DigitBlock(2, 784, new byte[2], new byte[10]));
        assertThrows(IllegalArgumentException.class, () -> NetworkShape.mnist(0));
        DigitBlock unlabelled = new DigitBlock(1, 784, null, new byte[784]);
        assertThrows(IllegalArgumentException.class,
                () -> new ReferenceKernel(Initializer.HE.initialize(SHAPE, 1)).accumulateGradient(unlabelled, new GradientSum(SHAPE)));
    }
}
