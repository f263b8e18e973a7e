package org.sparkdigits.data;

import java.io.Serializable;

/**
 * One resolved input file.
 *
 * @param path     the Hadoop path, as listed by its file system
 * @param index    its position among the inputs, sorted by path (orders rows for prediction output)
 * @param header   whether its first line is a header
 * @param labelled whether its rows start with a label (785 fields) or not (784)
 */
public record InputFile(String path, int index, boolean header, boolean labelled) implements Serializable {
}
