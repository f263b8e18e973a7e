package org.sparkdigits.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LbfgsTest {

    @Test
    void solvesAQuadratic() {
        // f = ½ xᵀAx - bᵀx, A SPD: the minimum is A⁻¹b
        double[][] a = {{4, 1, 0}, {1, 3, 0.5}, {0, 0.5, 2}};
        double[] b = {1, 2, 3};
        double[] x = {10, -10, 5};
        new Lbfgs(5, 1e-12).minimize((p, g) -> {
            double f = 0;
            for (int i = 0; i < 3; i++) {
                double ax = 0;
                for (int j = 0; j < 3; j++) {
                    ax += a[i][j] * p[j];
                }
                g[i] = ax - b[i];
                f += 0.5 * p[i] * ax - b[i] * p[i];
            }
            return f;
        }, x, 100, null);
        // A⁻¹b, solved by hand (Cramer's rule): det = 4(6-0.25) - 1(2-0) = 21
        assertEquals((1 * 5.75 - 1 * (4 - 1.5) + 0) / 21.0, x[0], 1e-8);
        assertEquals((4 * (4 - 1.5) - 1 * (2 - 0) + 0) / 21.0, x[1], 1e-8);
        double x2 = (3 - 0.5 * x[1]) / 2;
        assertEquals(x2, x[2], 1e-8);
    }

    @Test
    void findsRosenbrocksValley() {
        double[] x = {-1.2, 1};
        int[] iterations = {0};
        double f = new Lbfgs(10, 1e-10).minimize((p, g) -> {
            double u = 1 - p[0];
            double v = p[1] - p[0] * p[0];
            g[0] = -2 * u - 400 * p[0] * v;
            g[1] = 200 * v;
            return u * u + 100 * v * v;
        }, x, 500, (it, value, point) -> {
            iterations[0] = it;
            return true;
        });
        assertEquals(1.0, x[0], 1e-6);
        assertEquals(1.0, x[1], 1e-6);
        assertTrue(f < 1e-12);
        assertTrue(iterations[0] > 10 && iterations[0] < 500, "iterations " + iterations[0]);
    }

    @Test
    void conjugateGradientFromCommonsMathFindsRosenbrocksValleyToo() {
        double[] x = {-1.2, 1};
        int[] evaluations = {0};
        double f = new ConjugateGradient(1e-15).minimize((p, g) -> {
            evaluations[0]++;
            double u = 1 - p[0];
            double v = p[1] - p[0] * p[0];
            g[0] = -2 * u - 400 * p[0] * v;
            g[1] = 200 * v;
            return u * u + 100 * v * v;
        }, x, 5000, null);
        assertEquals(1.0, x[0], 1e-4);
        assertEquals(1.0, x[1], 1e-4);
        assertTrue(f < 1e-8, "f " + f);
        assertTrue(evaluations[0] > 10);
    }
}
