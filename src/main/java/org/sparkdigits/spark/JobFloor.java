package org.sparkdigits.spark;

import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.network.NetworkShape;

/**
 * Jobs that do everything a training step does except the arithmetic, for the benchmark: what Spark's
 * per-step overhead is made of. Each runs over the same cached blocks as training.
 */
public final class JobFloor {

    private JobFloor() {
    }

    /** A job with one task per partition that touches its block and returns one number: scheduling alone. */
    public static long bare(JavaRDD<DigitBlock> blocks) {
        return LeanJobs.collect(LeanJobs.mapPartitions(blocks, it -> {
            long rows = 0;
            while (it.hasNext()) {
                rows += it.next().rows();
            }
            return List.of(rows).iterator();
        })).stream().mapToLong(Long::longValue).sum();
    }

    /** As {@link #bare}, each task returning a zero {@link GradientSum} that the driver adds in partition order. */
    public static GradientSum withResult(JavaRDD<DigitBlock> blocks, NetworkShape shape) {
        return SparkPasses.combine(LeanJobs.mapPartitions(blocks, it -> {
            while (it.hasNext()) {
                it.next();
            }
            return List.of(new GradientSum(shape)).iterator();
        }));
    }

    /** As {@link #withResult}, with the weights broadcast first and read by each task: a step without arithmetic. */
    public static GradientSum withBroadcast(JavaRDD<DigitBlock> blocks, NetworkShape shape, double[] weights) {
        Broadcast<double[]> w = JavaSparkContext.fromSparkContext(blocks.context()).broadcast(weights);
        try {
            return SparkPasses.combine(LeanJobs.mapPartitions(blocks, it -> {
                double[] v = w.value();
                while (it.hasNext()) {
                    it.next();
                }
                GradientSum s = new GradientSum(shape);
                s.gradient()[0] = v[0] * 0.0;
                return List.of(s).iterator();
            }));
        } finally {
            w.destroy();
        }
    }
}
