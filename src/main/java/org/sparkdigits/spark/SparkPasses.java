package org.sparkdigits.spark;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.Kernel;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.kernel.KernelWeights;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

/**
 * The thin Spark layer over a {@link Kernel}: one pass over the cached blocks (or over one slice
 * of each) with broadcast weights, each partition summing over its rows, the partial sums combined in
 * partition order.
 */
public final class SparkPasses {

    private SparkPasses() {
    }

    /** Sums of gradient, loss, rows and correct predictions over all blocks, for the broadcast weights. */
    static GradientSum gradientSum(JavaRDD<DigitBlock> blocks, Pass pass, Broadcast<KernelWeights> weights) {
        return combine(LeanJobs.mapPartitions(blocks, it -> {
            List<DigitBlock> mine = new ArrayList<>();
            it.forEachRemaining(mine::add);
            return List.of(whole(mine, weights.value(), pass)).iterator();
        }));
    }

    /**
     * A partition's sum over every row of its blocks, in order: what a task of either engine computes for a full-batch
     * step.
     */
    static GradientSum whole(List<DigitBlock> mine, KernelWeights w, Pass pass) {
        Kernel net = w.kernel(pass.activation());
        GradientSum sum = new GradientSum(pass.shape());
        for (DigitBlock b : mine) {
            accumulateSlice(net, b, null, 0, b.rows(), sum, pass);
        }
        return sum;
    }

    /** A ReLU network's gradient sum over all blocks on the default kernel, the rows as they are. */
    public static GradientSum gradientSum(JavaRDD<DigitBlock> blocks, Parameters parameters) {
        return gradientSum(blocks, parameters, Activation.RELU, KernelKind.SIMD);
    }

    /** The gradient sum of {@code kernel} for {@code activation} over all blocks, the rows as they are. */
    public static GradientSum gradientSum(JavaRDD<DigitBlock> blocks, Parameters parameters, Activation activation,
                                          KernelKind kernel) {
        Pass pass = Pass.plain(parameters.shape(), activation, kernel);
        return withWeights(blocks, parameters, kernel, w -> gradientSum(blocks, pass, w));
    }

    /**
     * Sums over slice {@code step} of every block, in the order of that block's permutation: a mini-batch
     * step that reads O(batch) rows. {@code permutations} has one permutation per block, partition by partition.
     */
    static GradientSum sliceGradientSum(JavaRDD<DigitBlock> blocks, JavaRDD<int[]> permutations, BatchPlan plan, int step,
                                        Pass pass, Broadcast<KernelWeights> weights) {
        return combine(LeanJobs.zipPartitions(blocks, permutations, (bs, ps) -> {
            List<DigitBlock> mine = new ArrayList<>();
            List<int[]> orders = new ArrayList<>();
            while (bs.hasNext()) {
                mine.add(bs.next());
                orders.add(ps.next());
            }
            return List.of(slice(mine, orders, plan, step, weights.value(), pass)).iterator();
        }));
    }

    /**
     * A partition's sum over slice {@code step} of its blocks (each in its permutation's order): what a task of either
     * engine computes for a mini-batch step.
     */
    static GradientSum slice(List<DigitBlock> mine, List<int[]> orders, BatchPlan plan, int step, KernelWeights w, Pass pass) {
        Kernel net = w.kernel(pass.activation());
        long rows = 0;
        long nnz = 0;
        for (int k = 0; k < mine.size(); k++) {
            DigitBlock b = mine.get(k);
            int[] order = orders.get(k);
            int[] start = b.sparse().start();
            for (int r = plan.sliceStart(b.rows(), step); r < plan.sliceStart(b.rows(), step + 1); r++) {
                nnz += start[order[r] + 1] - start[order[r]];
                rows++;
            }
        }
        // a small slice returns its rows and their deltas instead of the dense dW1 (exact: they are replayed in order)
        GradientSum sum = w.compactPays(rows, nnz) ? GradientSum.compact(pass.shape()) : new GradientSum(pass.shape());
        for (int k = 0; k < mine.size(); k++) {
            DigitBlock b = mine.get(k);
            accumulateSlice(net, b, orders.get(k), plan.sliceStart(b.rows(), step), plan.sliceStart(b.rows(), step + 1),
                    sum, pass);
        }
        return sum;
    }

