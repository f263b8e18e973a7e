package org.sparkdigits.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkdigits.core.loss.Regularization;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.numbers.CoreRanges;

/** Each rule against a step computed by hand on a tiny problem. */
class OptimizerTest {

    /** inputs 1, hidden 1, classes 2: W1 [1], b1 [1], W2 [2], b2 [2]; weights at 0, 2, 3. */
    private static final NetworkShape TINY = new NetworkShape(1, 1, 2);

    private static Optimizer make(Optimizer.Kind kind, double decay) {
        return Optimizer.create(new Optimizer.Settings(kind, 0.9, 0.9, 0.999, 1e-8, decay), TINY);
    }

    private static double[] ones() {
        return new double[] {1, 1, 1, 1, 1, 1};
    }

    private static final double[] G = {0.5, 0.25, 0.5, 0.25, 0.5, 0.25};

    @Test
    void sgd() {
        double[] t = ones();
        make(Optimizer.Kind.SGD, 0).step(t, G, 0.1);
        assertArrayEquals(new double[] {0.95, 0.975, 0.95, 0.975, 0.95, 0.975}, t, 1e-15);
    }

    @Test
    void momentumAccumulatesVelocity() {
        double[] t = ones();
        Optimizer m = make(Optimizer.Kind.MOMENTUM, 0);
        m.step(t, G, 0.1);           // v = g                 θ = 1 - 0.1 * 0.5 = 0.95
        m.step(t, G, 0.1);           // v = 0.9*0.5 + 0.5 = 0.95   θ = 0.95 - 0.095 = 0.855
        assertEquals(0.855, t[0], 1e-15);
        assertEquals(1 - 0.025 - 0.1 * (0.9 * 0.25 + 0.25), t[1], 1e-15);
    }

    @Test
    void nesterovLooksAhead() {
        double[] t = ones();
        make(Optimizer.Kind.NESTEROV, 0).step(t, G, 0.1);   // v = g; θ -= lr (g + 0.9 v) = 0.1 * 0.95
        assertEquals(1 - 0.095, t[0], 1e-15);
        assertEquals(1 - 0.0475, t[1], 1e-15);
    }

    @Test
    void adamsFirstStepIsTheLearningRateTimesTheSign() {
        double[] t = ones();
        Optimizer a = make(Optimizer.Kind.ADAM, 0);
        a.step(t, G, 0.1);   // m̂ = g, v̂ = g²: θ -= 0.1 g / (|g| + 1e-8)
        assertEquals(1 - 0.1 * 0.5 / (0.5 + 1e-8), t[0], 1e-15);
        assertEquals(1 - 0.1 * 0.25 / (0.25 + 1e-8), t[1], 1e-15);
        // second step, same gradient: m = 0.19 g, v = 0.001999 g², corrected: m̂ = g, v̂ = g²
        a.step(t, G, 0.1);
        assertEquals(1 - 2 * 0.1 * 0.5 / (0.5 + 1e-8), t[0], 1e-14);
    }

    @Test
    void adamwDecaysTheWeightsButNotTheBiases() {
        double[] t = ones();
        make(Optimizer.Kind.ADAMW, 0.01).step(t, G, 0.1);
        double adam = 0.1 * 0.5 / (0.5 + 1e-8);
        assertEquals(1 * (1 - 0.1 * 0.01) - adam, t[0], 1e-15, "W1");
        assertEquals(1 - 0.1 * 0.25 / (0.25 + 1e-8), t[1], 1e-15, "b1 is not decayed");
        assertEquals(1 * (1 - 0.001) - 0.1 * 0.25 / (0.25 + 1e-8), t[3], 1e-15, "W2[1]");
        assertEquals(1 - adam, t[4], 1e-15, "b2[0] is not decayed");
    }

    @Test
    void adamwOnTheDriversCoresIsOneLoopBitForBit() {
        // H=300: 238k parameters, several ranges of CoreRanges.ELEMENTS on any machine with more than one core; the
        // boundaries fall inside W1, between W1 and b1 and so on
        NetworkShape shape = NetworkShape.mnist(300);
        int n = shape.parameterCount();
        java.util.Random r = new java.util.Random(3);
        double[] theta = new double[n];
        for (int i = 0; i < n; i++) {
            theta[i] = r.nextGaussian();
        }
        double[] expected = theta.clone();
        double[] m = new double[n];
        double[] v = new double[n];
        Optimizer adamw = Optimizer.create(new Optimizer.Settings(Optimizer.Kind.ADAMW, 0.9, 0.9, 0.999, 1e-8, 0.05), shape);
        for (int t = 1; t <= 3; t++) {
            double[] g = new double[n];
            for (int i = 0; i < n; i++) {
                g[i] = r.nextGaussian();
            }
            double lr = 0.01 * t;
            adamw.step(theta, g, lr);
            // the step as one loop over the whole vector: decay of the weights first, then Adam
            Regularization.scaleWeights(expected, shape, 1.0 - lr * 0.05);
            double c1 = 1.0 - Math.pow(0.9, t);
            double c2 = 1.0 - Math.pow(0.999, t);
            for (int i = 0; i < n; i++) {
                m[i] = 0.9 * m[i] + (1.0 - 0.9) * g[i];
                v[i] = 0.999 * v[i] + (1.0 - 0.999) * g[i] * g[i];
                expected[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
            }
            assertArrayEquals(expected, theta, "step " + t);
        }
        int[] b = CoreRanges.bounds(n, 3, CoreRanges.ELEMENTS, 8);
        assertEquals(4, b.length);
        assertTrue(b[1] % 8 == 0 && b[2] % 8 == 0 && b[3] == n);
    }

    @Test
    void l2AddsLambdaTimesTheWeightsOnly() {
        double[] theta = {2, 3, -1, 4, 5, 6};
        double[] g = new double[6];
        double penalty = Regularization.addL2(theta, g, TINY, 0.1);
        assertArrayEquals(new double[] {0.2, 0, -0.1, 0.4, 0, 0}, g, 1e-15);
        assertEquals(0.05 * (4 + 1 + 16), penalty, 1e-15);
    }

    @Test
    void schedules() {
        LearningRateSchedule warm = new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 0.1, 2, 1, 1, 10);
        assertEquals(0.05, warm.at(0), 1e-15);
        assertEquals(0.1, warm.at(1), 1e-15);
        assertEquals(0.1, warm.at(9), 1e-15);
        LearningRateSchedule step = new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0.1, 0, 3, 0.5, 10);
        assertEquals(0.1, step.at(2), 1e-15);
        assertEquals(0.05, step.at(3), 1e-15);
        assertEquals(0.025, step.at(6), 1e-15);
        LearningRateSchedule cos = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.1, 0, 1, 1, 10);
        assertEquals(0.1, cos.at(0), 1e-15);
        assertEquals(0.05, cos.at(5), 1e-15);
        assertEquals(0.0, cos.at(10), 1e-15);
        LearningRateSchedule cosWarm = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.1, 4, 1, 1, 14);
        assertEquals(0.075, cosWarm.at(2), 1e-15);
        assertEquals(0.1, cosWarm.at(4), 1e-15);
        assertEquals(0.05, cosWarm.at(9), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(-1));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.Kind.parse("linear"));
    }

    @Test
    void namesAreParsed() {
        assertEquals(Optimizer.Kind.ADAMW, Optimizer.Kind.parse("AdamW"));
        assertTrue(Optimizer.Kind.parse("lbfgs").fullBatchOnly());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.Kind.parse("rmsprop"));
        assertTrue(e.getMessage().contains("expected one of sgd, momentum, nesterov, adam, adamw, lbfgs, cg"));
    }
}
