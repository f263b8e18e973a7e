package org.sparkdigits.spark;

import org.sparkdigits.spark.load.KeyPartitioner;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;

import scala.Tuple2;

/**
 * A tree aggregation whose result does not depend on which task finishes first.
 *
 * <p>Spark's {@code treeAggregate} merges partial results in the order tasks complete, and floating-point
 * addition is not associative, so two runs of the same job can differ in the last bits. Here the
 * partials (one per partition) are combined strictly by partition index: directly on the driver when
 * there are at most {@link #FAN_IN} of them, else first in groups of consecutive partitions on the
 * executors (each group sorted by index), then on the driver in group order.
 */
final class OrderedAggregation {

    /** Partials combined by one node. */
    static final int FAN_IN = 32;

    private OrderedAggregation() {
    }

    /**
     * @param partials exactly one element per partition (the partition's own sum)
     * @param combine  adds the second argument into the first and returns the first
     */
    static <T extends Serializable> T combineInOrder(JavaRDD<T> partials, Function2<T, T, T> combine) throws Exception {
        int n = partials.getNumPartitions();
        List<T> collected;
        if (n <= FAN_IN) {
            collected = LeanJobs.collect(partials); // partitions in index order
        } else {
            int groups = (n + FAN_IN - 1) / FAN_IN;
            collected = partials
                    .mapPartitionsWithIndex((index, it) -> {
                        List<Tuple2<Integer, Tuple2<Integer, T>>> out = new ArrayList<>(1);
                        while (it.hasNext()) {
                            out.add(new Tuple2<>(index / FAN_IN, new Tuple2<>(index, it.next())));
                        }
                        return out.iterator();
                    }, true)
                    .mapToPair(t -> t)
                    .partitionBy(new KeyPartitioner(groups))
                    .mapPartitions(it -> {
                        List<Tuple2<Integer, T>> members = new ArrayList<>();
                        it.forEachRemaining(t -> members.add(t._2()));
                        members.sort(Comparator.comparing(Tuple2::_1));
                        T acc = null;
                        for (Tuple2<Integer, T> m : members) {
                            acc = acc == null ? m._2() : combine.call(acc, m._2());
                        }
                        return acc == null ? List.<T>of().iterator() : List.of(acc).iterator();
                    })
                    .collect();
        }
        T acc = collected.get(0);
        for (int i = 1; i < collected.size(); i++) {
            acc = combine.call(acc, collected.get(i));
        }
        return acc;
    }
}
