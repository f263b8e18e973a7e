package org.sparkdigits.spark;

import java.io.Serializable;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.augment.FreshDistortions;
import org.sparkdigits.core.Activation;
import org.sparkdigits.core.BatchPlan;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.Dropout;
import org.sparkdigits.core.GradientSum;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Parameters;
import org.sparkdigits.core.Regularization;
import org.sparkdigits.core.GradientKernel;
import org.sparkdigits.core.Kernel;

/**
 * {@code --local-steps K}: each task takes K plain SGD steps on its own slices, starting from the broadcast
 * weights; the driver averages the resulting models, weighted by the rows each partition used. One Spark
 * job per K steps instead of per step. The driver turns the average into a pseudo-gradient
 * {@code (θ - θ_avg) / lr} for its optimiser, so that with SGD the new weights are exactly the average.
 */
final class LocalSteps {

    private LocalSteps() {
    }

    /** Row-weighted sum of the partitions' final models, with the loss and correct counts of their steps. */
    static final class ModelSum implements Serializable {
        final double[] weighted;
        long rows;
        double loss;
        long correct;

        ModelSum(int n) {
            weighted = new double[n];
        }

        ModelSum add(ModelSum o) {
            for (int i = 0; i < weighted.length; i++) {
                weighted[i] += o.weighted[i];
            }
            rows += o.rows;
            loss += o.loss;
            correct += o.correct;
            return this;
        }
    }

    /**
     * @param firstStep the first step of the round within the epoch
     * @param steps     K' (the round's length; the last round of an epoch may be shorter)
     * @param rates     the learning rate of each of the K' steps
     * @param dropout   the hidden layer's dropout rate (0: none)
     * @param seed      the run's seed, from which each step's dropout masks are drawn
     * @param firstGlobalStep the round's first step counted over the whole run (for the dropout masks)
     * @param fresh     on-the-fly distortions (null: none), of epoch {@code epoch}
     */
    static ModelSum round(JavaRDD<DigitBlock> blocks, JavaRDD<int[]> permutations, BatchPlan plan, int firstStep,
                          int steps, double[] rates, double l2, NetworkShape shape, Activation activation,
                          Kernel kernel, double dropout, long seed, long firstGlobalStep,
                          FreshDistortions fresh, int epoch, Broadcast<double[]> weights) {
        JavaRDD<ModelSum> partials = LeanJobs.zipPartitions(blocks, permutations, (bs, ps) -> {
            List<DigitBlock> myBlocks = new java.util.ArrayList<>();
            List<int[]> myOrders = new java.util.ArrayList<>();
            bs.forEachRemaining(myBlocks::add);
            ps.forEachRemaining(myOrders::add);
            double[] theta = weights.value().clone();
            Parameters local = new Parameters(shape, theta);
            ModelSum out = new ModelSum(theta.length);
            for (int j = 0; j < steps; j++) {
                GradientKernel net = kernel.create(local, activation);
                GradientSum g = new GradientSum(shape);
                Dropout masks = Dropout.forStep(dropout, seed, firstGlobalStep + j);
                for (int b = 0; b < myBlocks.size(); b++) {
                    DigitBlock block = myBlocks.get(b);
                    int from = plan.sliceStart(block.rows(), firstStep + j);
                    int to = plan.sliceStart(block.rows(), firstStep + j + 1);
                    DistributedNetwork.accumulateSlice(net, block, myOrders.get(b), from, to, g, masks, fresh, epoch);
                }
                if (g.count() == 0) {
                    continue;
                }
                double[] mean = g.meanGradient();
                Regularization.addL2(theta, mean, shape, l2);
                for (int i = 0; i < theta.length; i++) {
                    theta[i] -= rates[j] * mean[i];
                }
                out.rows += g.count();
                out.loss += g.loss();
                out.correct += g.correct();
            }
            for (int i = 0; i < theta.length; i++) {
                out.weighted[i] = theta[i] * out.rows;
            }
            return List.of(out).iterator();
        });
        try {
            return OrderedAggregation.combineInOrder(partials, ModelSum::add);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
