package org.sparkdigits.spark;

import org.apache.spark.Partitioner;

/** Sends a row to the partition given by its 64-bit content key: deterministic on any cluster. */
final class KeyPartitioner extends Partitioner {

    private final int partitions;

    KeyPartitioner(int partitions) {
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
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
