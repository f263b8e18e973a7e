package org.sparkdigits.core.numbers;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Arrays of numbers written to and read from a stream as raw little-endian bytes, in bulk.
 *
 * <p>Why: Java serialization writes a {@code double[]} one element at a time ({@code Bits.putLong} per value) and
 * reads it back the same way; for the megabytes of weights and gradient sums a training step moves, that was the
 * largest cost of a step at H=800 (measured with JFR: a third of the samples). Here a 64 KB buffer is filled with a
 * bulk {@link java.nio.DoubleBuffer} (or Float/Int/Short) copy and written in one call. Exact: the bytes are the
 * values' bits. Each array is its length (an int) and then its elements.
 */
public final class BulkArrays {

    private static final int CHUNK = 1 << 16;

    /** Copies elements {@code [from, from + n)} of an array into (or out of) a byte buffer. */
    @FunctionalInterface
    private interface Copy {
        void copy(ByteBuffer bytes, int from, int n);
    }

    private BulkArrays() {
    }

    public static void writeDoubles(DataOutput out, double[] v) throws IOException {
        write(out, v.length, Double.BYTES, (b, i, n) -> b.asDoubleBuffer().put(v, i, n));
    }

    public static double[] readDoubles(DataInput in) throws IOException {
        double[] v = new double[length(in)];
        read(in, v.length, Double.BYTES, (b, i, n) -> b.asDoubleBuffer().get(v, i, n));
        return v;
    }

    public static void writeFloats(DataOutput out, float[] v) throws IOException {
        write(out, v.length, Float.BYTES, (b, i, n) -> b.asFloatBuffer().put(v, i, n));
    }

    public static float[] readFloats(DataInput in) throws IOException {
        float[] v = new float[length(in)];
        read(in, v.length, Float.BYTES, (b, i, n) -> b.asFloatBuffer().get(v, i, n));
        return v;
    }

    public static void writeInts(DataOutput out, int[] v) throws IOException {
        write(out, v.length, Integer.BYTES, (b, i, n) -> b.asIntBuffer().put(v, i, n));
    }

    public static int[] readInts(DataInput in) throws IOException {
        int[] v = new int[length(in)];
        read(in, v.length, Integer.BYTES, (b, i, n) -> b.asIntBuffer().get(v, i, n));
        return v;
    }

    public static void writeShorts(DataOutput out, short[] v) throws IOException {
        write(out, v.length, Short.BYTES, (b, i, n) -> b.asShortBuffer().put(v, i, n));
    }

    public static short[] readShorts(DataInput in) throws IOException {
        short[] v = new short[length(in)];
        read(in, v.length, Short.BYTES, (b, i, n) -> b.asShortBuffer().get(v, i, n));
        return v;
    }

    private static void write(DataOutput out, int length, int size, Copy copy) throws IOException {
        out.writeInt(length);
        byte[] buf = new byte[Math.min(CHUNK, length * size)];
        ByteBuffer bytes = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int per = CHUNK / size;
        for (int i = 0; i < length; i += per) {
            int n = Math.min(per, length - i);
            bytes.clear();
            copy.copy(bytes, i, n);
            out.write(buf, 0, n * size);
        }
    }

    private static int length(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("negative array length " + length);
        }
        return length;
    }

    private static void read(DataInput in, int length, int size, Copy copy) throws IOException {
        byte[] buf = new byte[Math.min(CHUNK, length * size)];
        ByteBuffer bytes = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int per = CHUNK / size;
        for (int i = 0; i < length; i += per) {
            int n = Math.min(per, length - i);
            in.readFully(buf, 0, n * size);
            bytes.clear();
            copy.copy(bytes, i, n);
        }
    }
}
