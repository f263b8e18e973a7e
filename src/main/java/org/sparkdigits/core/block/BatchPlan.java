package org.sparkdigits.core.block;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.util.SplittableRandom;

/**
 * How mini-batches are cut, so that a step costs O(batch), never O(dataset): each partition's block is
 * permuted once per epoch with a seeded permutation, and step {@code i} of the epoch takes slice
 * {@code i} of every partition. A partition of {@code n} rows contributes rows
 * {@code [floor(n i / S), floor(n (i+1) / S))} of its permutation to step {@code i}, where
 * {@code S = ceil(N / B)} is the number of steps per epoch for {@code N} rows in all and global batch
 * {@code B}: shares are proportional to partition sizes, and every row is used exactly once per epoch.
 *
 * @param rows      all training rows
 * @param batchSize the global batch size
 */
@DefaultSerializer(JavaSerializer.class)
public record BatchPlan(long rows, int batchSize) implements java.io.Serializable {

    public BatchPlan {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (batchSize > rows) {
            throw new IllegalArgumentException("--batch-size " + batchSize + " is larger than the " + rows
                    + " training rows");
        }
    }

    /** Steps per epoch, {@code ceil(rows / batchSize)}. */
    public int stepsPerEpoch() {
        return (int) ((rows + batchSize - 1) / batchSize);
    }

    /** First row (in permuted order) of step {@code step}'s slice of a partition of {@code n} rows. */
    public int sliceStart(int n, int step) {
        return (int) ((long) n * step / stepsPerEpoch());
    }

    /** A seeded permutation of {@code 0..n-1} for one partition in one epoch (Fisher-Yates). */
    public static int[] permutation(int n, long seed, int epoch, int partition) {
        long mixed = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + partition * 0x94D049BB133111EBL;
        SplittableRandom r = new SplittableRandom(mixed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
