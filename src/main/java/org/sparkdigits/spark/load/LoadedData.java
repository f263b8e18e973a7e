package org.sparkdigits.spark.load;

import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.io.InputException;

/**
 * Loaded, persisted blocks and what loading found.
 *
 * @param partitions  the persisted partitions
 * @param rows        valid rows
 * @param blockCount  number of blocks
 * @param skipped     rows dropped per file (with {@code --on-bad-row skip}), by path
 * @param seconds     wall time of the load
 * @param files       the input files
 * @param content     a fingerprint of the rows' content (hex; the same rows give the same whatever their files, order
 *                    or format), or {@code null} for data loaded in input order
 */
public record LoadedData(JavaRDD<LoadedPartition> partitions, long rows, int blockCount, Map<String, Long> skipped,
                         double seconds, List<InputFile> files, String content) {

    /** The blocks, for computing on. */
    public JavaRDD<DigitBlock> blocks() {
        return partitions.map(LoadedPartition::block);
    }

    /** Bytes of the cached blocks in memory and on disk, over all executors (Spark's storage status). */
    public record Storage(long memoryBytes, long diskBytes) {
    }

    public Storage storage() {
        for (org.apache.spark.storage.RDDInfo info : partitions.context().getRDDStorageInfo()) {
            if (info.id() == partitions.id()) {
                return new Storage(info.memSize(), info.diskSize());
            }
        }
        return new Storage(0, 0);
    }

    /** The storage memory of the executors that hold blocks (in local mode the driver's), in bytes. */
    public static long storageMemory(org.apache.spark.SparkContext sc) {
        String driver = sc.isLocal() ? null : org.apache.spark.SparkEnv.get().blockManager().blockManagerId().hostPort();
        long total = 0;
        java.util.Map<String, scala.Tuple2<Object, Object>> status =
                ScalaCollections.asJava(sc.getExecutorMemoryStatus());
        for (java.util.Map.Entry<String, scala.Tuple2<Object, Object>> e : status.entrySet()) {
            if (!e.getKey().equals(driver)) {
                total += (Long) e.getValue()._1();
            }
        }
        return total;
    }

    public long skippedRows() {
        return skipped.values().stream().mapToLong(Long::longValue).sum();
    }

    public void unpersist() {
        partitions.unpersist(false);
    }

    /** A training set and the rows held out of it. */
    public record Split(LoadedData train, LoadedData holdout) {
    }

    /**
     * Holds {@code n} rows out, chosen with {@code seed}: the rows whose seeded mix of their content key
     * is among the {@code n} smallest. Exact, and independent of partitioning. This data is unpersisted
     * once both parts are persisted; when that fails, neither part stays persisted (this data is then the caller's to
     * release).
     */
    public Split holdout(int n, long seed, StorageLevel level) {
        return holdout(n, seed, level, "--holdout");
    }

    /** {@link #holdout(int, long, StorageLevel)}, with the option that asked for it named in messages. */
    public Split holdout(int n, long seed, StorageLevel level, String option) {
        if (rows < 2) {
            throw new InputException(option + " " + n + " needs at least 2 rows of training data, to keep some to train on "
                    + "(the training data has " + rows + (rows == 1 ? " row)" : " rows)"));
        }
        if (n < 1 || n >= rows) {
            throw new InputException(option + " " + n + " must be between 1 and " + (rows - 1)
                    + " (the training data has " + rows + " rows)");
        }
        long t0 = System.nanoTime();
        long salt = ContentKeys.mix(seed ^ 0x5DEECE66DL);
        List<Long> smallest = partitions.flatMap(p -> {
            long[] keys = p.keys();
            java.util.ArrayList<Long> mixed = new java.util.ArrayList<>(keys.length);
            for (long k : keys) {
                mixed.add(ContentKeys.mix(k ^ salt));
            }
            return mixed.iterator();
        }).takeOrdered(n);
        long threshold = smallest.get(n - 1);
        long below = smallest.stream().filter(k -> k < threshold).count();
        long atThreshold = n - below; // identical rows share a key; they all sit in one partition

        JavaRDD<LoadedPartition> keepTrain = partitions.map(p -> part(p, salt, threshold, atThreshold, false).indexed());
        JavaRDD<LoadedPartition> keepHold = partitions.map(p -> part(p, salt, threshold, atThreshold, true).indexed());
        keepTrain.persist(level);
        keepHold.persist(level);
        long trainRows;
        long holdRows;
        try {
            trainRows = keepTrain.map(LoadedPartition::rows).reduce(Integer::sum);
            holdRows = keepHold.map(LoadedPartition::rows).reduce(Integer::sum);
        } catch (Throwable e) {   // a failed or cancelled job (an interrupt too): neither part is kept
            keepTrain.unpersist(false);
            keepHold.unpersist(false);
            throw e;
        }
        unpersist();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Split(new LoadedData(keepTrain, trainRows, blockCount, skipped, this.seconds + seconds, files, content),
                new LoadedData(keepHold, holdRows, blockCount, Map.of(), 0, files, content));
    }

    private static LoadedPartition part(LoadedPartition p, long salt, long threshold, long atThreshold, boolean held) {
        long[] keys = p.keys();
        boolean[] hold = new boolean[keys.length];
        long taken = 0;
        for (int i = 0; i < keys.length; i++) {
            long m = ContentKeys.mix(keys[i] ^ salt);
            if (m < threshold) {
                hold[i] = true;
            } else if (m == threshold && taken < atThreshold) {
                hold[i] = true;
                taken++;
            }
        }
        DigitBlock b = p.block().select(hold, held);
        long[] kept = new long[b.rows()];   // the part's keys, so that it can be split again (--holdout, then --validation)
        for (int i = 0, o = 0; i < keys.length; i++) {
            if (hold[i] == held) {
                kept[o++] = keys[i];
            }
        }
        return new LoadedPartition(b, kept, p.fileIndex(), p.blockStart(), p.rejectedPerFile(), p.firstRejects());
    }
}
