package org.sparkdigits.spark.load;

import org.apache.spark.Partitioner;

/**
 * A deterministic partitioner: a {@code Long} key (a row's 64-bit content key) goes to partition
 * {@code key mod n} (unsigned); an {@code Integer} key names its partition directly.
 */
public final class KeyPartitioner extends Partitioner {

    private final int partitions;

    public KeyPartitioner(int partitions) {
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        if (key instanceof Integer index) {
            return index;
        }
        return (int) Long.remainderUnsigned((Long) key, partitions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyPartitioner k && k.partitions == partitions;
    }

    @Override
    public int hashCode() {
        return partitions;
    }
}
