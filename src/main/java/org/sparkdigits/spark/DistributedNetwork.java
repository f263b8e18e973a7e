package org.sparkdigits.spark;

import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.augment.FreshDistortions;
import org.sparkdigits.core.Activation;
import org.sparkdigits.core.BatchPlan;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.Dropout;
import org.sparkdigits.core.Evaluation;
import org.sparkdigits.core.GradientKernel;
import org.sparkdigits.core.GradientSum;
import org.sparkdigits.core.Kernel;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Parameters;

/**
 * The thin Spark layer over a {@link GradientKernel}: one pass over the cached blocks (or over one slice
 * of each) with broadcast weights, each partition summing over its rows, the partial sums combined in
 * partition order.
 */
public final class DistributedNetwork {

    private DistributedNetwork() {
    }

    /** Sums of gradient, loss, rows and correct predictions over all blocks, for the broadcast weights. */
    public static GradientSum gradientSum(JavaRDD<DigitBlock> blocks, NetworkShape shape, Activation activation,
                                          Kernel kernel, Broadcast<double[]> weights) {
        return gradientSum(blocks, shape, activation, kernel, Dropout.NONE, weights);
    }

    /** The same with {@code dropout}'s masks on the hidden layer. */
    public static GradientSum gradientSum(JavaRDD<DigitBlock> blocks, NetworkShape shape, Activation activation,
                                          Kernel kernel, Dropout dropout, Broadcast<double[]> weights) {
        return gradientSum(blocks, shape, activation, kernel, dropout, null, 0, weights);
    }

    /** The same on every row's epoch-{@code epoch} variant from {@code fresh} (none if {@code fresh} is null). */
    public static GradientSum gradientSum(JavaRDD<DigitBlock> blocks, NetworkShape shape, Activation activation,
                                          Kernel kernel, Dropout dropout, FreshDistortions fresh, int epoch,
                                          Broadcast<double[]> weights) {
        return combine(LeanJobs.mapPartitions(blocks, it -> {
            GradientKernel net = kernel.create(new Parameters(shape, weights.value()), activation);
            GradientSum sum = new GradientSum(shape);
            while (it.hasNext()) {
                DigitBlock b = it.next();
                accumulateSlice(net, b, null, 0, b.rows(), sum, dropout, fresh, epoch);
            }
            return List.of(sum).iterator();
        }));
    }

    /** A ReLU network's {@link #gradientSum(JavaRDD, NetworkShape, Activation, Kernel, Broadcast)} on the default kernel. */
    public static GradientSum gradientSum(JavaRDD<DigitBlock> blocks, NetworkShape shape, Broadcast<double[]> weights) {
        return gradientSum(blocks, shape, Activation.RELU, Kernel.SIMD, weights);
    }

    /**
     * Sums over slice {@code step} of every block, in the order of that block's permutation: a mini-batch
     * step that reads O(batch) rows. {@code permutations} has one permutation per block, partition by partition.
     */
    public static GradientSum sliceGradientSum(JavaRDD<DigitBlock> blocks, JavaRDD<int[]> permutations, BatchPlan plan,
                                               int step, NetworkShape shape, Activation activation, Kernel kernel,
                                               Broadcast<double[]> weights) {
        return sliceGradientSum(blocks, permutations, plan, step, shape, activation, kernel, Dropout.NONE, weights);
    }

    /** The same with {@code dropout}'s masks on the hidden layer. */
    public static GradientSum sliceGradientSum(JavaRDD<DigitBlock> blocks, JavaRDD<int[]> permutations, BatchPlan plan,
                                               int step, NetworkShape shape, Activation activation, Kernel kernel,
                                               Dropout dropout, Broadcast<double[]> weights) {
        return sliceGradientSum(blocks, permutations, plan, step, shape, activation, kernel, dropout, null, 0, weights);
    }

    /** The same on the slice rows' epoch-{@code epoch} variants from {@code fresh} (none if {@code fresh} is null). */
    public static GradientSum sliceGradientSum(JavaRDD<DigitBlock> blocks, JavaRDD<int[]> permutations, BatchPlan plan,
                                               int step, NetworkShape shape, Activation activation, Kernel kernel,
                                               Dropout dropout, FreshDistortions fresh, int epoch,
                                               Broadcast<double[]> weights) {
        return combine(LeanJobs.zipPartitions(blocks, permutations, (bs, ps) -> {
            GradientKernel net = kernel.create(new Parameters(shape, weights.value()), activation);
            GradientSum sum = new GradientSum(shape);
            while (bs.hasNext()) {
                DigitBlock b = bs.next();
                int[] order = ps.next();
                int from = plan.sliceStart(b.rows(), step);
                int to = plan.sliceStart(b.rows(), step + 1);
                accumulateSlice(net, b, order, from, to, sum, dropout, fresh, epoch);
            }
            return List.of(sum).iterator();
        }));
    }

    /**
     * Adds rows {@code order[from..to)} of {@code b} to {@code sum}: as they are, or as their epoch-{@code epoch}
     * variants when {@code fresh} is not null.
     */
    static void accumulateSlice(GradientKernel net, DigitBlock b, int[] order, int from, int to, GradientSum sum,
                                Dropout dropout, FreshDistortions fresh, int epoch) {
        if (to <= from) {
            return;
        }
        if (fresh == null) {
            net.accumulateGradient(b, order, from, to, sum, dropout);
        } else {
            DigitBlock variants = fresh.slice(b, order, from, to, epoch);
            net.accumulateGradient(variants, null, 0, variants.rows(), sum, dropout);
        }
    }

    /** Confusion matrix and loss over all (labelled) blocks. */
    public static Evaluation evaluate(JavaRDD<DigitBlock> blocks, Parameters parameters, Activation activation) {
        return evaluate(blocks, parameters, activation, Kernel.SIMD);
    }

    /** Confusion matrix and loss over all (labelled) blocks, computed with {@code kernel}. */
    public static Evaluation evaluate(JavaRDD<DigitBlock> blocks, Parameters parameters, Activation activation,
                                      Kernel kernel) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.context());
        Broadcast<double[]> weights = jsc.broadcast(parameters.values().clone());
        NetworkShape shape = parameters.shape();
        try {
            JavaRDD<Evaluation> partials = LeanJobs.mapPartitions(blocks, it -> {
                GradientKernel net = kernel.create(new Parameters(shape, weights.value()), activation);
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
