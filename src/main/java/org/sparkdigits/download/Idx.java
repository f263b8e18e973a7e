package org.sparkdigits.download;

import java.util.Arrays;

import org.sparkdigits.data.IdxHeader;

/** The values of downloaded IDX files, in memory, checked against their headers ({@link IdxHeader}). */
public final class Idx {

    private Idx() {
    }

    /** Labels file: returns the labels, checking magic, count and range. */
    public static byte[] labels(byte[] file, String name) {
        IdxHeader h = IdxHeader.labels(file, name);
        byte[] labels = values(file, h, name);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 9) {
                throw new IllegalArgumentException(name + ": label " + (labels[i] & 0xFF) + " at item " + i + " is not 0-9");
            }
        }
        return labels;
    }

    /** Images file of 28x28 images: returns the pixels, row-major, {@code n * 784} bytes. */
    public static byte[] images(byte[] file, String name) {
        return values(file, IdxHeader.digits(file, name), name);
    }

    private static byte[] values(byte[] file, IdxHeader h, String name) {
        if (file.length < h.fileLength()) {
            throw new IllegalArgumentException(name + ": truncated (" + file.length + " bytes, needs " + h.fileLength() + ")");
        }
        return Arrays.copyOfRange(file, (int) h.dataOffset(), (int) h.fileLength());
    }
}
