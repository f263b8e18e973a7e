package org.sparkdigits.spark.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.data.RowParser;
import org.sparkdigits.format.Reject;

/**
 * Collects parsed rows into one compact {@link DigitBlock} (pixels in one byte array, labels in another)
 * and counts rejected rows per file, keeping the earliest few for the error message.
 */
final class BlockAssembler {

    /** Rejected rows kept per partition for messages; the rest are only counted. */
    static final int KEPT_REJECTS = 3;

    private final boolean labelled;
    private byte[] pixels = new byte[64 * RowParser.PIXELS];
    private byte[] labels = new byte[64];
    private long[] keys;
    private int rows;
    private final TreeMap<Integer, Long> rejectedPerFile = new TreeMap<>();
    private final List<Reject> firstRejects = new ArrayList<>();

    BlockAssembler(boolean labelled, boolean withKeys) {
        this.labelled = labelled;
        this.keys = withKeys ? new long[64] : null;
    }

    /** Adds a valid record: {@code label, pixels...} if labelled, else {@code pixels...}. */
    void add(byte[] record, long key) {
        if (rows == labels.length) {
            int cap = rows * 2;
            pixels = Arrays.copyOf(pixels, cap * RowParser.PIXELS);
            labels = Arrays.copyOf(labels, cap);
            if (keys != null) {
                keys = Arrays.copyOf(keys, cap);
            }
        }
        int offset = labelled ? 1 : 0;
        System.arraycopy(record, offset, pixels, rows * RowParser.PIXELS, RowParser.PIXELS);
        labels[rows] = labelled ? record[0] : 0;
        if (keys != null) {
            keys[rows] = key;
        }
        rows++;
    }

    void reject(Reject r) {
        rejectedPerFile.merge(r.fileIndex(), 1L, Long::sum);
        firstRejects.add(r);
        if (firstRejects.size() > 4 * KEPT_REJECTS) {
            trim();
        }
    }

    private void trim() {
        Collections.sort(firstRejects);
        firstRejects.subList(Math.min(KEPT_REJECTS, firstRejects.size()), firstRejects.size()).clear();
    }

    int rows() {
        return rows;
    }

    DigitBlock block() {
        return new DigitBlock(rows, RowParser.PIXELS, labelled ? Arrays.copyOf(labels, rows) : null,
                Arrays.copyOf(pixels, rows * RowParser.PIXELS));
    }

    long[] keys() {
        return keys == null ? null : Arrays.copyOf(keys, rows);
    }

    TreeMap<Integer, Long> rejectedPerFile() {
        return rejectedPerFile;
    }

    List<Reject> firstRejects() {
        trim();
        return new ArrayList<>(firstRejects);
    }
}
