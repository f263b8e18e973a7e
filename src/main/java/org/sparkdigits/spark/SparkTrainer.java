package org.sparkdigits.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.GradientDescent;
import org.sparkdigits.core.GradientSum;
import org.sparkdigits.core.Parameters;

/**
 * The driver loop of full-batch gradient descent. Each iteration: broadcast the weights, one ordered
 * tree aggregation of (gradient sum, loss sum, rows, correct) over the cached blocks, divide once by
 * the global row count, update, destroy the broadcast, record.
 */
public final class SparkTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    /**
     * @param iterations   full passes over the data
     * @param learningRate step size
     * @param logEvery     a progress line (and a history row) every this many iterations
     */
    public record Settings(int iterations, double learningRate, int logEvery) {
    }

    /** One row of history.csv: the state at {@code iteration} (loss and accuracy before its update). */
    public record HistoryRow(int iteration, double loss, double trainAccuracy, long elapsedMs) {
    }

    /**
     * @param parameters   the trained weights
     * @param history      the logged iterations
     * @param trainSeconds wall time of the loop
     * @param msPerIteration median, min and max of the iterations' wall times
     */
    public record Result(Parameters parameters, List<HistoryRow> history, double trainSeconds,
                         double[] msPerIteration) {

        public double medianMs() {
            return msPerIteration[0];
        }
    }

    private SparkTrainer() {
    }

    public static Result train(JavaRDD<DigitBlock> blocks, Parameters initial, Settings s) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.context());
        Parameters p = initial.copy();
        GradientDescent descent = new GradientDescent(s.learningRate());
        List<HistoryRow> history = new ArrayList<>();
        double[] times = new double[s.iterations()];
        long start = System.nanoTime();
        try {
            for (int it = 1; it <= s.iterations(); it++) {
                long t0 = System.nanoTime();
                jsc.setJobDescription("iteration " + it + "/" + s.iterations());
                Broadcast<double[]> weights = jsc.broadcast(p.values().clone());
                GradientSum sum;
                try {
                    sum = DistributedNetwork.gradientSum(blocks, p.shape(), weights);
                } finally {
                    weights.destroy();
                }
                descent.step(p, sum);
                long t1 = System.nanoTime();
                times[it - 1] = (t1 - t0) / 1e6;
                if (!Double.isFinite(sum.loss())) {
                    throw new IllegalStateException("the loss became " + sum.loss() + " at iteration " + it
                            + ": the learning rate " + s.learningRate() + " is too large");
                }
                if (it % s.logEvery() == 0 || it == s.iterations() || it == 1) {
                    long elapsed = (t1 - start) / 1_000_000;
                    history.add(new HistoryRow(it, sum.meanLoss(), sum.accuracy(), elapsed));
                    double median = median(Arrays.copyOf(times, it));
                    LOG.info(String.format("iteration %d/%d  loss %.4f  train acc %.4f  %.0f ms/it  ETA %s",
                            it, s.iterations(), sum.meanLoss(), sum.accuracy(), median,
                            eta(median * (s.iterations() - it))));
                }
            }
        } finally {
            jsc.setJobDescription(null);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        return new Result(p, history, seconds, new double[] {median(times), sorted[0], sorted[sorted.length - 1]});
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String eta(double ms) {
        long s = Math.round(ms / 1000);
        return s < 60 ? s + " s" : (s / 60) + " min " + (s % 60) + " s";
    }
}
