package org.sparkdigits.core.kernel;

import java.util.function.ToDoubleFunction;

import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

/**
 * Finite-difference check of the backprop gradient: for every parameter {@code θ_i}, the central
 * difference {@code (L(θ + h e_i) - L(θ - h e_i)) / 2h} of the mean loss is compared with the analytic
 * mean gradient. The relative error of one parameter is {@code |a - n| / max(|a| + |n|, floor)}; the
 * floor keeps parameters whose true gradient is ~0 from dividing rounding noise by zero.
 */
public final class GradientCheck {

    /** Step of the central difference. */
    public static final double DEFAULT_STEP = 1e-5;
    /** Denominator floor of the relative error. */
    public static final double DENOMINATOR_FLOOR = 1e-4;

    /** The small random network {@link #small} checks: inputs, hidden, classes; and its rows. */
    public static final NetworkShape SMALL = new NetworkShape(20, 6, 10);
    public static final int SMALL_ROWS = 16;

    private GradientCheck() {
    }

    /** Every parameter of a small network ({@link #SMALL}, the notebooks' init) on {@link #SMALL_ROWS} random rows. */
    public static Result small(Activation activation, KernelKind kernel, Dropout dropout, long seed) {
        return small(activation, kernel, dropout, LabelSmoothing.NONE, seed);
    }

    /** The same with the cross-entropy against {@code smoothing}'s targets. */
    public static Result small(Activation activation, KernelKind kernel, Dropout dropout, LabelSmoothing smoothing,
                               long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        byte[] px = new byte[SMALL_ROWS * SMALL.inputs()];
        byte[] lb = new byte[SMALL_ROWS];
        for (int i = 0; i < SMALL_ROWS; i++) {
            lb[i] = (byte) r.nextInt(SMALL.classes());
            for (int j = 0; j < SMALL.inputs(); j++) {
                px[i * SMALL.inputs() + j] = (byte) r.nextInt(256);
            }
        }
        return check(Initializer.SEED.initialize(SMALL, seed), activation, kernel, dropout, smoothing,
                new DigitBlock(SMALL_ROWS, SMALL.inputs(), lb, px), DEFAULT_STEP, null, (done, total) -> { });
    }

    /**
     * The result of a check.
     *
     * @param maxRelativeError largest relative error over all parameters checked
     * @param worstIndex       flat index of that parameter
     * @param worstName        its name, e.g. {@code W1[3][412]}
     * @param analytic         its analytic gradient
     * @param numeric          its finite-difference gradient
     * @param checked          number of parameters checked
     */
    public record Result(double maxRelativeError, int worstIndex, String worstName, double analytic, double numeric,
                         int checked) {
    }

    /** Checks every parameter of a ReLU network on the labelled rows of {@code block}. */
    public static Result check(Parameters parameters, DigitBlock block, double step) {
        return check(parameters, Activation.RELU, block, step);
    }

    /** Checks every parameter of {@code parameters} on the labelled rows of {@code block}, on the reference kernel. */
    public static Result check(Parameters parameters, Activation activation, DigitBlock block, double step) {
        return check(parameters, activation, KernelKind.OJALGO, block, step);
    }

    /**
     * Checks every parameter of {@code parameters} on the labelled rows of {@code block}: {@code kernel}'s
     * backprop against central differences of {@code kernel}'s loss.
     */
    public static Result check(Parameters parameters, Activation activation, KernelKind kernel, DigitBlock block,
                               double step) {
        return check(parameters, activation, kernel, Dropout.NONE, block, step);
    }

    /**
     * The same for the network with {@code dropout}'s (fixed) masks on the hidden layer: the loss that is
     * differenced is the dropped-out network's.
     */
    public static Result check(Parameters parameters, Activation activation, KernelKind kernel, Dropout dropout,
                               DigitBlock block, double step) {
        return check(parameters, activation, kernel, dropout, block, step, null, (done, total) -> { });
    }

    /** Told how far a long check has come. */
    @FunctionalInterface
    public interface Progress {
        void checked(int done, int total);
    }

    /**
     * The same for the parameters at {@code indices} only (all of them when {@code null}), with {@code progress} told
     * after each one.
     */
    public static Result check(Parameters parameters, Activation activation, KernelKind kernel, Dropout dropout,
                               DigitBlock block, double step, int[] indices, Progress progress) {
        return check(parameters, activation, kernel, dropout, LabelSmoothing.NONE, block, step, indices, progress);
    }

    /**
     * The same for the cross-entropy against {@code smoothing}'s targets. Without dropout the differenced loss is
     * computed apart from the kernel's gradient code: {@code -Σ_c t_c log p_c} of the kernel's predicted probabilities.
     */
    public static Result check(Parameters parameters, Activation activation, KernelKind kernel, Dropout dropout,
                               LabelSmoothing smoothing, DigitBlock block, double step, int[] indices, Progress progress) {
        NetworkShape shape = parameters.shape();
        GradientSum sum = new GradientSum(shape);
        kernel.create(parameters, activation).accumulateGradient(block, null, 0, block.rows(), sum, dropout, smoothing);
        return compare(sum.meanGradient(), parameters, p -> meanLoss(p, activation, kernel, dropout, smoothing, block),
                step, indices, progress);
    }

