package org.sparkdigits.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.sparkdigits.core.Activation;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.GradientCheck;
import org.sparkdigits.core.Initializer;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.data.InputException;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFiles;
import org.sparkdigits.data.RowParser;

/**
 * {@code gradcheck}: finite differences against backprop on a small random network, and on the first
 * {@code --rows} rows of {@code --data} when given. Runs on the driver alone (no Spark job).
 */
final class GradcheckCommand {

    /** The small random network: inputs, hidden, classes and rows. */
    static final NetworkShape SMALL = new NetworkShape(20, 6, 10);
    static final int SMALL_ROWS = 16;

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
        int rows = a.integer(Opt.ROWS, 1, 10_000);
        boolean ok = report(out, "random " + SMALL + " " + activation.id() + " network, " + SMALL_ROWS + " random rows",
                GradientCheck.check(Initializer.SEED.initialize(SMALL, seed), activation, randomRows(SMALL, SMALL_ROWS, seed),
                        GradientCheck.DEFAULT_STEP), tolerance);
        if (a.given(Opt.DATA)) {
            DigitBlock real = firstRows(a.required(Opt.DATA), rows);
            NetworkShape shape = NetworkShape.mnist(hidden);
            ok &= report(out, shape + " " + activation.id() + " network (" + init.id() + " init), " + real.rows()
                    + " rows of " + a.required(Opt.DATA),
                    GradientCheck.check(init.initialize(shape, seed), activation, real, GradientCheck.DEFAULT_STEP), tolerance);
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

    /** The first {@code n} rows of the first file of {@code spec}, validated like any input. */
    static DigitBlock firstRows(String spec, int n) {
        Configuration conf = new Configuration();
        List<InputFile> files = InputFiles.resolve(spec, conf, "data");
        InputFile f = files.get(0);
        if (!f.labelled()) {
            throw new InputException("data: " + f.path() + " has no label column: gradcheck needs labels");
        }
        RowParser parser = new RowParser(true);
        byte[] rec = new byte[parser.fields()];
        byte[] px = new byte[n * RowParser.PIXELS];
        byte[] lb = new byte[n];
        int got = 0;
        long line = 0;
        try (BufferedReader in = InputFiles.open(new Path(f.path()), conf, new CompressionCodecFactory(conf))) {
            String s;
            while (got < n && (s = in.readLine()) != null) {
                line++;
                if ((line == 1 && f.header()) || s.isBlank()) {
                    continue;
                }
                String problem = parser.parse(s, rec);
                if (problem != null) {
                    throw new InputException("data: " + f.path() + ":" + line + ": " + problem);
                }
                lb[got] = rec[0];
                System.arraycopy(rec, 1, px, got * RowParser.PIXELS, RowParser.PIXELS);
                got++;
            }
        } catch (IOException e) {
            throw new InputException("data: " + f.path() + ": cannot read (" + InputFiles.describe(e) + ")", e);
        }
        return new DigitBlock(got, RowParser.PIXELS, java.util.Arrays.copyOf(lb, got),
                java.util.Arrays.copyOf(px, got * RowParser.PIXELS));
    }

}
