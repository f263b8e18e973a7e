package org.sparkdigits.model;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.report.Charts;

/**
 * A process that saves models to one directory in a loop, as {@code train --out SAME} run twice at once would:
 * {@code DIR WRITER COUNT MODE}. Write {@code i} of writer {@code w} holds the weights of seed {@code w * 1000 + i}
 * (and says so in model.json); after each write the directory is read back, and every third write also replaces
 * report.html. Exits 0 when all went well, 2 with the one-line message of a {@link ModelException}.
 */
public final class ConcurrentWriter {

    private ConcurrentWriter() {
    }

    static int seed(int writer, int i) {
        return writer * 1000 + i;
    }

    static Parameters params(int seed) {
        return Initializer.SEED.initialize(NetworkShape.mnist(5), seed);
    }

    public static void main(String[] args) {
        String dir = args[0];
        int writer = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        Configuration conf = new Configuration();
        conf.set(ModelManifest.SETTING, args[3]);
        try {
            for (int i = 0; i < count; i++) {
                int seed = seed(writer, i);
                ModelStore.write(dir, conf, new Model(params(seed), Map.of("seed", seed)), Map.of("test_accuracy", 0.5),
                        List.of("iteration,loss,train_accuracy,elapsed_ms", "1,2.3,0.1," + seed),
                        Map.of(Charts.LOSS, ("chart of " + seed).getBytes(StandardCharsets.UTF_8)));
                ModelStore.read(dir, conf);
                if (i % 3 == 2) {
                    ModelStore.replaceFile(dir, ModelStore.REPORT_HTML,
                            ("<html>" + seed + "</html>").getBytes(StandardCharsets.UTF_8), conf);
                }
            }
        } catch (ModelException e) {
            System.err.println("spark-digits: " + e.getMessage());
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {   // where, for a failure under load
                System.err.println("caused by " + c);
                for (StackTraceElement f : java.util.Arrays.copyOf(c.getStackTrace(), Math.min(12, c.getStackTrace().length))) {
                    System.err.println("    at " + f);
                }
            }
            System.exit(2);
        }
        System.out.println("writer " + writer + ": " + count + " models written");
    }
}
