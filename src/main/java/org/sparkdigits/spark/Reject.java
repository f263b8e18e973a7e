package org.sparkdigits.spark;

import java.io.Serializable;
import java.util.Comparator;

/**
 * A row that failed validation, located by file, split and position: {@code position} counts the lines
 * of the split from 0 (header and blank lines included), so the driver can turn it into a line number.
 */
record Reject(int fileIndex, long blockStart, long position, String reason) implements Serializable, Comparable<Reject> {

    private static final Comparator<Reject> ORDER = Comparator.comparingInt(Reject::fileIndex)
            .thenComparingLong(Reject::blockStart).thenComparingLong(Reject::position);

    @Override
    public int compareTo(Reject o) {
        return ORDER.compare(this, o);
    }
}
