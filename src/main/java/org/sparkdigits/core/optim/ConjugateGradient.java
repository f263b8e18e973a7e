package org.sparkdigits.core.optim;

import org.apache.commons.math3.analysis.MultivariateFunction;
import org.apache.commons.math3.analysis.MultivariateVectorFunction;
import org.apache.commons.math3.exception.TooManyIterationsException;
import org.apache.commons.math3.optim.ConvergenceChecker;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunctionGradient;
import org.apache.commons.math3.optim.nonlinear.scalar.gradient.NonLinearConjugateGradientOptimizer;

/**
 * Nonlinear conjugate gradient (Polak-Ribière), the 001 notebook's method, from commons-math3 (which
 * Spark already brings). commons-math asks for the value and the gradient at a point separately; both
 * come from one evaluation of the objective, cached, so each point costs one pass over the data.
 */
public final class ConjugateGradient {

    private final double relativeTolerance;

    public ConjugateGradient(double relativeTolerance) {
        this.relativeTolerance = relativeTolerance;
    }

    /** Minimises {@code f} from {@code x} (updated in place) for at most {@code maxIterations}; returns f(x). */
    public double minimize(Lbfgs.Objective f, double[] x, int maxIterations, Lbfgs.Progress progress) {
        Cache cache = new Cache(f, x.length);
        NonLinearConjugateGradientOptimizer cg = new NonLinearConjugateGradientOptimizer(
                NonLinearConjugateGradientOptimizer.Formula.POLAK_RIBIERE, new Checker(progress, relativeTolerance, x));
        PointValuePair best;
        try {
            best = cg.optimize(new MaxEval(Integer.MAX_VALUE), new MaxIter(maxIterations + 1),
                    new ObjectiveFunction((MultivariateFunction) cache::value),
                    new ObjectiveFunctionGradient((MultivariateVectorFunction) cache::gradient),
                    GoalType.MINIMIZE, new InitialGuess(x.clone()));
        } catch (TooManyIterationsException e) {
            return cache.last == null ? Double.NaN : cache.lastValue;
        }
        System.arraycopy(best.getPoint(), 0, x, 0, x.length);
        return best.getValue();
    }

    /** One evaluation per distinct point. */
    private static final class Cache {
        private final Lbfgs.Objective f;
        private final int n;
        double[] last;
        double lastValue;
        double[] lastGradient;

        Cache(Lbfgs.Objective f, int n) {
            this.f = f;
            this.n = n;
        }

        private void at(double[] x) {
            if (last == null || !java.util.Arrays.equals(last, x)) {
                last = x.clone();
                lastGradient = new double[n];
                lastValue = f.valueAndGradient(last, lastGradient);
            }
        }

        double value(double[] x) {
            at(x);
            return lastValue;
        }

        double[] gradient(double[] x) {
            at(x);
            return lastGradient.clone();
        }
    }

    /** Reports each iteration, keeps the latest point in {@code x}, and stops on request or convergence. */
    private static final class Checker implements ConvergenceChecker<PointValuePair> {
        private final Lbfgs.Progress progress;
        private final double tolerance;
        private final double[] x;

        Checker(Lbfgs.Progress progress, double tolerance, double[] x) {
            this.progress = progress;
            this.tolerance = tolerance;
            this.x = x;
        }

        @Override
        public boolean converged(int iteration, PointValuePair previous, PointValuePair current) {
            System.arraycopy(current.getPoint(), 0, x, 0, x.length);
            boolean stop = progress != null && !progress.iteration(iteration, current.getValue(), current.getPoint());
            double p = previous.getValue();
            double c = current.getValue();
            return stop || Math.abs(p - c) <= tolerance * Math.max(Math.abs(p), Math.abs(c));
        }
    }
}
