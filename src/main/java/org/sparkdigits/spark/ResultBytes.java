package org.sparkdigits.spark;

import org.sparkdigits.spark.load.ScalaCollections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The bytes of task results the driver received for one run's jobs (Spark's {@code resultSize} of each finished task
 * of a job carrying one of the run's job tags): what the driver takes in per step, on either engine. Listening from
 * {@link #start} to {@link #close}; Spark's listener bus delivers the events a little later, so {@link #bytes} is read
 * after the run's last job has ended.
 */
final class ResultBytes extends SparkListener implements AutoCloseable {

    private final SparkContext sc;
    private final Set<String> tags;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();

    private ResultBytes(SparkContext sc, Set<String> tags) {
        this.sc = sc;
        this.tags = tags;
    }

    /** Listens for the jobs of this thread's job tags (none: for every job of the context). */
    static ResultBytes start(SparkContext sc) {
        ResultBytes r = new ResultBytes(sc, toSet(sc));
        sc.addSparkListener(r);
        return r;
    }

    private static Set<String> toSet(SparkContext sc) {
        Set<String> out = new java.util.HashSet<>();
        ScalaCollections.asJava(sc.getJobTags().iterator()).forEachRemaining(out::add);
        return out;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        String jobTags = start.properties() == null ? null : start.properties().getProperty("spark.job.tags");
        boolean ours = tags.isEmpty();
        if (!ours && jobTags != null) {
            for (String t : jobTags.split(",")) {
                ours |= tags.contains(t.strip());
            }
        }
        if (ours) {
            ScalaCollections.asJava(start.stageIds().iterator()).forEachRemaining(id -> stages.add((Integer) id));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null && stages.contains(end.stageId())) {
            bytes.addAndGet(end.taskMetrics().resultSize());
            tasks.incrementAndGet();
        }
    }

    /** The result bytes counted so far. */
    long bytes() {
        return bytes.get();
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
