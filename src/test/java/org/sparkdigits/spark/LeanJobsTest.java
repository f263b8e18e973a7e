package org.sparkdigits.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparkdigits.testing.SparkTestSession;

/** The closure-free RDD operations behave like Spark's own: same elements, partition order, errors surface. */
@Tag("spark-layer")
class LeanJobsTest {

    private static JavaRDD<Integer> numbers(int n, int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        return jsc.parallelize(IntStream.range(0, n).boxed().toList(), partitions);
    }

    @Test
    void mapPartitionsAndCollectKeepPartitionOrder() {
        JavaRDD<Integer> rdd = numbers(100, 7);
        JavaRDD<Integer> sums = LeanJobs.mapPartitions(rdd, it -> {
            int s = 0;
            while (it.hasNext()) {
                s += it.next();
            }
            return List.of(s).iterator();
        });
        assertEquals(sums.collect(), LeanJobs.collect(sums));
        assertEquals(7, LeanJobs.collect(sums).size());
        assertEquals(IntStream.range(0, 100).boxed().toList(), LeanJobs.collect(rdd));
    }

    @Test
    void zipPartitionsPairsTheSamePartitions() {
        JavaRDD<Integer> a = numbers(50, 5);
        JavaRDD<Integer> b = a.map(x -> -x);
        List<Integer> zeros = LeanJobs.collect(LeanJobs.zipPartitions(a, b, (xs, ys) -> {
            List<Integer> out = new ArrayList<>();
            while (xs.hasNext()) {
                out.add(xs.next() + ys.next());
            }
            return out.iterator();
        }));
        assertEquals(50, zeros.size());
        assertTrue(zeros.stream().allMatch(z -> z == 0));
    }

    @Test
    void aCheckedExceptionInATaskSurfacesWithItsMessage() {
        JavaRDD<Integer> failing = LeanJobs.mapPartitions(numbers(10, 2), it -> {
            throw new IOException("disk on fire");
        });
        Exception e = assertThrows(Exception.class, () -> LeanJobs.collect(failing));
        assertTrue(String.valueOf(e.getMessage()).contains("disk on fire"), e.toString());
    }
}
