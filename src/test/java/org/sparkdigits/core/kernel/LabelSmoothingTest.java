package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdigits.testing.Numbers.maxRelativeDifference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.testing.SyntheticDigits;

/** {@code --label-smoothing}: the smoothed loss and its gradient in every kernel, against hand sums and finite differences. */
class LabelSmoothingTest {

    private static final LabelSmoothing TENTH = new LabelSmoothing(0.1);

    @Test
    void theLossIsTheCrossEntropyAgainstTheSmoothedTargets() {
        double[] z = {2.0, -1.0, 0.5, 3.0};
        double[] p = new double[4];
        double total = 0;
        for (int c = 0; c < 4; c++) {
            total += Math.exp(z[c]);
        }
        double expected = 0;
        for (int c = 0; c < 4; c++) {
            p[c] = Math.exp(z[c]) / total;
            double t = (c == 2 ? 0.9 : 0) + 0.1 / 4;
            expected -= t * Math.log(p[c]);
        }
        double[] work = z.clone();
        assertEquals(expected, TENTH.softmaxLoss(work, 0, 4, 2), 1e-14);
        assertArrayEquals(p, work, 1e-15);
        TENTH.subtractTargets(work, 0, 4, 2);
        for (int c = 0; c < 4; c++) {
            assertEquals(p[c] - TENTH.target(c, 2, 4), work[c], 1e-15);
        }
        double sum = 0;
        for (int c = 0; c < 4; c++) {
            sum += TENTH.target(c, 2, 4);
        }
        assertEquals(1.0, sum, 1e-15, "the targets are a distribution");
    }

    @Test
    void withoutSmoothingTheArithmeticIsThePlainOneHot() {
        DigitBlock block = SyntheticDigits.block(90, 784, 10, 4);
        Parameters p = Initializer.HE.initialize(NetworkShape.mnist(24), 2);
        for (KernelKind kind : new KernelKind[] {KernelKind.SIMD, KernelKind.OJALGO}) {
            GradientSum plain = new GradientSum(p.shape());
            kind.create(p, Activation.RELU).accumulateGradient(block, null, 0, block.rows(), plain, Dropout.NONE);
            GradientSum none = new GradientSum(p.shape());
            kind.create(p, Activation.RELU).accumulateGradient(block, null, 0, block.rows(), none, Dropout.NONE,
                    new LabelSmoothing(0));
            assertArrayEquals(plain.gradient(), none.gradient(), 0.0, kind.id());
            assertEquals(plain.loss(), none.loss(), 0.0, kind.id());
        }
    }

    @ParameterizedTest
    @EnumSource(value = KernelKind.class, names = {"OJALGO", "SIMD", "SPARSE"})
    void finiteDifferencesOfTheSmoothedLossMatchBackprop(KernelKind kind) {
        for (Activation a : Activation.values()) {
            for (Dropout d : new Dropout[] {Dropout.NONE, new Dropout(0.3, 11)}) {
                GradientCheck.Result r = GradientCheck.small(a, kind, d, new LabelSmoothing(0.2), 7);
                assertTrue(r.maxRelativeError() < 1e-6, kind.id() + " " + a.id() + " dropout " + d.rate() + ": "
                        + r.worstName() + " rel " + r.maxRelativeError());
            }
        }
    }

    @Test
    void aWrongTargetFailsTheFiniteDifferenceCheck() {
        // the analytic gradient of one-hot targets against the differences of the smoothed loss: the check must see it
        DigitBlock block = SyntheticDigits.block(16, 20, 10, 3);
        Parameters p = Initializer.SEED.initialize(GradientCheck.SMALL, 5);
        GradientSum plain = new GradientSum(p.shape());
        KernelKind.SIMD.create(p, Activation.RELU).accumulateGradient(block, plain);
        GradientCheck.Result r = GradientCheck.compare(plain.meanGradient(), p,
                q -> GradientCheck.smoothedMeanLoss(q, Activation.RELU, KernelKind.SIMD, new LabelSmoothing(0.2), block),
                GradientCheck.DEFAULT_STEP);
        assertTrue(r.maxRelativeError() > 1e-2, "worst rel " + r.maxRelativeError());
    }

    @Test
    void theOutputBiasGradientMovesByEpsilonTimesTheLabelCountsLessTheUniformShare() {
        // dz changes by ε(e_y - 1/K) per row, so db2 changes by ε(n_c - n/K): exact, whatever the weights
        int rows = 200;
        DigitBlock block = SyntheticDigits.block(rows, 784, 10, 9);
        Parameters p = Initializer.HE.initialize(NetworkShape.mnist(32), 3);
        int[] count = new int[10];
        for (int i = 0; i < rows; i++) {
            count[block.label(i)]++;
        }
        for (KernelKind kind : new KernelKind[] {KernelKind.SIMD, KernelKind.FLOAT, KernelKind.SPARSE, KernelKind.OJALGO}) {
            GradientSum plain = new GradientSum(p.shape());
            kind.create(p, Activation.RELU).accumulateGradient(block, plain);
            GradientSum smoothed = new GradientSum(p.shape());
            kind.create(p, Activation.RELU).accumulateGradient(block, null, 0, rows, smoothed, Dropout.NONE, TENTH);
            int b2 = p.shape().b2Offset();
            for (int c = 0; c < 10; c++) {
                double moved = smoothed.gradient()[b2 + c] - plain.gradient()[b2 + c];
                assertEquals(0.1 * (count[c] - rows / 10.0), moved, 1e-9, kind.id() + " class " + c);
            }
            double byHand = GradientCheck.smoothedMeanLoss(p, Activation.RELU, KernelKind.OJALGO, TENTH, block) * rows;
            double tolerance = kind == KernelKind.FLOAT ? 1e-6 : 1e-12;
            assertEquals(byHand, smoothed.loss(), Math.abs(byHand) * tolerance, kind.id() + ": the summed smoothed loss");
            assertEquals(plain.correct(), smoothed.correct(), kind.id());
        }
    }

    @Test
    void theFastKernelsAgreeWithTheReferenceOnTheSmoothedSums() {
        DigitBlock block = SyntheticDigits.block(300, 784, 10, 12);
        Parameters p = Initializer.HE.initialize(NetworkShape.mnist(40), 8);
        Dropout masks = new Dropout(0.25, 5);
        GradientSum reference = new GradientSum(p.shape());
        KernelKind.OJALGO.create(p, Activation.RELU).accumulateGradient(block, null, 0, 300, reference, masks, TENTH);
        for (KernelKind kind : new KernelKind[] {KernelKind.SIMD, KernelKind.SPARSE, KernelKind.FLOAT}) {
            GradientSum fast = new GradientSum(p.shape());
            kind.create(p, Activation.RELU).accumulateGradient(block, null, 0, 300, fast, masks, TENTH);
            double tolerance = kind == KernelKind.FLOAT ? 1e-6 : 1e-12;
            assertTrue(maxRelativeDifference(reference.gradient(), fast.gradient()) <= tolerance, kind.id());
            assertEquals(reference.loss(), fast.loss(), Math.abs(reference.loss()) * tolerance, kind.id());
        }
    }

    @Test
    void refusesEpsilonOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new LabelSmoothing(1));
        assertThrows(IllegalArgumentException.class, () -> new LabelSmoothing(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new LabelSmoothing(Double.NaN));
    }
}
