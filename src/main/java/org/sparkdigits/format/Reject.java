package org.sparkdigits.format;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.Comparator;

/**
 * A row that failed validation, located by file, split and position ({@link ParsedRow}), so that the driver can say
 * where it is ({@link DigitFormat#locate}): {@code file.csv:12}, {@code images: image 7}. Ordered by place, so the
 * first bad row of the input is the one reported.
 */
@DefaultSerializer(JavaSerializer.class)
public record Reject(int fileIndex, long blockStart, long position, String reason)
        implements Serializable, Comparable<Reject> {

    private static final Comparator<Reject> ORDER = Comparator.comparingInt(Reject::fileIndex)
            .thenComparingLong(Reject::blockStart).thenComparingLong(Reject::position);

    @Override
    public int compareTo(Reject o) {
        return ORDER.compare(this, o);
    }
}
