package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.testing.SyntheticDigits;

class GradientCheckTest {

    @Test
    void everyParameterOfATinyNetworkMatchesFiniteDifferences() {
        NetworkShape shape = new NetworkShape(12, 5, 4);
        Parameters p = Initializer.SEED.initialize(shape, 7);
        DigitBlock block = SyntheticDigits.block(9, 12, 4, 3);
        GradientCheck.Result r = GradientCheck.check(p, block, GradientCheck.DEFAULT_STEP);
        assertEquals(shape.parameterCount(), r.checked());
        assertTrue(r.maxRelativeError() < 1e-6,
                "worst " + r.worstName() + ": analytic " + r.analytic() + " numeric " + r.numeric()
                        + " rel " + r.maxRelativeError());
    }

    @Test
    void sigmoidNetworksPassToo() {
        NetworkShape shape = new NetworkShape(12, 5, 4);
        GradientCheck.Result r = GradientCheck.check(Initializer.XAVIER.initialize(shape, 8), Activation.SIGMOID,
                SyntheticDigits.block(9, 12, 4, 5), GradientCheck.DEFAULT_STEP);
        assertTrue(r.maxRelativeError() < 1e-6, r.worstName() + " rel " + r.maxRelativeError());
    }

    @Test
    void theCheckCatchesAWrongGradient() {
        // A network whose analytic gradient is perturbed must fail the same check: compare against a
        // deliberately wrong learning signal by checking a different block than the one differentiated.
        NetworkShape shape = new NetworkShape(12, 5, 4);
        Parameters p = Initializer.HE.initialize(shape, 1);
        DigitBlock a = SyntheticDigits.block(9, 12, 4, 3);
        DigitBlock b = SyntheticDigits.block(9, 12, 4, 4);
        GradientSum sum = new GradientSum(shape);
        new ReferenceKernel(p).accumulateGradient(a, sum);
        double worst = GradientCheck.compare(sum.meanGradient(), p, q -> GradientCheck.meanLoss(q, b), 1e-5)
                .maxRelativeError();
        assertTrue(worst > 1e-2, "a gradient of other data should not pass, worst rel " + worst);
    }

    @Test
    void namesParametersByLayer() {
        NetworkShape s = new NetworkShape(784, 10, 10);
        assertEquals("W1[0][0]", GradientCheck.name(s, 0));
        assertEquals("W1[1][3]", GradientCheck.name(s, 787));
        assertEquals("b1[2]", GradientCheck.name(s, 7842));
        assertEquals("W2[9][9]", GradientCheck.name(s, s.b2Offset() - 1));
        assertEquals("b2[9]", GradientCheck.name(s, s.parameterCount() - 1));
    }
}