    /** {@link #sliceGradientSum(JavaRDD, JavaRDD, BatchPlan, int, Pass, Broadcast)} without dropout or distortions. */
    public static GradientSum sliceGradientSum(JavaRDD<DigitBlock> blocks, JavaRDD<int[]> permutations, BatchPlan plan,
                                               int step, Parameters parameters, Activation activation, KernelKind kernel) {
        Pass pass = Pass.plain(parameters.shape(), activation, kernel);
        return withWeights(blocks, parameters, kernel, w -> sliceGradientSum(blocks, permutations, plan, step, pass, w));
    }

    /** Broadcasts {@code parameters} in {@code kernel}'s layout for one pass, and destroys the broadcast after it. */
    static <T> T withWeights(JavaRDD<DigitBlock> blocks, Parameters parameters, KernelKind kernel,
                             java.util.function.Function<Broadcast<KernelWeights>, T> pass) {
        Broadcast<KernelWeights> w = JavaSparkContext.fromSparkContext(blocks.context())
                .broadcast(KernelWeights.of(parameters, kernel));
        try {
            return pass.apply(w);
        } finally {
            w.destroy();
        }
    }

    /**
     * Adds rows {@code order[from..to)} of {@code b} to {@code sum}: as they are, or as their epoch's variants when
     * the pass makes fresh distortions.
     */
    static void accumulateSlice(Kernel net, DigitBlock b, int[] order, int from, int to, GradientSum sum, Pass pass) {
        if (to <= from) {
            return;
        }
        if (pass.fresh() == null) {
            net.accumulateGradient(b, order, from, to, sum, pass.dropout(), pass.targets(b, order, from, to));
        } else {
            DigitBlock variants = pass.fresh().slice(b, order, from, to, pass.epoch());
            net.accumulateGradient(variants, null, 0, variants.rows(), sum, pass.dropout(),
                    pass.targets(variants, null, 0, variants.rows()));
        }
    }

    /** Confusion matrix and loss over all (labelled) blocks. */
    public static Evaluation evaluate(JavaRDD<DigitBlock> blocks, Parameters parameters, Activation activation) {
        return evaluate(blocks, parameters, activation, KernelKind.SIMD);
    }

    /** Confusion matrix and loss over all (labelled) blocks, computed with {@code kernel}. */
    public static Evaluation evaluate(JavaRDD<DigitBlock> blocks, Parameters parameters, Activation activation,
                                      KernelKind kernel) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.context());
        Broadcast<KernelWeights> weights = jsc.broadcast(KernelWeights.of(parameters, kernel));
        NetworkShape shape = parameters.shape();
        try {
            JavaRDD<Evaluation> partials = LeanJobs.mapPartitions(blocks, it -> {
                Kernel net = weights.value().kernel(activation);
                Evaluation e = new Evaluation(shape.classes());
                while (it.hasNext()) {
                    net.evaluate(it.next(), e);
                }
                return List.of(e).iterator();
            });
            return OrderedAggregation.combineInOrder(partials, Evaluation::add);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            weights.destroy();
        }
    }

    /** A ReLU network's evaluation. */
    public static Evaluation evaluate(JavaRDD<DigitBlock> blocks, Parameters parameters) {
        return evaluate(blocks, parameters, Activation.RELU);
    }

    static GradientSum combine(JavaRDD<GradientSum> partials) {
        try {
            return OrderedAggregation.combineInOrder(partials, GradientSum::add);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) { // SparkException is checked but undeclared
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
