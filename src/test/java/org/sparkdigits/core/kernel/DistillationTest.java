package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdigits.testing.Numbers.maxRelativeDifference;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.DistilledTargets;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.loss.Targets;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.testing.SyntheticDigits;

/**
 * {@code --teacher}: the distilled loss and its gradient in every kernel, against finite differences, a hand sum, the
 * reference kernel, and self-distillation (a teacher equal to the student).
 */
class DistillationTest {

    private static final LabelSmoothing TENTH = new LabelSmoothing(0.1);

    private static Distillation of(double temperature, double weight, KernelKind kind, Parameters... teachers) {
        return new Distillation(java.util.Arrays.stream(teachers).map(t -> new Distillation.Teacher(t, Activation.RELU))
                .toList(), temperature, weight, kind);
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(value = KernelKind.class)
    void aTeacherEqualToTheStudentWithWeightOneLeavesNoGradient(KernelKind kind) {
        // dz = T·(softmax(z/T) - softmax(z/T)) = 0 for every row: nothing moves, whatever the temperature
        DigitBlock block = SyntheticDigits.block(150, 784, 10, 31);
        Parameters student = Initializer.HE.initialize(NetworkShape.mnist(24), 5);
        GradientSum plain = new GradientSum(student.shape());
        kind.create(student, Activation.RELU).accumulateGradient(block, plain);
        for (double temperature : new double[] {1, 3}) {
            Distillation self = of(temperature, 1, kind, student.copy());
            GradientSum sum = new GradientSum(student.shape());
            kind.create(student, Activation.RELU).accumulateGradient(block, null, 0, block.rows(), sum, Dropout.NONE,
                    self.targets(block, null, 0, block.rows(), LabelSmoothing.NONE));
            double left = maxAbs(sum.gradient()) / maxAbs(plain.gradient());
            assertTrue(left < 1e-12, kind.id() + " T=" + temperature + ": relative gradient left " + left);
            assertEquals(plain.correct(), sum.correct(), "the correct count is the student's");
        }
    }

    @Tag("slow")
    @Test
    void selfDistillationUnderDropoutPullsTheDroppedNetworkTowardsTheWholeOne() {
        // with dropout, the teacher (the same weights, no masks) differs from the student: dz = p_dropped - p_whole at
        // T = 1, which is the labels' gradient with the one-hot replaced by the whole network's probabilities
        DigitBlock block = SyntheticDigits.block(80, 784, 10, 32);
        Parameters student = Initializer.HE.initialize(NetworkShape.mnist(16), 6);
        Dropout masks = new Dropout(0.3, 9);
        Distillation self = of(1, 1, KernelKind.OJALGO, student.copy());
        GradientSum distilled = new GradientSum(student.shape());
        new ReferenceKernel(student).accumulateGradient(block, null, 0, 80, distilled, masks,
                self.targets(block, null, 0, 80, LabelSmoothing.NONE));
        double[] whole = new double[80 * 10];
        new ReferenceKernel(student).predict(block, new byte[80], whole);
        // the same gradient from a target object that hands the whole network's probabilities out as fixed targets
        Targets fixed = new DistilledTargets(LabelSmoothing.NONE, 1, 1, whole.clone(), 10);
        GradientSum byHand = new GradientSum(student.shape());
        new ReferenceKernel(student).accumulateGradient(block, null, 0, 80, byHand, masks, fixed);
        assertArrayEquals(byHand.gradient(), distilled.gradient(), 0.0);
        assertTrue(maxAbs(distilled.gradient()) > 1e-3, "dropout leaves a gradient");
        // and that gradient is the finite differences of -Σ q log p_dropped with q fixed
        GradientCheck.Result r = GradientCheck.compare(byHand.meanGradient(), student, q -> {
            GradientSum s = new GradientSum(q.shape());
            new ReferenceKernel(q).accumulateGradient(block, null, 0, 80, s, masks,
                    new DistilledTargets(LabelSmoothing.NONE, 1, 1, whole.clone(), 10));
            return s.meanLoss();
        }, GradientCheck.DEFAULT_STEP);
        assertTrue(r.maxRelativeError() < 1e-6, r.worstName() + " rel " + r.maxRelativeError());
    }

    @ParameterizedTest
    @EnumSource(value = KernelKind.class, names = {"OJALGO", "SIMD", "SPARSE"})
    void finiteDifferencesOfTheDistilledLossMatchBackprop(KernelKind kind) {
        DigitBlock block = SyntheticDigits.block(16, 20, 10, 7);
        NetworkShape shape = GradientCheck.SMALL;
        Parameters teacherA = Initializer.HE.initialize(new NetworkShape(20, 9, 10), 41);
        Parameters teacherB = Initializer.HE.initialize(new NetworkShape(20, 4, 10), 42);
        for (Activation a : Activation.values()) {
            Parameters student = Initializer.SEED.initialize(shape, 3);
            Distillation d = new Distillation(List.of(new Distillation.Teacher(teacherA, Activation.RELU),
                    new Distillation.Teacher(teacherB, Activation.SIGMOID)), 2.5, 0.6, kind);
            GradientSum sum = new GradientSum(shape);
            kind.create(student, a).accumulateGradient(block, null, 0, block.rows(), sum, Dropout.NONE,
                    d.targets(block, null, 0, block.rows(), TENTH));
            double[] q = d.targets(block, null, 0, block.rows(), TENTH).soft();
            // the differenced loss, computed apart from the kernels' gradient code, from the predicted probabilities
            GradientCheck.Result r = GradientCheck.compare(sum.meanGradient(), student,
                    s -> distilledMeanLoss(s, a, block, q, 2.5, 0.6), 3e-5);   // T² scales the loss: a wider step against its rounding
            assertTrue(r.maxRelativeError() < 1e-6, kind.id() + " " + a.id() + ": " + r.worstName() + " rel "
                    + r.maxRelativeError() + " analytic " + r.analytic() + " numeric " + r.numeric());
            assertEquals(distilledMeanLoss(student, a, block, q, 2.5, 0.6), sum.meanLoss(), 1e-12,
                    "the summed loss is the distilled one");
        }
    }

    /** (1 - w)·(-Σ t log p) + w·T²·(-Σ q log softmax(log p / T)), averaged over the rows, by hand. */
    private static double distilledMeanLoss(Parameters student, Activation a, DigitBlock block, double[] q, double t,
                                             double w) {
        int n = block.rows();
        double[] p = new double[n * 10];
        new ReferenceKernel(student, a).predict(block, new byte[n], p);
        double total = 0;
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int c = 0; c < 10; c++) {
                norm += Math.exp(Math.log(p[i * 10 + c]) / t);
            }
            for (int c = 0; c < 10; c++) {
                double logPt = Math.log(p[i * 10 + c]) / t - Math.log(norm);
                total -= (1 - w) * TENTH.target(c, block.label(i), 10) * Math.log(p[i * 10 + c]);
                total -= w * t * t * q[i * 10 + c] * logPt;
            }
        }
        return total / n;
    }

    @Test
    void aWrongSoftTermFailsTheFiniteDifferenceCheck() {
        // the labels' gradient alone against the differences of the distilled loss: the check must see it
        DigitBlock block = SyntheticDigits.block(16, 20, 10, 8);
        Parameters student = Initializer.SEED.initialize(GradientCheck.SMALL, 3);
        Parameters teacher = Initializer.HE.initialize(new NetworkShape(20, 9, 10), 41);
        double[] q = of(2.5, 0.6, KernelKind.OJALGO, teacher).targets(block, null, 0, 16, TENTH).soft();
        GradientSum labelsOnly = new GradientSum(student.shape());
        new ReferenceKernel(student).accumulateGradient(block, null, 0, 16, labelsOnly, Dropout.NONE, TENTH);
        GradientCheck.Result r = GradientCheck.compare(labelsOnly.meanGradient(), student,
                s -> distilledMeanLoss(s, Activation.RELU, block, q, 2.5, 0.6), GradientCheck.DEFAULT_STEP);
        assertTrue(r.maxRelativeError() > 1e-2, "worst rel " + r.maxRelativeError());
    }

    @Test
    void weightZeroIsExactlyTheLabelsArithmetic() {
        DigitBlock block = SyntheticDigits.block(90, 784, 10, 4);
        Parameters p = Initializer.HE.initialize(NetworkShape.mnist(24), 2);
        Parameters teacher = Initializer.HE.initialize(NetworkShape.mnist(12), 3);
        for (KernelKind kind : KernelKind.values()) {
            GradientSum plain = new GradientSum(p.shape());
            kind.create(p, Activation.RELU).accumulateGradient(block, null, 0, 90, plain, new Dropout(0.2, 1), TENTH);
            GradientSum none = new GradientSum(p.shape());
            kind.create(p, Activation.RELU).accumulateGradient(block, null, 0, 90, none, new Dropout(0.2, 1),
                    of(4, 0, kind, teacher).targets(block, null, 0, 90, TENTH));
            assertArrayEquals(plain.gradient(), none.gradient(), 0.0, kind.id());
            assertEquals(plain.loss(), none.loss(), 0.0, kind.id());
        }
    }

    @Test
    void theFastKernelsAgreeWithTheReferenceOnTheDistilledSums() {
        DigitBlock block = SyntheticDigits.block(300, 784, 10, 12);
        Parameters p = Initializer.HE.initialize(NetworkShape.mnist(40), 8);
        Parameters teacher = Initializer.HE.initialize(NetworkShape.mnist(30), 9);
        Dropout masks = new Dropout(0.25, 5);
        int[] order = new int[300];
        for (int i = 0; i < 300; i++) {
            order[i] = (i * 7) % 300;
        }
        GradientSum reference = new GradientSum(p.shape());
        KernelKind.OJALGO.create(p, Activation.RELU).accumulateGradient(block, order, 40, 290, reference, masks,
                of(3, 0.7, KernelKind.OJALGO, teacher).targets(block, order, 40, 290, TENTH));
        for (KernelKind kind : new KernelKind[] {KernelKind.SIMD, KernelKind.SPARSE, KernelKind.FLOAT}) {
            GradientSum fast = new GradientSum(p.shape());
            kind.create(p, Activation.RELU).accumulateGradient(block, order, 40, 290, fast, masks,
                    of(3, 0.7, kind, teacher).targets(block, order, 40, 290, TENTH));
            double tolerance = kind == KernelKind.FLOAT ? 1e-6 : 1e-12;
            assertTrue(maxRelativeDifference(reference.gradient(), fast.gradient()) <= tolerance, kind.id() + " rel "
                    + maxRelativeDifference(reference.gradient(), fast.gradient()));
            assertEquals(reference.loss(), fast.loss(), Math.abs(reference.loss()) * tolerance, kind.id());
        }
    }

    @Test
    void theSoftTargetsAreTheTeachersAveragedSoftenedProbabilitiesOfTheCallsRowsInOrder() {
        DigitBlock block = SyntheticDigits.block(50, 784, 10, 13);
        Parameters a = Initializer.HE.initialize(NetworkShape.mnist(20), 1);
        Parameters b = Initializer.HE.initialize(NetworkShape.mnist(7), 2);
        int[] order = new int[50];
        for (int i = 0; i < 50; i++) {
            order[i] = 49 - i;
        }
        double[] q = of(2, 0.5, KernelKind.OJALGO, a, b).targets(block, order, 10, 30, LabelSmoothing.NONE).soft();
        double[] pa = new double[500];
        double[] pb = new double[500];
        new ReferenceKernel(a).predict(block, new byte[50], pa);
        new ReferenceKernel(b).predict(block, new byte[50], pb);
        for (int i = 0; i < 20; i++) {
            int row = order[10 + i];
            double na = 0;
            double nb = 0;
            for (int c = 0; c < 10; c++) {
                na += Math.sqrt(pa[row * 10 + c]);
                nb += Math.sqrt(pb[row * 10 + c]);
            }
            double total = 0;
            for (int c = 0; c < 10; c++) {
                double expected = 0.5 * Math.sqrt(pa[row * 10 + c]) / na + 0.5 * Math.sqrt(pb[row * 10 + c]) / nb;
                assertEquals(expected, q[i * 10 + c], 1e-14, "row " + i + " class " + c);
                total += q[i * 10 + c];
            }
            assertEquals(1, total, 1e-14, "a distribution");
        }
    }

    @Test
    void refusesSettingsOutsideTheirRanges() {
        Parameters t = Initializer.HE.initialize(NetworkShape.mnist(4), 1);
        List<Distillation.Teacher> one = List.of(new Distillation.Teacher(t, Activation.RELU));
        assertEquals("the distillation temperature must be > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new Distillation(one, 0, 0.5, KernelKind.SIMD)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Distillation(one, Double.POSITIVE_INFINITY, 0.5, KernelKind.SIMD));
        assertEquals("the distillation weight must be in [0, 1], got 1.5", assertThrows(IllegalArgumentException.class,
                () -> new Distillation(one, 2, 1.5, KernelKind.SIMD)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Distillation(List.of(), 2, 0.5, KernelKind.SIMD));
    }
}
