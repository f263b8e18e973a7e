package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.testing.SyntheticDigits;
import org.sparkdigits.testing.TestCsv;

/**
 * The float kernel ({@link KernelKind#FLOAT}) against the double ojAlgo reference: the same counts, and the loss
 * and every tensor to {@value #TOLERANCE} of that tensor's largest entry (single precision carries 6e-8 per
 * operation; the first layer's sums run over ~150 pixels and up to {@value SparseKernel#FLUSH_CHUNKS} chunks of
 * rows before they reach double).
 */
class FloatKernelTest {

    /** The stated tolerance of the float kernel. */
    static final double TOLERANCE = 1e-6;

    @ParameterizedTest(name = "H={0} {1}")
    @CsvSource({"1, relu", "10, relu", "16, relu", "17, relu", "33, relu", "64, relu", "128, relu", "300, relu",
            "10, sigmoid", "128, sigmoid"})
    void gradientAgreesWithTheReference(int hidden, String activation) {
        NetworkShape shape = NetworkShape.mnist(hidden);
        Activation act = Activation.parse(activation);
        Parameters p = (act == Activation.RELU ? Initializer.HE : Initializer.XAVIER).initialize(shape, hidden);
        DigitBlock block = SyntheticDigits.block(700, 784, 10, 80 + hidden);
        assertAgrees(shape, sum(KernelKind.OJALGO, p, act, block, null, 0, 700, Dropout.NONE),
                sum(KernelKind.FLOAT, p, act, block, null, 0, 700, Dropout.NONE));
    }

    @Test
    void permutedSlicesAndDropoutAgreeToo() {
        NetworkShape shape = NetworkShape.mnist(40);
        Parameters p = Initializer.HE.initialize(shape, 2);
        DigitBlock block = SyntheticDigits.block(500, 784, 10, 6);
        int[] order = BatchPlan.permutation(block.rows(), 7, 2, 1);
        Dropout d = Dropout.forStep(0.5, 1, 4);
        for (int[] range : new int[][] {{0, 1}, {17, 83}, {250, 500}}) {
            assertAgrees(shape, sum(KernelKind.OJALGO, p, Activation.RELU, block, order, range[0], range[1], d),
                    sum(KernelKind.FLOAT, p, Activation.RELU, block, order, range[0], range[1], d));
        }
    }

    @ParameterizedTest(name = "real MNIST, H={0}")
    @CsvSource({"10", "128"})
    void realMnistRowsAgree(int hidden) {
        DigitBlock block = InputFiles.firstRows(TestCsv.mnist("mnist_train.csv.gz").toString(), 3000);
        NetworkShape shape = NetworkShape.mnist(hidden);
        Parameters p = Initializer.HE.initialize(shape, 21);
        GradientSum reference = sum(KernelKind.OJALGO, p, Activation.RELU, block, null, 0, 3000, Dropout.NONE);
        GradientSum single = sum(KernelKind.FLOAT, p, Activation.RELU, block, null, 0, 3000, Dropout.NONE);
        assertAgrees(shape, reference, single);
        // and predictions: the same classes for (nearly) every row
        byte[] a = new byte[3000];
        byte[] b = new byte[3000];
        KernelKind.OJALGO.create(p, Activation.RELU).predict(block, a, null);
        KernelKind.FLOAT.create(p, Activation.RELU).predict(block, b, null);
        int differ = 0;
        for (int i = 0; i < 3000; i++) {
            differ += a[i] != b[i] ? 1 : 0;
        }
        assertTrue(differ <= 1, differ + " of 3000 predictions differ");
    }

    @Test
    void theFloatKernelReallyRoundsToFloat() {
        // a test that could fail: were FLOAT the double kernel, it would agree to 1e-12, not merely 1e-6
        NetworkShape shape = NetworkShape.mnist(64);
        Parameters p = Initializer.HE.initialize(shape, 3);
        DigitBlock block = SyntheticDigits.block(300, 784, 10, 3);
        GradientSum reference = sum(KernelKind.SIMD, p, Activation.RELU, block, null, 0, 300, Dropout.NONE);
        GradientSum single = sum(KernelKind.FLOAT, p, Activation.RELU, block, null, 0, 300, Dropout.NONE);
        double worst = maxTensorError(shape, reference, single);
        assertTrue(worst > 1e-10 && worst <= TOLERANCE, "float against double: " + worst);
    }

    private static GradientSum sum(KernelKind kernel, Parameters p, Activation a, DigitBlock block, int[] order, int from,
                                   int to, Dropout d) {
        GradientSum s = new GradientSum(p.shape());
        kernel.create(p, a).accumulateGradient(block, order, from, to, s, d);
        return s;
    }

    private static void assertAgrees(NetworkShape shape, GradientSum expected, GradientSum actual) {
        assertEquals(expected.count(), actual.count());
        assertEquals(expected.loss(), actual.loss(), TOLERANCE * Math.abs(expected.loss()));
        assertTrue(Math.abs(expected.correct() - actual.correct()) <= Math.max(1, expected.count() / 1000),
                "correct " + expected.correct() + " vs " + actual.correct());
        double worst = maxTensorError(shape, expected, actual);
        System.out.printf("float kernel, H=%d: largest difference %.2e of the tensor's scale%n", shape.hidden(), worst);
        assertTrue(worst <= TOLERANCE, "largest difference " + worst + " of the tensor's scale");
    }

    /** Largest {@code |a - b| / max|a|} over the four tensors W1, b1, W2, b2. */
    private static double maxTensorError(NetworkShape shape, GradientSum expected, GradientSum actual) {
        int[][] tensors = {
                {shape.w1Offset(), shape.b1Offset()}, {shape.b1Offset(), shape.w2Offset()},
                {shape.w2Offset(), shape.b2Offset()}, {shape.b2Offset(), shape.parameterCount()}};
        double worst = 0;
        for (int[] t : tensors) {
            double scale = 0;
            double diff = 0;
            for (int i = t[0]; i < t[1]; i++) {
                scale = Math.max(scale, Math.abs(expected.gradient()[i]));
                diff = Math.max(diff, Math.abs(expected.gradient()[i] - actual.gradient()[i]));
            }
            worst = Math.max(worst, scale == 0 ? diff : diff / scale);
        }
        return worst;
    }
}