    /**
     * How many parameters to check so that the check does about {@code budget} multiply-adds: all of a small network,
     * a sample of a large one (a loss evaluation of {@code rows} rows at H hidden units costs about rows x H x 794, and
     * setting up the kernel, which copies the weights, about four per parameter; each parameter needs two).
     */
    public static int affordable(NetworkShape shape, int rows, long budget) {
        long perEvaluation = (long) rows * shape.hidden() * (shape.inputs() + shape.classes()) + 4L * shape.parameterCount();
        long n = budget / (2 * perEvaluation);
        return (int) Math.min(shape.parameterCount(), Math.max(100, n));
    }

    /**
     * {@code count} distinct parameter indices drawn with {@code seed}, sorted, spread over the four tensors in
     * proportion to their sizes but with at least an eighth of the sample (or the whole tensor) in each, so that the
     * small bias vectors are always checked too.
     */
    public static int[] sample(NetworkShape shape, int count, long seed) {
        int total = shape.parameterCount();
        if (count >= total) {
            return null;
        }
        int[] starts = {0, shape.b1Offset(), shape.w2Offset(), shape.b2Offset(), total};
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
        java.util.TreeSet<Integer> picked = new java.util.TreeSet<>();
        int left = count;
        for (int t = 3; t >= 0; t--) {
            int size = starts[t + 1] - starts[t];
            int want = t == 0 ? left : (int) Math.min(size, Math.max(count / 8, (long) count * size / total));
            want = Math.min(want, Math.min(size, left));
            java.util.TreeSet<Integer> here = new java.util.TreeSet<>();
            while (here.size() < want) {
                here.add(starts[t] + r.nextInt(size));
            }
            picked.addAll(here);
            left -= want;
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Compares {@code analytic} with central differences of {@code meanLoss} around {@code parameters}
     * (which are not changed) for every parameter.
     */
    static Result compare(double[] analytic, Parameters parameters, ToDoubleFunction<Parameters> meanLoss,
                          double step) {
        return compare(analytic, parameters, meanLoss, step, null, (done, total) -> { });
    }

    private static Result compare(double[] analytic, Parameters parameters, ToDoubleFunction<Parameters> meanLoss,
                                  double step, int[] indices, Progress progress) {
        NetworkShape shape = parameters.shape();
        Parameters probe = parameters.copy();
        double[] theta = probe.values();
        double worst = -1;
        int worstIndex = -1;
        double worstNumeric = 0;
        int n = indices == null ? theta.length : indices.length;
        for (int k = 0; k < n; k++) {
            int i = indices == null ? k : indices[k];
            double saved = theta[i];
            theta[i] = saved + step;
            double plus = meanLoss.applyAsDouble(probe);
            theta[i] = saved - step;
            double minus = meanLoss.applyAsDouble(probe);
            theta[i] = saved;
            double numeric = (plus - minus) / (2 * step);
            double rel = Math.abs(analytic[i] - numeric)
                    / Math.max(Math.abs(analytic[i]) + Math.abs(numeric), DENOMINATOR_FLOOR);
            if (rel > worst) {
                worst = rel;
                worstIndex = i;
                worstNumeric = numeric;
            }
            progress.checked(k + 1, n);
        }
        return new Result(worst, worstIndex, name(shape, worstIndex), analytic[worstIndex], worstNumeric, n);
    }

    static double meanLoss(Parameters parameters, DigitBlock block) {
        return meanLoss(parameters, Activation.RELU, KernelKind.OJALGO, block);
    }

    static double meanLoss(Parameters parameters, Activation activation, KernelKind kernel, Dropout dropout,
                           LabelSmoothing smoothing, DigitBlock block) {
        if (dropout.active()) {
            GradientSum sum = new GradientSum(parameters.shape());
            kernel.create(parameters, activation).accumulateGradient(block, null, 0, block.rows(), sum, dropout, smoothing);
            return sum.meanLoss();
        }
        if (smoothing.active()) {
            return smoothedMeanLoss(parameters, activation, kernel, smoothing, block);
        }
        return meanLoss(parameters, activation, kernel, block);
    }

    /** The mean of {@code -Σ_c t_c log p_c} over the rows of {@code block}, from the kernel's predicted probabilities. */
    static double smoothedMeanLoss(Parameters parameters, Activation activation, KernelKind kernel, LabelSmoothing smoothing,
                                   DigitBlock block) {
        int k = parameters.shape().classes();
        int n = block.rows();
        double[] probabilities = new double[n * k];
        kernel.create(parameters, activation).predict(block, new byte[n], probabilities);
        double total = 0;
        for (int i = 0; i < n; i++) {
            int y = block.label(i);
            for (int c = 0; c < k; c++) {
                total -= smoothing.target(c, y, k) * Math.log(probabilities[i * k + c]);
            }
        }
        return total / n;
    }

    static double meanLoss(Parameters parameters, Activation activation, KernelKind kernel, DigitBlock block) {
        Evaluation e = new Evaluation(parameters.shape().classes());
        kernel.create(parameters, activation).evaluate(block, e);
        return e.meanLoss();
    }

    /** A readable name of flat parameter {@code index}: {@code W1[h][j]}, {@code b1[h]}, {@code W2[c][h]}, {@code b2[c]}. */
    public static String name(NetworkShape s, int index) {
        if (index < s.b1Offset()) {
            return "W1[" + index / s.inputs() + "][" + index % s.inputs() + "]";
        } else if (index < s.w2Offset()) {
            return "b1[" + (index - s.b1Offset()) + "]";
        } else if (index < s.b2Offset()) {
            int i = index - s.w2Offset();
            return "W2[" + i / s.hidden() + "][" + i % s.hidden() + "]";
        }
        return "b2[" + (index - s.b2Offset()) + "]";
    }
}
