package org.sparkdigits.cli;

import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.TrainOption;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Dropout;
import org.sparkdigits.core.kernel.GradientCheck;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.train.Check;
import org.sparkdigits.train.NetworkSpec;
import org.sparkdigits.train.TrainingSpec;

import picocli.CommandLine;

/**
 * {@code gradcheck}: finite differences against backprop on a small random network, and on the first {@code --rows}
 * rows of {@code --data} when given (a sample of a large network's parameters), for the network that {@code train}'s
 * {@code --hidden --activation --kernel --init --seed --dropout --label-smoothing} describe. On the driver alone (no Spark job).
 */
@CommandLine.Command(name = "gradcheck", description = "finite-difference check of the backprop gradient")
final class GradcheckCommand extends CliCommand {

    /** Multiply-adds the check of the real network may cost (some seconds): beyond it, a sample of the parameters. */
    static final long BUDGET = 4_500_000_000L;

    @CommandLine.Option(names = "--data", paramLabel = "PATH", description = "labelled digits (CSV, LIBSVM or IDX) whose "
            + "first rows are checked too")
    String data;

    @CommandLine.Option(names = "--rows", paramLabel = "N", defaultValue = "8", description = "real rows taken from --data "
            + "[default: ${DEFAULT-VALUE}]")
    int rows;

    @CommandLine.Option(names = "--tolerance", paramLabel = "X", defaultValue = "1e-5", description = "largest relative error "
            + "accepted (real rows give ~1e-7; a backprop bug 1e-2 to 1) [default: ${DEFAULT-VALUE}]")
    double tolerance;

    @Override
    void declareOptions(CommandLine.Model.CommandSpec spec) {
        SharedOptions.declare(spec, List.of(TrainOption.HIDDEN, TrainOption.ACTIVATION, TrainOption.KERNEL, TrainOption.INIT,
                TrainOption.SEED, TrainOption.DROPOUT, TrainOption.LABEL_SMOOTHING));
    }

    @Override
    public Integer call() {
        Main.usage(() -> Check.positive("--tolerance", tolerance));
        Main.usage(() -> Check.between("--rows", rows, 1, 10_000));
        TrainingSpec settings = settings();
        NetworkSpec net = settings.network();
        if (net.kernel() == KernelKind.FLOAT) {
            throw new UsageException("--kernel float rounds to single precision (~1e-7), which swamps a finite difference "
                    + "of step 1e-5: check simd, the same algorithm in double (the tests compare float with it)");
        }
        long seed = settings.loop().seed();
        Dropout masks = Dropout.forStep(settings.regularization().dropout(), seed, 0);
        LabelSmoothing smoothing = settings.regularization().smoothing();
        out.println("kernel: " + net.kernel().id() + (masks.active() ? ", dropout " + masks.rate() + " (the masks of one step)" : "")
                + (smoothing.active() ? ", label smoothing " + smoothing.epsilon() : ""));
        NetworkShape small = GradientCheck.SMALL;
        boolean ok = report("random " + small + " " + net.activation().id() + " network, " + GradientCheck.SMALL_ROWS
                + " random rows", GradientCheck.small(net.activation(), net.kernel(), masks, smoothing, seed));
        if (data != null) {
            DigitBlock real = InputFiles.firstRows(need(data, "--data", "PATH"), rows);
            NetworkShape shape = net.shape();
            int count = GradientCheck.affordable(shape, real.rows(), BUDGET);
            int[] sample = GradientCheck.sample(shape, count, seed);
            long[] last = {System.nanoTime()};
            GradientCheck.Progress progress = (done, total) -> {
                if (System.nanoTime() - last[0] > 5_000_000_000L) {
                    last[0] = System.nanoTime();
                    log().info("gradcheck: {} of {} parameters checked", done, total);
                }
            };
            ok &= report(shape + " " + net.activation().id() + " network (" + net.init().id() + " init), " + real.rows()
                    + " rows of " + data + (sample == null ? "" : ", a sample of " + count + " of its "
                    + shape.parameterCount() + " parameters (drawn with --seed; fewer rows or a smaller --hidden check more)"),
                    GradientCheck.check(net.init().initialize(shape, seed), net.activation(), net.kernel(), masks, smoothing, real,
                            GradientCheck.DEFAULT_STEP, sample, progress));
        }
        out.println(ok ? "gradcheck passed" : "gradcheck FAILED: relative error above " + tolerance);
        return ok ? Main.OK : Main.FAILED;
    }

    private boolean report(String what, GradientCheck.Result r) {
        out.printf(Locale.ROOT, "%s: %d parameters, largest relative error %.3e at %s (analytic %.6e, numeric %.6e)%n",
                what, r.checked(), r.maxRelativeError(), r.worstName(), r.analytic(), r.numeric());
        return r.maxRelativeError() <= tolerance;
    }

    /** The logger, made when first used: the usage loads this class, and it needs no logging set up. */
    private static Logger log() {
        return LoggerFactory.getLogger(GradcheckCommand.class);
    }
}
