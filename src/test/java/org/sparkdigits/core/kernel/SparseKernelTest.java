package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.testing.SyntheticDigits;
import org.sparkdigits.testing.TestCsv;

/**
 * The fast kernels against the ojAlgo reference: the same sums to 1e-12 relative, per tensor; the Vector API
 * loops bit-identical to the plain ones.
 */
class SparseKernelTest {

    private static final double TOLERANCE = 1e-12;

    @ParameterizedTest(name = "H={0} {1} init={2}")
    @CsvSource({
            "1, relu, he", "3, relu, seed", "10, relu, he", "10, relu, seed", "10, sigmoid, xavier",
            "20, relu, he", "37, relu, he", "128, relu, he", "128, sigmoid, xavier", "300, relu, he"})
    void gradientEqualsTheReference(int hidden, String activation, String init) {
        NetworkShape shape = NetworkShape.mnist(hidden);
        Activation act = Activation.parse(activation);
        Parameters p = Initializer.parse(init).initialize(shape, hidden);
        DigitBlock block = SyntheticDigits.block(700, 784, 10, 40 + hidden);
        GradientSum reference = kernelSum(KernelKind.OJALGO, p, act, block, null, 0, block.rows());
        GradientSum plain = kernelSum(KernelKind.SPARSE, p, act, block, null, 0, block.rows());
        assertSameSums(shape, reference, plain);
        assertBitIdentical(plain, kernelSum(KernelKind.SIMD, p, act, block, null, 0, block.rows()));
    }

    @Test
    void theVectorApiIsPresentInTheTestJvm() {
        // surefire runs with Spark's JVM flags, like submit.sh: the default kernel must really be the SIMD one
        assertTrue(KernelKind.simdAvailable(), "jdk.incubator.vector missing: --add-modules=jdk.incubator.vector not passed");
    }

    @Test
    void permutedSlicesEqualTheReference() {
        NetworkShape shape = NetworkShape.mnist(10);
        Parameters p = Initializer.HE.initialize(shape, 3);
        DigitBlock block = SyntheticDigits.block(500, 784, 10, 5);
        int[] order = BatchPlan.permutation(block.rows(), 7, 2, 1);
        for (int[] range : new int[][] {{0, 1}, {17, 83}, {250, 500}, {499, 500}}) {
            GradientSum plain = kernelSum(KernelKind.SPARSE, p, Activation.RELU, block, order, range[0], range[1]);
            assertSameSums(shape, kernelSum(KernelKind.OJALGO, p, Activation.RELU, block, order, range[0], range[1]), plain);
            assertBitIdentical(plain, kernelSum(KernelKind.SIMD, p, Activation.RELU, block, order, range[0], range[1]));
        }
        GradientSum none = kernelSum(KernelKind.SPARSE, p, Activation.RELU, block, order, 9, 9);
        assertEquals(0, none.count());
        assertEquals(0.0, java.util.Arrays.stream(none.gradient()).map(Math::abs).max().orElseThrow());
    }

    /** Few and many active units: whole vectors of dZ1 that are zero are skipped by the Vector API loops. */
    @ParameterizedTest(name = "bias {0}")
    @CsvSource({"-3.0", "-0.2", "0.0", "3.0"})
    void fewOrManyActiveUnits(double bias) {
        NetworkShape shape = NetworkShape.mnist(16);
        Parameters p = Initializer.HE.initialize(shape, 8);
        for (int u = 0; u < shape.hidden(); u++) {
            p.values()[shape.b1Offset() + u] = bias * (u % 3);
        }
        DigitBlock block = SyntheticDigits.block(300, 784, 10, 9);
        for (KernelKind k : new KernelKind[] {KernelKind.SPARSE, KernelKind.SIMD}) {
            assertSameSums(shape, kernelSum(KernelKind.OJALGO, p, Activation.RELU, block, null, 0, block.rows()),
                    kernelSum(k, p, Activation.RELU, block, null, 0, block.rows()));
        }
    }

    @Test
    void blankRowsAndAllInkRows() {
        NetworkShape shape = NetworkShape.mnist(12);
        Parameters p = Initializer.HE.initialize(shape, 4);
        byte[] px = new byte[3 * 784];
        java.util.Arrays.fill(px, 784, 2 * 784, (byte) 255);          // row 1: every pixel 255
        new SplittableRandom(1).ints(784, 0, 256).forEach(new java.util.function.IntConsumer() {
            int j;

            @Override
            public void accept(int v) {
                px[2 * 784 + j++] = (byte) v;                      // row 2: dense random
            }
        });
        DigitBlock block = new DigitBlock(3, 784, new byte[] {4, 7, 1}, px);   // row 0: blank
        assertEquals(784 + block.sparse().start()[3] - block.sparse().start()[2], block.sparse().nonZero());
        for (KernelKind k : new KernelKind[] {KernelKind.SPARSE, KernelKind.SIMD}) {
            assertSameSums(shape, kernelSum(KernelKind.OJALGO, p, Activation.RELU, block, null, 0, 3),
                    kernelSum(k, p, Activation.RELU, block, null, 0, 3));
        }
    }

