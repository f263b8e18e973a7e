package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.testing.SyntheticDigits;

/**
 * Hidden-layer dropout: the masks (rate, scale, determinism, independence from where a row is), the
 * kernels with masks against each other and against finite differences, and the data-parallel contract.
 */
class DropoutTest {

    @Test
    void theVectorMasksAreTheScalarMasksBitForBit() {
        for (double rate : new double[] {0.05, 0.3, 0.5, 0.9}) {
            for (int hidden : new int[] {1, 7, 8, 9, 31, 64, 100, 800}) {
                Dropout d = Dropout.forStep(rate, 11, hidden);
                for (long key = -3; key < 40; key++) {
                    long rowKey = key * 0x9E3779B97F4A7C15L;
                    double[] scalar = new double[hidden + 5];
                    double[] vector = new double[hidden + 5];
                    Arrays.fill(scalar, -1);
                    Arrays.fill(vector, -1);
                    d.fill(rowKey, scalar, 2, hidden);
                    VectorLoops.dropoutMask(d, rowKey, vector, 2, hidden);
                    assertArrayEquals(scalar, vector, "rate " + rate + ", hidden " + hidden + ", key " + rowKey);
                }
            }
        }
    }

    @Test
    void masksDropTheRateAndScaleTheRest() {
        Dropout d = Dropout.forStep(0.3, 5, 17);
        int hidden = 1000;
        double[] mask = new double[hidden];
        long dropped = 0;
        for (long row = 0; row < 200; row++) {
            d.fill(row * 7919, mask, 0, hidden);
            for (double m : mask) {
                if (m == 0) {
                    dropped++;
                } else {
                    assertEquals(1 / 0.7, m, 0.0);
                }
            }
        }
        // 200 000 Bernoulli(0.3) draws: the standard deviation of the fraction is 0.001
        assertEquals(0.3, dropped / 200_000.0, 0.005);
    }

    @Test
    void masksArePureFunctionsOfSeedStepRowAndUnit() {
        double[] a = new double[64];
        double[] b = new double[64];
        Dropout.forStep(0.5, 1, 3).fill(42, a, 0, 64);
        Dropout.forStep(0.5, 1, 3).fill(42, b, 0, 64);
        assertArrayEquals(a, b, 0.0);
        Dropout.forStep(0.5, 1, 4).fill(42, b, 0, 64);
        assertFalse(Arrays.equals(a, b), "another step draws another mask");
        Dropout.forStep(0.5, 2, 3).fill(42, b, 0, 64);
        assertFalse(Arrays.equals(a, b), "another seed draws another mask");
        Dropout.forStep(0.5, 1, 3).fill(43, b, 0, 64);
        assertFalse(Arrays.equals(a, b), "another row draws another mask");
        assertSame(Dropout.NONE, Dropout.forStep(0, 1, 3));
        assertFalse(Dropout.NONE.active());
    }

