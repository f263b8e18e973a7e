package org.sparkdigits.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

import org.sparkdigits.core.DigitBlock;

/**
 * What one partition holds after loading: its block, a content key per row (for the seeded holdout
 * split; {@code null} when not needed), and the rows it rejected.
 *
 * @param fileIndex  for blocks read in input order: the file the block comes from, else -1
 * @param blockStart for blocks read in input order: the byte offset of the split in the file, else -1
 */
record LoadedPartition(DigitBlock block, long[] keys, int fileIndex, long blockStart,
                       Map<Integer, Long> rejectedPerFile, List<Reject> firstRejects) implements Serializable {

    /** What the driver needs to know of a partition, without its pixels. */
    record Summary(int rows, Map<Integer, Long> rejectedPerFile, List<Reject> firstRejects) implements Serializable {
    }

    Summary summary() {
        return new Summary(block.rows(), rejectedPerFile, firstRejects);
    }

    int rows() {
        return block.rows();
    }
}
