package org.sparkdigits.core.block;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.Objects;

import org.sparkdigits.core.numbers.SplitMix;

/**
 * A compact block of images: the unit that is cached on executors and fed to the kernel.
 *
 * <p>{@code pixels [rows x inputs]} row-major, one unsigned byte (0-255) per pixel; {@code labels [rows]}
 * one byte (0-9) per row, or {@code null} for unlabelled data (prediction input). No per-row objects.
 * The kernel reads the non-zero pixels through {@link #sparse()}, indexed once per block.
 */
@DefaultSerializer(JavaSerializer.class)
public final class DigitBlock implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int inputs;
    private final byte[] labels;
    private final byte[] pixels;
    /**
     * Built on first use (the loader builds it before caching) and kept with the block, serialized with it too: a
     * block that Spark caches, spills to disk and reads back keeps an index that Spark has counted.
     */
    private volatile SparseRows sparse;
    /** Built on first use, like {@link #sparse}. */
    private transient volatile long[] rowKeys;

    /**
     * @param rows   number of images
     * @param inputs pixels per image (784 for MNIST)
     * @param labels the labels, or {@code null}; taken, not copied
     * @param pixels the pixels, length {@code rows * inputs}; taken, not copied
     */
    public DigitBlock(int rows, int inputs, byte[] labels, byte[] pixels) {
        Objects.requireNonNull(pixels, "pixels");
        if (rows < 0 || inputs < 1) {
            throw new IllegalArgumentException("bad block size " + rows + " x " + inputs);
        }
        if ((long) rows * inputs != pixels.length) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " bytes, expected " + rows + " x " + inputs);
        }
        if (labels != null && labels.length != rows) {
            throw new IllegalArgumentException("labels hold " + labels.length + " entries, expected " + rows);
        }
        this.rows = rows;
        this.inputs = inputs;
        this.labels = labels;
        this.pixels = pixels;
    }

    private Object readResolve() {
        // re-run the constructor's checks on deserialized data, and keep the index that came with it: a block that
        // Spark reads back from disk must not grow by its index (0.6x its pixels) after Spark has measured it
        DigitBlock b = new DigitBlock(rows, inputs, labels, pixels);
        SparseRows s = sparse;
        if (s != null && s.fits(rows, inputs)) {
            b.sparse = s;
        }
        return b;
    }

    public int rows() {
        return rows;
    }

    public int inputs() {
        return inputs;
    }

    /** The labels (not a copy), or {@code null}. */
    public byte[] labels() {
        return labels;
    }

    /** The pixels (not a copy), {@code [rows x inputs]} row-major. */
    public byte[] pixels() {
        return pixels;
    }

    /**
     * The non-zero pixels row by row, built on first use and then kept (the block is immutable; two
     * threads racing here build equal indexes).
     */
    public SparseRows sparse() {
        SparseRows s = sparse;
        if (s == null) {
            s = SparseRows.of(rows, inputs, pixels);
            sparse = s;
        }
        return s;
    }

    /** Whether the non-zero index is built (it is kept, and travels with the block when Spark serializes it). */
    public boolean indexed() {
        return sparse != null;
    }

    /**
     * A 64-bit key of row {@code i} computed from its label and pixels only (so the same image has the same
     * key in any block, partition or order): what dropout masks are drawn from. Built for the whole
     * block on first use and kept.
     */
    public long rowKey(int i) {
        long[] k = rowKeys;
        if (k == null) {
            k = new long[rows];
            for (int r = 0; r < rows; r++) {
                long h = SplitMix.mix(labels == null ? -1 : labels[r]);
                int base = r * inputs;
                for (int j = 0; j < inputs; j++) {
                    int v = pixels[base + j] & 0xFF;
                    if (v != 0) { // the zero pixels are implied by the positions of the others
                        h = SplitMix.mix(h + v + ((long) j << 8));
                    }
                }
                k[r] = h;
            }
            rowKeys = k;
        }
        return k[i];
    }

    public boolean labelled() {
        return labels != null;
    }

    /** The label of row {@code i} (0-9). */
    public int label(int i) {
        return labels[i];
    }

    /** Pixel {@code j} of row {@code i}, 0-255. */
    public int pixel(int i, int j) {
        return pixels[i * inputs + j] & 0xFF;
    }

    /**
     * The rows whose {@code keep[i]} equals {@code wanted}, in order.
     *
     * @param keep a flag per row
     */
    public DigitBlock select(boolean[] keep, boolean wanted) {
        int n = 0;
        for (boolean k : keep) {
            if (k == wanted) {
                n++;
            }
        }
        byte[] px = new byte[n * inputs];
        byte[] lb = labels == null ? null : new byte[n];
        int o = 0;
        for (int i = 0; i < rows; i++) {
            if (keep[i] == wanted) {
                System.arraycopy(pixels, i * inputs, px, o * inputs, inputs);
                if (lb != null) {
                    lb[o] = labels[i];
                }
                o++;
            }
        }
        return new DigitBlock(n, inputs, lb, px);
    }

    /**
     * Rows {@code order[from..to)} as a new block, in that order (copies; rows {@code [from, to)} when {@code order}
     * is null).
     */
    public DigitBlock rows(int[] order, int from, int to) {
        if (order == null) {
            return slice(from, to);
        }
        int n = to - from;
        byte[] px = new byte[n * inputs];
        byte[] lb = labels == null ? null : new byte[n];
        for (int i = 0; i < n; i++) {
            int r = order[from + i];
            System.arraycopy(pixels, r * inputs, px, i * inputs, inputs);
            if (lb != null) {
                lb[i] = labels[r];
            }
        }
        return new DigitBlock(n, inputs, lb, px);
    }

    /** Rows {@code [from, to)} as a new block (copies). */
    public DigitBlock slice(int from, int to) {
        byte[] px = java.util.Arrays.copyOfRange(pixels, from * inputs, to * inputs);
        byte[] lb = labels == null ? null : java.util.Arrays.copyOfRange(labels, from, to);
        return new DigitBlock(to - from, inputs, lb, px);
    }
}