    @Test
    void refusesRatesOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN, 1));
    }

    @Test
    void rowKeysDependOnContentOnly() {
        DigitBlock block = SyntheticDigits.block(50, 784, 10, 11);
        DigitBlock tail = block.slice(20, 50);
        for (int i = 0; i < 30; i++) {
            assertEquals(block.rowKey(20 + i), tail.rowKey(i), "row " + i);
        }
        assertNotEquals(block.rowKey(0), block.rowKey(1));
        byte[] px = new byte[2 * 784];
        px[784 + 5] = 1;
        DigitBlock twoRows = new DigitBlock(2, 784, new byte[] {3, 3}, px);
        assertNotEquals(twoRows.rowKey(0), twoRows.rowKey(1), "one pixel differs");
        DigitBlock relabelled = new DigitBlock(2, 784, new byte[] {4, 3}, px.clone());
        assertNotEquals(twoRows.rowKey(0), relabelled.rowKey(0), "the label differs");
    }

    @ParameterizedTest(name = "H={0} {1}")
    @CsvSource({"3, relu", "10, relu", "37, relu", "128, relu", "10, sigmoid", "37, sigmoid"})
    void kernelsAgreeWithMasks(int hidden, String activation) {
        NetworkShape shape = NetworkShape.mnist(hidden);
        Activation act = Activation.parse(activation);
        Parameters p = (act == Activation.RELU ? Initializer.HE : Initializer.XAVIER).initialize(shape, hidden);
        DigitBlock block = SyntheticDigits.block(300, 784, 10, 60 + hidden);
        int[] order = BatchPlan.permutation(block.rows(), 3, 1, 0);
        Dropout d = Dropout.forStep(0.5, 9, 2);
        GradientSum reference = sum(KernelKind.OJALGO, p, act, block, order, 13, 290, d);
        GradientSum plain = sum(KernelKind.SPARSE, p, act, block, order, 13, 290, d);
        SparseKernelTest.assertSameSums(shape, reference, plain);
        SparseKernelTest.assertBitIdentical(plain, sum(KernelKind.SIMD, p, act, block, order, 13, 290, d));
        // and the masks matter: without them the sums differ
        GradientSum undropped = sum(KernelKind.SPARSE, p, act, block, order, 13, 290, Dropout.NONE);
        assertNotEquals(undropped.loss(), plain.loss());
    }

    @Test
    void rateZeroIsThePlainNetwork() {
        NetworkShape shape = NetworkShape.mnist(20);
        Parameters p = Initializer.HE.initialize(shape, 2);
        DigitBlock block = SyntheticDigits.block(100, 784, 10, 2);
        for (KernelKind k : KernelKind.values()) {
            GradientSum plain = new GradientSum(shape);
            k.create(p, Activation.RELU).accumulateGradient(block, plain);
            SparseKernelTest.assertBitIdentical(plain, sum(k, p, Activation.RELU, block, null, 0, 100, new Dropout(0, 77)));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ojalgo, relu", "sparse, relu", "simd, relu", "ojalgo, sigmoid", "simd, sigmoid"})
    void finiteDifferencesOfTheDroppedOutLoss(String kernel, String activation) {
        NetworkShape shape = new NetworkShape(12, 9, 4);
        Activation act = Activation.parse(activation);
        Parameters p = (act == Activation.RELU ? Initializer.HE : Initializer.XAVIER).initialize(shape, 4);
        DigitBlock block = SyntheticDigits.block(15, 12, 4, 8);
        GradientCheck.Result r = GradientCheck.check(p, act, KernelKind.parse(kernel), Dropout.forStep(0.4, 3, 0), block,
                GradientCheck.DEFAULT_STEP);
        assertTrue(r.maxRelativeError() < 1e-6, r.worstName() + ": analytic " + r.analytic() + " numeric "
                + r.numeric() + " rel " + r.maxRelativeError());
    }

    @Test
    void aWrongMaskFailsTheCheck() {
        // the gradient of one step's masks against the loss of another step's: must not pass
        NetworkShape shape = new NetworkShape(12, 9, 4);
        Parameters p = Initializer.HE.initialize(shape, 4);
        DigitBlock block = SyntheticDigits.block(15, 12, 4, 8);
        GradientSum g = sum(KernelKind.OJALGO, p, Activation.RELU, block, null, 0, 15, Dropout.forStep(0.4, 3, 0));
        Dropout other = Dropout.forStep(0.4, 3, 1);
        double worst = GradientCheck.compare(g.meanGradient(), p,
                q -> GradientCheck.meanLoss(q, Activation.RELU, KernelKind.OJALGO, other, LabelSmoothing.NONE, block), 1e-5).maxRelativeError();
        assertTrue(worst > 1e-2, "another step's masks should not pass, worst rel " + worst);
    }

    @Test
    void oneThreeAndSevenBlocksGiveTheFullBatchGradient() {
        NetworkShape shape = NetworkShape.mnist(24);
        Parameters p = Initializer.HE.initialize(shape, 6);
        DigitBlock all = SyntheticDigits.block(210, 784, 10, 12);
        Dropout d = Dropout.forStep(0.5, 4, 10);
        GradientSum full = sum(KernelKind.OJALGO, p, Activation.RELU, all, null, 0, all.rows(), d);
        for (int parts : new int[] {1, 3, 7}) {
            GradientSum combined = new GradientSum(shape);
            for (DigitBlock b : SyntheticDigits.split(all, parts)) {
                combined.add(sum(KernelKind.SIMD, p, Activation.RELU, b, null, 0, b.rows(), d));
            }
            SparseKernelTest.assertSameSums(shape, full, combined);
        }
    }

    private static GradientSum sum(KernelKind kernel, Parameters p, Activation a, DigitBlock block, int[] order, int from,
                                   int to, Dropout d) {
        GradientSum s = new GradientSum(p.shape());
        kernel.create(p, a).accumulateGradient(block, order, from, to, s, d);
        return s;
    }
}
