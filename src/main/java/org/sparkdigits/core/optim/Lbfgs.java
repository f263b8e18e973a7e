package org.sparkdigits.core.optim;

/**
 * Limited-memory BFGS (Nocedal and Wright, Algorithm 7.4/7.5) with a backtracking line search that
 * enforces the Armijo condition and skips curvature pairs with {@code sᵀy <= 0}. Small on purpose; tested
 * against a quadratic and Rosenbrock's function. Every call of the objective is one full pass over the
 * data when training.
 */
public final class Lbfgs {

    /** A differentiable objective: returns {@code f(x)} and writes {@code ∇f(x)} into {@code gradient}. */
    @FunctionalInterface
    public interface Objective {
        double valueAndGradient(double[] x, double[] gradient);
    }

    /** Called after every accepted iteration with its number (1-based), the value and the point. */
    @FunctionalInterface
    public interface Progress {
        /** @return false to stop */
        boolean iteration(int iteration, double value, double[] x);
    }

    private final int memory;
    private final double tolerance;

    /**
     * @param memory    curvature pairs kept (MLlib uses 10)
     * @param tolerance stop when the gradient's max-norm falls below this
     */
    public Lbfgs(int memory, double tolerance) {
        this.memory = memory;
        this.tolerance = tolerance;
    }

    /** Minimises {@code f} from {@code x} (updated in place) for at most {@code maxIterations}; returns f(x). */
    public double minimize(Objective f, double[] x, int maxIterations, Progress progress) {
        int n = x.length;
        Pairs pairs = new Pairs(memory);
        double[] g = new double[n];
        double fx = f.valueAndGradient(x, g);
        double[] d = new double[n];
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        for (int it = 1; it <= maxIterations; it++) {
            if (maxAbs(g) < tolerance) {
                break;
            }
            pairs.direction(g, d);
            double slope = dot(g, d);
            if (slope >= 0) { // not a descent direction: restart from steepest descent
                for (int i = 0; i < n; i++) {
                    d[i] = -g[i];
                }
                slope = dot(g, d);
                pairs.forget();
            }
            double fNew = lineSearch(f, x, fx, d, slope, xNew, gNew);
            if (Double.isNaN(fNew)) {
                break;
            }
            pairs.add(x, xNew, g, gNew);
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
            if (progress != null && !progress.iteration(it, fx, x)) {
                break;
            }
        }
        return fx;
    }

    /**
     * Backtracking along {@code d} from step 1, halving up to 30 times, until the Armijo condition (c1 = 1e-4) holds:
     * the accepted point and its gradient in {@code xNew} and {@code gNew}, its value returned; NaN if none was.
     */
    private static double lineSearch(Objective f, double[] x, double fx, double[] d, double slope, double[] xNew,
                                     double[] gNew) {
        double step = 1.0;
        for (int ls = 0; ls < 30; ls++) {
            for (int i = 0; i < x.length; i++) {
                xNew[i] = x[i] + step * d[i];
            }
            double fNew = f.valueAndGradient(xNew, gNew);
            if (Double.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope) {
                return fNew;
            }
            step *= 0.5;
        }
        return Double.NaN;
    }

    /** The last {@code memory} curvature pairs (s = x' - x, y = g' - g), newest last, and the direction they give. */
    private static final class Pairs {
        private final int memory;
        private final double[][] s;
        private final double[][] y;
        private final double[] rho;
        private final double[] alpha;
        private int stored;
        private int newest = -1;

        Pairs(int memory) {
            this.memory = memory;
            s = new double[memory][];
            y = new double[memory][];
            rho = new double[memory];
            alpha = new double[memory];
        }

        /** The two-loop recursion: {@code d = -H g}. */
        void direction(double[] g, double[] d) {
            System.arraycopy(g, 0, d, 0, g.length);
            for (int k = 0; k < stored; k++) {
                int j = Math.floorMod(newest - k, memory);
                alpha[j] = rho[j] * dot(s[j], d);
                axpy(-alpha[j], y[j], d);
            }
            double gamma = stored == 0 ? 1.0 / Math.max(1e-12, Math.sqrt(dot(g, g)))
                    : dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
            scale(d, gamma);
            for (int k = stored - 1; k >= 0; k--) {
                int j = Math.floorMod(newest - k, memory);
                double beta = rho[j] * dot(y[j], d);
                axpy(alpha[j] - beta, s[j], d);
            }
            scale(d, -1.0);
        }

        /** Steepest descent next time: the pairs so far are not used again. */
        void forget() {
            stored = 0;
        }

        /** The pair of a step from {@code x} to {@code xNew}, kept when its curvature {@code sᵀy} is positive. */
        void add(double[] x, double[] xNew, double[] g, double[] gNew) {
            int n = x.length;
            double[] sk = new double[n];
            double[] yk = new double[n];
            for (int i = 0; i < n; i++) {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }
            double sy = dot(sk, yk);
            if (sy > 1e-12) {
                newest = (newest + 1) % memory;
                s[newest] = sk;
                y[newest] = yk;
                rho[newest] = 1.0 / sy;
                stored = Math.min(stored + 1, memory);
            }
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double[] v, double a) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= a;
        }
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }
}
