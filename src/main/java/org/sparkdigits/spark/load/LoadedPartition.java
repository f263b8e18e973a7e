package org.sparkdigits.spark.load;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.format.Reject;

/**
 * What one partition holds after loading: its block, a content key per row (for the seeded holdout
 * split; {@code null} when not needed), and the rows it rejected.
 *
 * @param fileIndex  for blocks read in input order: the file the block comes from, else -1
 * @param blockStart for blocks read in input order: the byte offset of the split in the file, else -1
 */
@DefaultSerializer(JavaSerializer.class)
public record LoadedPartition(DigitBlock block, long[] keys, int fileIndex, long blockStart,
                       Map<Integer, Long> rejectedPerFile, List<Reject> firstRejects) implements Serializable {

    /**
     * What the driver needs to know of a partition, without its pixels.
     *
     * @param content two sums over the rows' content keys (each key mixed two ways), or zeros without keys: added over
     *                the partitions they fingerprint the rows whatever their order
     */
    @DefaultSerializer(JavaSerializer.class)
    public record Summary(int rows, Map<Integer, Long> rejectedPerFile, List<Reject> firstRejects, long[] content)
            implements Serializable {
    }

    /**
     * This partition with its block's non-zero index built, before it is cached: Spark then counts the index in the
     * cached size (its size estimate walks transient fields too), instead of the index growing later in memory Spark
     * thinks free. A block written to disk drops the index (it is transient) and rebuilds it when read back.
     */
    LoadedPartition indexed() {
        block.sparse();
        return this;
    }

    Summary summary() {
        long[] content = new long[2];
        if (keys != null) {
            for (long k : keys) {
                content[0] += ContentKeys.mix(k);
                content[1] += ContentKeys.mix(k ^ 0x9E3779B97F4A7C15L);
            }
        }
        return new Summary(block.rows(), rejectedPerFile, firstRejects, content);
    }

    int rows() {
        return block.rows();
    }
}
