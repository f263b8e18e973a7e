package org.sparkdigits.data;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;

/**
 * One resolved input file.
 *
 * @param path     the Hadoop path, as listed by its file system
 * @param index    its position among the inputs, sorted by path (orders rows for prediction output)
 * @param header   whether its first line is a header (CSV only)
 * @param labelled whether its rows carry a label
 * @param format   how its rows are written
 * @param labels   IDX: the labels file beside the images file ({@code null}: none, unlabelled)
 * @param records  the rows it holds when its format says so before reading (IDX, Parquet), else -1
 */
@DefaultSerializer(JavaSerializer.class)
public record InputFile(String path, int index, boolean header, boolean labelled, InputFormat format, String labels,
                        long records) implements Serializable {

    /** A CSV file. */
    public InputFile(String path, int index, boolean header, boolean labelled) {
        this(path, index, header, labelled, InputFormat.CSV, null, -1);
    }
}
