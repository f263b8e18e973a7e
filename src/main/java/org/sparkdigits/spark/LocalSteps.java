package org.sparkdigits.spark;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Dropout;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.Kernel;
import org.sparkdigits.core.kernel.KernelWeights;
import org.sparkdigits.core.kernel.LocalSgd;
import org.sparkdigits.core.loss.Regularization;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

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
    @DefaultSerializer(JavaSerializer.class)
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
     * One round of local steps.
     *
     * @param firstStep       the round's first step within the epoch
     * @param rates           the learning rate of each of its steps (the last round of an epoch may be shorter)
     * @param firstGlobalStep its first step counted over the whole run (for the dropout masks)
     * @param dropout         the hidden layer's dropout rate (0: none)
     * @param seed            the run's seed, from which each step's masks are drawn
     * @param l2              the L2 penalty added to each local gradient
     */
    @DefaultSerializer(JavaSerializer.class)
    record Round(int firstStep, double[] rates, long firstGlobalStep, double dropout, long seed, double l2)
            implements Serializable {

        int steps() {
            return rates.length;
        }
    }

    /**
     * One task's steps with the fast kernel, in its layout ({@link LocalSgd}): the same arithmetic as the loop below,
     * without a kernel, a dense sum and a mean gradient allocated per step.
     */
    private static ModelSum fastSteps(List<DigitBlock> blocks, List<int[]> orders, BatchPlan plan, Round round, Pass pass,
                                      Parameters start) {
        LocalSgd sgd = new LocalSgd(start, pass.kernel(), pass.activation());
        for (int j = 0; j < round.steps(); j++) {
            Dropout masks = Dropout.forStep(round.dropout(), round.seed(), round.firstGlobalStep() + j);
            for (int b = 0; b < blocks.size(); b++) {
                DigitBlock block = blocks.get(b);
                int from = plan.sliceStart(block.rows(), round.firstStep() + j);
                int to = plan.sliceStart(block.rows(), round.firstStep() + j + 1);
                if (to <= from) {
                    continue;
                }
                if (pass.fresh() == null) {
                    sgd.add(block, orders.get(b), from, to, masks, pass.targets(block, orders.get(b), from, to));
                } else {
                    DigitBlock variants = pass.fresh().slice(block, orders.get(b), from, to, pass.epoch());
                    sgd.add(variants, null, 0, variants.rows(), masks, pass.targets(variants, null, 0, variants.rows()));
                }
            }
            sgd.step(round.rates()[j], round.l2());
        }
        double[] theta = sgd.parameters().values();
        ModelSum out = new ModelSum(theta.length);
        out.rows = sgd.rows();
        out.loss = sgd.loss();
        out.correct = sgd.correct();
        for (int i = 0; i < theta.length; i++) {
            out.weighted[i] = theta[i] * out.rows;
        }
        return out;
    }

    /** Runs {@code round} with {@code pass}'s network, kernel and distortions, starting from the broadcast weights. */
    static ModelSum round(JavaRDD<DigitBlock> blocks, JavaRDD<int[]> permutations, BatchPlan plan, Round round, Pass pass,
                          Broadcast<KernelWeights> weights) {
        NetworkShape shape = pass.shape();
        JavaRDD<ModelSum> partials = LeanJobs.zipPartitions(blocks, permutations, (bs, ps) -> {
            List<DigitBlock> myBlocks = new java.util.ArrayList<>();
            List<int[]> myOrders = new java.util.ArrayList<>();
            bs.forEachRemaining(myBlocks::add);
            ps.forEachRemaining(myOrders::add);
            Parameters start = weights.value().parameters(); // this task's own copy
            if (LocalSgd.runs(pass.kernel())) {
                return List.of(fastSteps(myBlocks, myOrders, plan, round, pass, start)).iterator();
            }
            Parameters local = start;
            double[] theta = local.values();
            ModelSum out = new ModelSum(theta.length);
            for (int j = 0; j < round.steps(); j++) {
                Kernel net = pass.kernel().create(local, pass.activation());
                GradientSum g = new GradientSum(shape);
                Pass step = pass.withDropout(Dropout.forStep(round.dropout(), round.seed(), round.firstGlobalStep() + j));
                for (int b = 0; b < myBlocks.size(); b++) {
                    DigitBlock block = myBlocks.get(b);
                    int from = plan.sliceStart(block.rows(), round.firstStep() + j);
                    int to = plan.sliceStart(block.rows(), round.firstStep() + j + 1);
                    SparkPasses.accumulateSlice(net, block, myOrders.get(b), from, to, g, step);
                }
                if (g.count() == 0) {
                    continue;
                }
                double[] mean = g.meanGradient();
                Regularization.addL2(theta, mean, shape, round.l2());
                for (int i = 0; i < theta.length; i++) {
                    theta[i] -= round.rates()[j] * mean[i];
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
