package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;

import org.junit.jupiter.api.Test;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.optim.Optimizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Compares a few iterations of full-batch gradient descent with an independent numpy implementation
 * (src/test/python/golden.py, which writes src/test/resources/golden/two_layer_gd.json).
 */
class GoldenTest {

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    private static void assertClose(double[] expected, double[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double tol = rel * Math.max(1e-3, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + "[" + i + "]");
        }
    }

    @Test
    void matchesTheNumpyReference() throws Exception {
        JsonNode g;
        try (InputStream in = GoldenTest.class.getResourceAsStream("/golden/two_layer_gd.json")) {
            g = new ObjectMapper().readTree(in);
        }
        NetworkShape shape = new NetworkShape(g.get("inputs").asInt(), g.get("hidden").asInt(), g.get("classes").asInt());
        int rows = g.get("rows").asInt();
        byte[] px = new byte[rows * shape.inputs()];
        byte[] lb = new byte[rows];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) g.get("pixels").get(i).asInt();
        }
        for (int i = 0; i < rows; i++) {
            lb[i] = (byte) g.get("labels").get(i).asInt();
        }
        DigitBlock block = new DigitBlock(rows, shape.inputs(), lb, px);
        Parameters p = new Parameters(shape, doubles(g.get("initial_parameters")));
        Optimizer gd = new Optimizer.Sgd();
        double lr = g.get("learning_rate").asDouble();
        int iterations = g.get("iterations").asInt();
        for (int it = 0; it < iterations; it++) {
            GradientSum sum = new GradientSum(shape);
            new ReferenceKernel(p).accumulateGradient(block, sum);
            assertEquals(g.get("losses").get(it).asDouble(), sum.meanLoss(), 1e-13, "loss at iteration " + it);
            assertEquals(g.get("accuracies").get(it).asDouble(), sum.accuracy(), 0.0, "accuracy at iteration " + it);
            if (it == 0) {
                assertClose(doubles(g.get("first_mean_gradient")), sum.meanGradient(), 1e-12, "gradient");
            }
            gd.step(p.values(), sum.meanGradient(), lr);
        }
        assertClose(doubles(g.get("final_parameters")), p.values(), 1e-12, "final parameters");
        assertTrue(iterations >= 3);
    }
}
