package org.sparkdigits.cli;

import java.io.PrintStream;
import java.util.Locale;

import org.sparkdigits.core.Activation;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.Dropout;
import org.sparkdigits.core.GradientCheck;
import org.sparkdigits.core.Initializer;
import org.sparkdigits.core.Kernel;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.data.InputFiles;

/**
 * {@code gradcheck}: finite differences against backprop on a small random network, and on the first
 * {@code --rows} rows of {@code --data} when given. Runs on the driver alone (no Spark job).
 */
final class GradcheckCommand {

    /** The small random network: inputs, hidden, classes and rows. */
    static final NetworkShape SMALL = new NetworkShape(20, 6, 10);
    static final int SMALL_ROWS = 16;
    /** Multiply-adds the check of the real network may cost (some seconds): beyond it, a sample of the parameters. */
    static final long BUDGET = 4_500_000_000L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GradcheckCommand.class);

    private GradcheckCommand() {
    }

    static int run(Args a, PrintStream out) {
        double tolerance = a.positive(Opt.TOLERANCE);
        long seed = a.longValue(Opt.SEED);
        Initializer init;
        try {
            init = Initializer.parse(a.required(Opt.INIT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--init: " + e.getMessage());
        }
        int hidden = a.integer(Opt.HIDDEN, 1, NetworkShape.MAX_HIDDEN);
        Activation activation;
        try {
            activation = Activation.parse(a.required(Opt.ACTIVATION));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--activation: " + e.getMessage());
        }
        Kernel kernel;
        try {
            kernel = Kernel.parse(a.required(Opt.KERNEL));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--kernel: " + e.getMessage());
        }
        if (kernel == Kernel.FLOAT) {
            throw new UsageException("--kernel float rounds to single precision (~1e-7), which swamps a finite difference "
                    + "of step 1e-5: check simd, the same algorithm in double (the tests compare float with it)");
        }
        int rows = a.integer(Opt.ROWS, 1, 10_000);
        Dropout dropout = Dropout.forStep(a.number(Opt.DROPOUT, 0, true, 1, false), seed, 0);
        out.println("kernel: " + kernel.id() + (dropout.active() ? ", dropout " + dropout.rate() + " (the masks of one step)" : ""));
        boolean ok = report(out, "random " + SMALL + " " + activation.id() + " network, " + SMALL_ROWS + " random rows",
                GradientCheck.check(Initializer.SEED.initialize(SMALL, seed), activation, kernel, dropout,
                        randomRows(SMALL, SMALL_ROWS, seed), GradientCheck.DEFAULT_STEP), tolerance);
        if (a.given(Opt.DATA)) {
            DigitBlock real = InputFiles.firstRows(a.required(Opt.DATA), rows);
            NetworkShape shape = NetworkShape.mnist(hidden);
            int count = GradientCheck.affordable(shape, real.rows(), BUDGET);
            int[] sample = GradientCheck.sample(shape, count, seed);
            long[] last = {System.nanoTime()};
            GradientCheck.Progress progress = (done, total) -> {
                if (System.nanoTime() - last[0] > 5_000_000_000L) {
                    last[0] = System.nanoTime();
                    LOG.info("gradcheck: {} of {} parameters checked", done, total);
                }
            };
            ok &= report(out, shape + " " + activation.id() + " network (" + init.id() + " init), " + real.rows()
                    + " rows of " + a.required(Opt.DATA) + (sample == null ? "" : ", a sample of " + count + " of its "
                    + shape.parameterCount() + " parameters (drawn with --seed; fewer rows or a smaller --hidden check more)"),
                    GradientCheck.check(init.initialize(shape, seed), activation, kernel, dropout, real,
                            GradientCheck.DEFAULT_STEP, sample, progress), tolerance);
        }
        out.println(ok ? "gradcheck passed" : "gradcheck FAILED: relative error above " + tolerance);
        return ok ? 0 : 1;
    }

    private static boolean report(PrintStream out, String what, GradientCheck.Result r, double tolerance) {
        out.printf(Locale.ROOT, "%s: %d parameters, largest relative error %.3e at %s (analytic %.6e, numeric %.6e)%n",
                what, r.checked(), r.maxRelativeError(), r.worstName(), r.analytic(), r.numeric());
        return r.maxRelativeError() <= tolerance;
    }

    static DigitBlock randomRows(NetworkShape s, int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        byte[] px = new byte[n * s.inputs()];
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) {
            lb[i] = (byte) r.nextInt(s.classes());
            for (int j = 0; j < s.inputs(); j++) {
                px[i * s.inputs() + j] = (byte) r.nextInt(256);
            }
        }
        return new DigitBlock(n, s.inputs(), lb, px);
    }


}
