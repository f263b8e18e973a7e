package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.loss.Regularization;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.testing.SyntheticDigits;

/**
 * {@link LocalSgd} (a task's local steps in the kernel's layout) against the loop it replaced, written out here: per
 * step a new kernel from the flat weights, a dense {@link GradientSum}, its mean, {@link Regularization#addL2} and
 * {@code θ -= η·mean}. The weights must be the same bits, step after step, for each fast kernel, with and without L2
 * (which decides whether the rows of pixels no row has are skipped), dropout, label smoothing, one block or several per
 * step (the kernel's gradient read in place, or drained into a sum first) and an empty slice.
 */
class LocalSgdTest {

    private static final int ROWS = 240;

    @ParameterizedTest(name = "{0} H={1} l2={2} blocks={3} dropout={4}")
    @CsvSource({
            "FLOAT, 37, 0, 1, 0", "FLOAT, 37, 0.01, 1, 0", "FLOAT, 128, 0, 3, 0.3", "FLOAT, 128, 0.01, 3, 0",
            "SIMD, 37, 0, 1, 0.3", "SIMD, 64, 0.01, 3, 0", "SIMD, 64, 0, 3, 0",
            "SPARSE, 20, 0, 1, 0", "SPARSE, 20, 0.01, 3, 0.3"})
    void stepsAreTheBitsOfTheFlatLoop(KernelKind kind, int hidden, double l2, int blocks, double dropout) {
        NetworkShape shape = NetworkShape.mnist(hidden);
        Parameters start = Initializer.HE.initialize(shape, hidden);
        DigitBlock[] data = SyntheticDigits.split(windowedDigits(ROWS * blocks, 5 + hidden), blocks);
        int[][] orders = new int[blocks][];
        for (int b = 0; b < blocks; b++) {
            orders[b] = BatchPlan.permutation(data[b].rows(), 3, 0, b);
        }
        LabelSmoothing smoothing = hidden % 2 == 0 ? LabelSmoothing.NONE : new LabelSmoothing(0.1);
        double[] theta = start.values().clone();
        LocalSgd sgd = new LocalSgd(start, kind, Activation.RELU);
        long rows = 0;
        double loss = 0;
        for (int step = 0; step < 12; step++) {
            double rate = 0.05 + 0.01 * step;
            Dropout masks = Dropout.forStep(dropout, 9, step);
            Kernel net = kind.create(new Parameters(shape, theta), Activation.RELU);
            GradientSum g = new GradientSum(shape);
            for (int b = 0; b < blocks; b++) {
                // 7 rows a step from each block; block 0 has none at step 5
                int from = step * 7;
                int to = step == 5 && b == 0 && blocks > 1 ? from : from + 7;
                net.accumulateGradient(data[b], orders[b], from, to, g, masks, smoothing);
                sgd.add(data[b], orders[b], from, to, masks, smoothing);
            }
            double[] mean = g.meanGradient();
            Regularization.addL2(theta, mean, shape, l2);
            for (int i = 0; i < theta.length; i++) {
                theta[i] -= rate * mean[i];
            }
            sgd.step(rate, l2);
            rows += g.count();
            loss += g.loss();
            assertArrayEquals(theta, sgd.parameters().values(), 0.0, "after step " + step);
        }
        assertFalse(Arrays.equals(start.values(), theta), "the steps changed the weights");
        assertEquals(rows, sgd.rows());
        assertEquals(loss, sgd.loss(), 0.0);
    }

    @Test
    void aStepWithoutRowsChangesNothing() {
        NetworkShape shape = NetworkShape.mnist(16);
        Parameters start = Initializer.HE.initialize(shape, 1);
        LocalSgd sgd = new LocalSgd(start, KernelKind.FLOAT, Activation.RELU);
        sgd.add(windowedDigits(10, 2), null, 4, 4, Dropout.NONE, LabelSmoothing.NONE);
        sgd.step(0.1, 0.01);
        assertArrayEquals(start.values(), sgd.parameters().values(), 0.0);
        assertEquals(0, sgd.rows());
    }

    @Test
    void theReferenceKernelHasNoLayoutToStepIn() {
        Parameters p = Initializer.HE.initialize(NetworkShape.mnist(4), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LocalSgd(p, KernelKind.OJALGO, Activation.RELU));
        assertEquals("local SGD needs a kernel with its own layout, not OJALGO", e.getMessage());
    }

    /** Rows whose ink lies in a 9 x 9 window of the 28 x 28 image (placed at random), so a few rows leave most pixels blank. */
    private static DigitBlock windowedDigits(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[rows * 784];
        byte[] labels = new byte[rows];
        for (int i = 0; i < rows; i++) {
            int label = r.nextInt(10);
            labels[i] = (byte) label;
            int top = r.nextInt(20);
            int left = (label * 2 + r.nextInt(3)) % 20;
            for (int y = top; y < top + 9; y++) {
                for (int x = left; x < left + 9; x++) {
                    if (r.nextInt(3) > 0) {
                        px[i * 784 + y * 28 + x] = (byte) (1 + r.nextInt(255));
                    }
                }
            }
        }
        return new DigitBlock(rows, 784, labels, px);
    }
}
