package org.sparkdigits.data;

/**
 * Parses one text line of digit data into a record without allocating: CSV ({@link RowParser}) or LIBSVM
 * ({@link LibsvmParser}).
 */
public interface LineSyntax {

    /** Bytes of a record: 785 (label, 784 pixels) or 784 (pixels only). */
    int fields();

    /**
     * @param out at least {@link #fields()} bytes, overwritten
     * @return {@code null} if the line is valid, otherwise what is wrong with it
     */
    String parse(CharSequence line, byte[] out);
}
