package org.sparkdigits.download;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The IDX format of the original MNIST files: a big-endian magic number ({@code 0x00000801} labels,
 * {@code 0x00000803} images), the dimension sizes as big-endian ints, then unsigned bytes.
 */
public final class Idx {

    private Idx() {
    }

    /** Labels file: returns the labels, checking magic, count and range. */
    public static byte[] labels(byte[] file, String name) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN);
        need(file, 8, name);
        int magic = b.getInt();
        if (magic != 0x801) {
            throw new IllegalArgumentException(name + ": magic 0x" + Integer.toHexString(magic) + " is not an IDX label file (0x801)");
        }
        int n = b.getInt();
        need(file, 8L + n, name);
        byte[] labels = new byte[n];
        b.get(labels);
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] > 9) {
                throw new IllegalArgumentException(name + ": label " + (labels[i] & 0xFF) + " at item " + i + " is not 0-9");
            }
        }
        return labels;
    }

    /** Images file of 28x28 images: returns the pixels, row-major, {@code n * 784} bytes. */
    public static byte[] images(byte[] file, String name) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN);
        need(file, 16, name);
        int magic = b.getInt();
        if (magic != 0x803) {
            throw new IllegalArgumentException(name + ": magic 0x" + Integer.toHexString(magic) + " is not an IDX image file (0x803)");
        }
        int n = b.getInt();
        int rows = b.getInt();
        int cols = b.getInt();
        if (rows != 28 || cols != 28) {
            throw new IllegalArgumentException(name + ": images are " + rows + "x" + cols + ", expected 28x28");
        }
        need(file, 16L + (long) n * 784, name);
        byte[] pixels = new byte[n * 784];
        b.get(pixels);
        return pixels;
    }

    private static void need(byte[] file, long bytes, String name) {
        if (file.length < bytes) {
            throw new IllegalArgumentException(name + ": truncated (" + file.length + " bytes, needs " + bytes + ")");
        }
    }
}