    @Test
    void evaluationAndPredictionsEqualTheReference() {
        NetworkShape shape = NetworkShape.mnist(24);
        Parameters p = Initializer.HE.initialize(shape, 12);
        DigitBlock block = SyntheticDigits.block(400, 784, 10, 13);
        Evaluation reference = new Evaluation(10);
        KernelKind.OJALGO.create(p, Activation.RELU).evaluate(block, reference);
        Evaluation fast = new Evaluation(10);
        KernelKind.SIMD.create(p, Activation.RELU).evaluate(block, fast);
        assertEquals(reference.accuracy(), fast.accuracy());
        assertEquals(reference.meanLoss(), fast.meanLoss(), TOLERANCE * reference.meanLoss());

        byte[] predictedRef = new byte[400];
        double[] probRef = new double[4000];
        KernelKind.OJALGO.create(p, Activation.RELU).predict(block, predictedRef, probRef);
        byte[] predicted = new byte[400];
        double[] prob = new double[4000];
        KernelKind.SIMD.create(p, Activation.RELU).predict(block, predicted, prob);
        assertArrayEquals(predictedRef, predicted);
        assertArrayEquals(probRef, prob, 1e-14);
    }

    @Test
    void gradientCheckOfTheFastKernel() {
        NetworkShape small = new NetworkShape(6, 4, 3);
        DigitBlock rows = SyntheticDigits.block(20, 6, 3, 2);
        for (KernelKind k : new KernelKind[] {KernelKind.SPARSE, KernelKind.SIMD}) {
            for (Activation a : Activation.values()) {
                GradientCheck.Result r = GradientCheck.check(Initializer.SEED.initialize(small, 3), a, k, rows,
                        GradientCheck.DEFAULT_STEP);
                assertTrue(r.maxRelativeError() < 1e-6, k + " " + a + ": " + r);
            }
        }
    }

    /** The real MNIST: its first 3000 rows, at 10 and 128 hidden units. */
    @ParameterizedTest(name = "real MNIST, H={0}")
    @CsvSource({"10", "128"})
    void realMnistRowsEqualTheReference(int hidden) {
        DigitBlock block = InputFiles.firstRows(TestCsv.mnist("mnist_train.csv.gz").toString(), 3000);
        assertEquals(3000, block.rows());
        NetworkShape shape = NetworkShape.mnist(hidden);
        Parameters p = Initializer.HE.initialize(shape, 21);
        GradientSum plain = kernelSum(KernelKind.SPARSE, p, Activation.RELU, block, null, 0, 3000);
        assertSameSums(shape, kernelSum(KernelKind.OJALGO, p, Activation.RELU, block, null, 0, 3000), plain);
        assertBitIdentical(plain, kernelSum(KernelKind.SIMD, p, Activation.RELU, block, null, 0, 3000));
        double zeros = 1.0 - (double) block.sparse().nonZero() / block.pixels().length;
        assertTrue(zeros > 0.75 && zeros < 0.87, "MNIST is ~81% zero pixels, got " + zeros);
    }

    @Test
    void refusesUnlabelledBlocksAndWrongWidths() {
        Parameters p = Initializer.HE.initialize(NetworkShape.mnist(4), 1);
        Kernel k = KernelKind.SIMD.create(p, Activation.RELU);
        DigitBlock unlabelled = new DigitBlock(2, 784, null, new byte[2 * 784]);
        assertThrows(IllegalArgumentException.class, () -> k.accumulateGradient(unlabelled, new GradientSum(p.shape())));
        DigitBlock narrow = new DigitBlock(2, 783, new byte[2], new byte[2 * 783]);
        assertThrows(IllegalArgumentException.class, () -> k.evaluate(narrow, new Evaluation(10)));
    }

    private static GradientSum kernelSum(KernelKind kernel, Parameters p, Activation a, DigitBlock block, int[] order,
                                         int from, int to) {
        GradientSum sum = new GradientSum(p.shape());
        kernel.create(p, a).accumulateGradient(block, order, from, to, sum);
        return sum;
    }

    /** The plain and the Vector API loops: the same additions in the same order (zeros' signs aside). */
    static void assertBitIdentical(GradientSum expected, GradientSum actual) {
        assertEquals(expected.count(), actual.count());
        assertEquals(expected.correct(), actual.correct());
        assertEquals(expected.loss(), actual.loss(), 0.0);
        assertArrayEquals(expected.gradient(), actual.gradient(), 0.0);
    }

    /** Counts equal; loss and every tensor (W1, b1, W2, b2) equal to 1e-12 of that tensor's largest entry. */
    static void assertSameSums(NetworkShape shape, GradientSum expected, GradientSum actual) {
        assertEquals(expected.count(), actual.count());
        assertEquals(expected.correct(), actual.correct());
        assertEquals(expected.loss(), actual.loss(), TOLERANCE * Math.abs(expected.loss()));
        int[][] tensors = {
                {shape.w1Offset(), shape.b1Offset()}, {shape.b1Offset(), shape.w2Offset()},
                {shape.w2Offset(), shape.b2Offset()}, {shape.b2Offset(), shape.parameterCount()}};
        String[] names = {"W1", "b1", "W2", "b2"};
        for (int t = 0; t < 4; t++) {
            double scale = 0;
            double diff = 0;
            for (int i = tensors[t][0]; i < tensors[t][1]; i++) {
                scale = Math.max(scale, Math.abs(expected.gradient()[i]));
                diff = Math.max(diff, Math.abs(expected.gradient()[i] - actual.gradient()[i]));
            }
            assertTrue(diff <= TOLERANCE * scale, names[t] + ": difference " + diff + " at scale " + scale);
        }
    }
}
