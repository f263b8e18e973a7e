package org.sparkdigits.data;

import java.nio.ByteBuffer;

/**
 * The header of an original MNIST file, the one place it is parsed: a big-endian magic number ({@code 0x00000801}
 * labels, {@code 0x00000803} images), the dimension sizes as big-endian ints, then one unsigned byte per value.
 *
 * @param images whether it is an images file ({@code idx3-ubyte}) rather than a labels file ({@code idx1-ubyte})
 * @param count  the images or labels it announces
 * @param height rows of an image (0 for labels)
 * @param width  columns of an image (0 for labels)
 */
public record IdxHeader(boolean images, long count, int height, int width) {

    /** Magic number of a labels file. */
    public static final int LABELS_MAGIC = 0x801;
    /** Magic number of an images file. */
    public static final int IMAGES_MAGIC = 0x803;
    /** Header bytes of an images file. */
    public static final int IMAGES_HEADER = 16;
    /** Header bytes of a labels file. */
    public static final int LABELS_HEADER = 8;

    /** Bytes before the first value. */
    public long dataOffset() {
        return images ? IMAGES_HEADER : LABELS_HEADER;
    }

    /** Bytes a file with this header holds: the header and one byte per pixel or label. */
    public long fileLength() {
        return dataOffset() + count * (images ? (long) height * width : 1);
    }

    /** Whether {@code head} starts with either magic number. */
    public static boolean looksLikeIdx(byte[] head) {
        return head.length >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 8 && (head[3] == 3 || head[3] == 1);
    }

    /**
     * The header of an images file of 28x28 digits at the start of {@code head} (16 bytes).
     *
     * @param name the file, for messages
     * @throws IllegalArgumentException naming the file: empty, too short, a labels file, another magic number or size
     */
    public static IdxHeader digits(byte[] head, String name) {
        IdxHeader h = parse(head, name, true);
        if (h.height() != 28 || h.width() != 28) {
            throw new IllegalArgumentException(name + ": images are " + h.height() + "x" + h.width() + ", expected 28x28");
        }
        return h;
    }

    /** The header of a labels file at the start of {@code head} (8 bytes); the same errors. */
    public static IdxHeader labels(byte[] head, String name) {
        return parse(head, name, false);
    }

    private static IdxHeader parse(byte[] head, String name, boolean images) {
        int need = images ? IMAGES_HEADER : LABELS_HEADER;
        if (head.length < need) {
            throw new IllegalArgumentException(name + ": " + (head.length == 0 ? "file is empty"
                    : "too short for an IDX header (" + head.length + " bytes)"));
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        int magic = b.getInt();
        long count = b.getInt() & 0xFFFFFFFFL;
        if (images && magic == LABELS_MAGIC) {
            throw new IllegalArgumentException(name + " is an IDX labels file: give the images file (idx3-ubyte); "
                    + "its labels are read from the idx1-ubyte file beside it");
        }
        if (magic != (images ? IMAGES_MAGIC : LABELS_MAGIC)) {
            throw new IllegalArgumentException(name + ": magic number 0x" + Integer.toHexString(magic) + " is not that of an "
                    + (images ? "IDX images file (0x803)" : "IDX labels file (0x801)"));
        }
        return images ? new IdxHeader(true, count, b.getInt(), b.getInt()) : new IdxHeader(false, count, 0, 0);
    }
}
