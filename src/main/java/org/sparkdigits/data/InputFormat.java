package org.sparkdigits.data;

import java.util.Locale;

/**
 * The formats {@code train}, {@code evaluate}, {@code predict}, {@code report} and {@code augment} read. Each input
 * file's format is detected ({@link InputFiles#resolve}) unless {@code --format} names one.
 */
public enum InputFormat {
    /** {@code label,p0,...,p783} (or 784 pixels only) per line; header detected. */
    CSV,
    /** {@code label index:value ...} per line, 1-based indices 1-784 in increasing order, values 0-255 (MNIST8M). */
    LIBSVM,
    /** A {@code label} integer column and a {@code pixels} binary column of 784 bytes, as augment writes. */
    PARQUET,
    /** The original MNIST files: an {@code idx3-ubyte} images file and its {@code idx1-ubyte} labels file. */
    IDX,
    /** Not a file format: the rows of a DataFrame given to the library (never named by {@code --format}). */
    DATAFRAME;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether rows are text lines (located by line number) rather than numbered records. */
    public boolean text() {
        return this == CSV || this == LIBSVM;
    }

    /**
     * @param s {@code auto} (null: detect per file) or a format's id
     * @throws IllegalArgumentException naming the choices
     */
    public static InputFormat parse(String s) {
        String v = s == null ? "auto" : s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return null;
        }
        for (InputFormat f : values()) {
            if (f != DATAFRAME && f.id().equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("--format must be auto, csv, libsvm, parquet or idx, got '" + s + "'");
    }
}
