package org.sparkdigits.spark;

import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.Evaluation;
import org.sparkdigits.core.GradientSum;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Parameters;
import org.sparkdigits.core.TwoLayerNetwork;

/**
 * The thin Spark layer over {@link TwoLayerNetwork}: one pass over the cached blocks with broadcast
 * weights, each partition summing over its block, the partial sums combined in partition order.
 */
public final class DistributedNetwork {

    private DistributedNetwork() {
    }

    /** Sums of gradient, loss, rows and correct predictions over all blocks, for the broadcast weights. */
    public static GradientSum gradientSum(JavaRDD<DigitBlock> blocks, NetworkShape shape, Broadcast<double[]> weights) {
        JavaRDD<GradientSum> partials = blocks.mapPartitions(it -> {
            TwoLayerNetwork net = new TwoLayerNetwork(new Parameters(shape, weights.value()));
            GradientSum sum = new GradientSum(shape);
            while (it.hasNext()) {
                net.accumulateGradient(it.next(), sum);
            }
            return List.of(sum).iterator();
        });
        try {
            return OrderedAggregation.combineInOrder(partials, GradientSum::add);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Confusion matrix and loss over all (labelled) blocks. */
    public static Evaluation evaluate(JavaRDD<DigitBlock> blocks, Parameters parameters) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.context());
        Broadcast<double[]> weights = jsc.broadcast(parameters.values().clone());
        NetworkShape shape = parameters.shape();
        try {
            JavaRDD<Evaluation> partials = blocks.mapPartitions(it -> {
                TwoLayerNetwork net = new TwoLayerNetwork(new Parameters(shape, weights.value()));
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
}
