package org.sparkdigits.testing;

import java.util.SplittableRandom;

import org.sparkdigits.core.block.DigitBlock;

/** Small generated data for tests: never derived from MNIST. */
public final class SyntheticDigits {

    private SyntheticDigits() {
    }

    /**
     * {@code rows} random images of {@code inputs} pixels, about 80% of them zero like MNIST, with labels
     * {@code 0..classes-1} that depend on the pixels (so there is something to learn).
     */
    public static DigitBlock block(int rows, int inputs, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[rows * inputs];
        byte[] lb = new byte[rows];
        for (int i = 0; i < rows; i++) {
            int label = r.nextInt(classes);
            lb[i] = (byte) label;
            for (int j = 0; j < inputs; j++) {
                boolean ink = r.nextInt(5) == 0 || (j % classes == label && r.nextInt(3) == 0);
                px[i * inputs + j] = (byte) (ink ? 1 + r.nextInt(255) : 0);
            }
        }
        return new DigitBlock(rows, inputs, lb, px);
    }

    /** Splits {@code block} into {@code parts} consecutive blocks of near-equal size. */
    public static DigitBlock[] split(DigitBlock block, int parts) {
        DigitBlock[] out = new DigitBlock[parts];
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) block.rows() * p / parts);
            int to = (int) ((long) block.rows() * (p + 1) / parts);
            out[p] = block.slice(from, to);
        }
        return out;
    }
}
