package org.sparkdigits.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@code --ema}: the moving average of the weights, against the closed form of its weights. */
class WeightAverageTest {

    @Test
    void theAverageIsTheClosedFormWeightedSumOfTheSteps() {
        double[][] theta = {{1, -2, 0.5}, {3, 0, 1}, {-1, 4, 2}, {0.25, 1, -3}, {2, 2, 2}};   // θ_0 .. θ_4
        WeightAverage avg = new WeightAverage(0.3, theta[0]);
        for (int t = 1; t < theta.length; t++) {
            avg.update(theta[t]);
        }
        // ē_T = Π_{s=1..T} d_s · θ_0 + Σ_t (1 - d_t) Π_{s=t+1..T} d_s · θ_t, with d_t = min(0.3, (1+t)/(10+t))
        int T = theta.length - 1;
        double[] d = new double[T + 1];
        for (int t = 1; t <= T; t++) {
            d[t] = Math.min(0.3, (1.0 + t) / (10.0 + t));
        }
        assertEquals(2.0 / 11, d[1], 0.0, "the warm-up's first decay");
        assertEquals(0.3, d[4], 0.0, "then the given decay");
        double[] expected = new double[3];
        for (int t = 0; t <= T; t++) {
            double w = t == 0 ? 1 : 1 - d[t];
            for (int s = t + 1; s <= T; s++) {
                w *= d[s];
            }
            for (int i = 0; i < 3; i++) {
                expected[i] += w * theta[t][i];
            }
        }
        assertArrayEquals(expected, avg.values(), 1e-14);
        assertEquals(4, avg.updates());
    }

    @Test
    void aRestoredAverageContinuesExactly() {
        double[] start = {0.5, -0.5};
        WeightAverage whole = new WeightAverage(0.99, start);
        WeightAverage first = new WeightAverage(0.99, start);
        for (int t = 1; t <= 30; t++) {
            double[] theta = {Math.sin(t), Math.cos(t)};
            whole.update(theta);
            if (t <= 12) {
                first.update(theta);
            }
        }
        WeightAverage resumed = new WeightAverage(0.99, new double[2]);
        resumed.restore(first.values().clone(), first.updates());
        for (int t = 13; t <= 30; t++) {
            resumed.update(new double[] {Math.sin(t), Math.cos(t)});
        }
        assertArrayEquals(whole.values(), resumed.values(), 0.0);
        assertEquals(whole.updates(), resumed.updates());
    }

    @Test
    void refusesDecaysOutsideZeroToOneAndOtherShapes() {
        assertThrows(IllegalArgumentException.class, () -> new WeightAverage(1, new double[1]));
        assertThrows(IllegalArgumentException.class, () -> new WeightAverage(0, new double[1]));
        WeightAverage a = new WeightAverage(0.9, new double[3]);
        assertThrows(IllegalArgumentException.class, () -> a.update(new double[2]));
        assertThrows(IllegalArgumentException.class, () -> a.restore(new double[2], 1));
    }
}
