package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.testing.SyntheticDigits;

/**
 * How weights and sums travel between the driver and the tasks: {@link KernelWeights} (the kernel's layout, broadcast),
 * {@link GradientSum}'s serialized form (raw bytes) and its compact form ({@link DeltaRows}: the rows and their deltas
 * instead of the dense {@code dW1}, replayed on the driver).
 */
class CompactSumTest {

    @SuppressWarnings("unchecked")
    static <T extends Serializable> T roundTrip(T value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return (T) in.readObject();
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static GradientSum sum(KernelWeights w, boolean compact, DigitBlock[] parts, int[][] orders, int from, int to,
                                   Dropout dropout) {
        GradientSum total = null;
        for (int k = 0; k < parts.length; k++) {
            GradientSum s = compact ? GradientSum.compact(w.shape()) : new GradientSum(w.shape());
            Kernel net = w.kernel(Activation.RELU);
            net.accumulateGradient(parts[k], orders[k], from, Math.min(to, parts[k].rows()), s, dropout);
            net.accumulateGradient(parts[k], orders[k], 0, Math.min(7, parts[k].rows()), s, dropout); // a second segment
            s = roundTrip(s); // as a task's result travels
            total = total == null ? s : total.add(s);
        }
        return total;
    }

    @ParameterizedTest(name = "{0} H={1}")
    @CsvSource({"simd, 10", "simd, 128", "float, 10", "float, 128", "float, 300", "sparse, 33"})
    void aCompactSumIsTheDenseSum(String kernel, int hidden) {
        KernelKind kind = KernelKind.parse(kernel);
        NetworkShape shape = NetworkShape.mnist(hidden);
        Parameters p = Initializer.HE.initialize(shape, hidden);
        KernelWeights w = roundTrip(KernelWeights.of(p, kind));
        DigitBlock[] parts = SyntheticDigits.split(SyntheticDigits.block(900, 784, 10, 3), 3);
        int[][] orders = new int[3][];
        for (int k = 0; k < 3; k++) {
            orders[k] = BatchPlan.permutation(parts[k].rows(), 5, 1, k);
        }
        Dropout d = Dropout.forStep(0.3, 2, 9);
        // 40 rows a part (two chunks and a bit) and 290 rows (more than FLUSH_CHUNKS chunks: the float sums flush)
        for (int rows : new int[] {40, 290}) {
            GradientSum dense = sum(w, false, parts, orders, 0, rows, d);
            GradientSum compact = sum(w, true, parts, orders, 0, rows, d);
            assertEquals(dense.count(), compact.count());
            assertEquals(dense.correct(), compact.correct());
            assertEquals(dense.loss(), compact.loss(), 1e-12 * Math.abs(dense.loss()));
            double[] a = dense.gradient();
            double[] b = compact.gradient();
            double scale = 0;
            double worst = 0;
            for (int i = 0; i < a.length; i++) {
                scale = Math.max(scale, Math.abs(a[i]));
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
            // the same products, the double additions grouped differently (float: the same float chunk sums)
            assertTrue(worst <= 1e-12 * scale, kernel + " H=" + hidden + " rows " + rows + ": " + worst + " of " + scale);
            // and the same bits every time
            assertArrayEquals(b, sum(w, true, parts, orders, 0, rows, d).gradient());
        }
    }

    @ParameterizedTest(name = "{0} H={1}")
    @CsvSource({"float, 800", "float, 300", "float, 1000", "simd, 800", "simd, 257", "sparse, 800"})
    void aReplayInRangesOfUnitsIsTheWholeReplayBitForBit(String kernel, int hidden) {
        KernelKind kind = KernelKind.parse(kernel);
        NetworkShape shape = NetworkShape.mnist(hidden);
        KernelWeights w = roundTrip(KernelWeights.of(Initializer.HE.initialize(shape, 3), kind));
        DigitBlock[] parts = SyntheticDigits.split(SyntheticDigits.block(700, 784, 10, 5), 2);
        int[][] orders = {BatchPlan.permutation(parts[0].rows(), 2, 1, 0), BatchPlan.permutation(parts[1].rows(), 2, 1, 1)};
        // more than FLUSH_CHUNKS chunks a part, two segments a part, two parts appended: every boundary of a replay
        GradientSum sum = sum(w, true, parts, orders, 0, 330, Dropout.forStep(0.25, 4, 2));
        double[] whole = new double[shape.parameterCount()];
        roundTrip(sum).recorded().addTo(whole, shape.w1Offset(), 1);
        for (int cores : new int[] {2, 3, 8}) {
            double[] inRanges = new double[shape.parameterCount()];
            roundTrip(sum).recorded().addTo(inRanges, shape.w1Offset(), cores);
            assertArrayEquals(whole, inRanges, kernel + " H=" + hidden + " on " + cores + " cores");
        }
        assertTrue(java.util.Arrays.stream(whole).anyMatch(v -> v != 0));
        // and the sum's own expansion (on this machine's cores) is that replay in W1 (the dense part holds the rest)
        int w1 = shape.w1Offset() + hidden * 784;
        assertArrayEquals(java.util.Arrays.copyOf(whole, w1), java.util.Arrays.copyOf(roundTrip(sum).gradient(), w1));
    }

    @ParameterizedTest(name = "{0} H={1}")
    @CsvSource({"float, 800", "float, 300", "simd, 800", "simd, 257", "sparse, 500"})
    void weightsLaidOutOnSeveralCoresAreTheLayoutOfOne(String kernel, int hidden) {
        KernelKind kind = KernelKind.parse(kernel);
        Parameters p = Initializer.HE.initialize(NetworkShape.mnist(hidden), 8);
        byte[] one = bytes(KernelWeights.of(p, kind, 1));
        for (int cores : new int[] {2, 3, 8}) {
            assertArrayEquals(one, bytes(KernelWeights.of(p, kind, cores)), kernel + " H=" + hidden + " on " + cores);
        }
        assertArrayEquals(one, bytes(KernelWeights.of(p, kind)));
    }

    private static byte[] bytes(Serializable value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void rangesOfUnitsAreWholeVectorGroupsOneACoreAtMost() {
        assertArrayEquals(new int[] {0, 800}, DeltaRows.ranges(800, 1));
        assertArrayEquals(new int[] {0, 384, 800}, DeltaRows.ranges(800, 2));
        assertArrayEquals(new int[] {0, 255}, DeltaRows.ranges(255, 2)); // under two ranges' worth of units
        assertArrayEquals(new int[] {0, 128, 256}, DeltaRows.ranges(256, 16));
        for (int hidden : new int[] {128, 300, 800, 1000, 4096}) {
            for (int cores = 1; cores <= 16; cores++) {
                int[] b = DeltaRows.ranges(hidden, cores);
                assertTrue(b.length - 1 <= cores && b[0] == 0 && b[b.length - 1] == hidden);
                for (int r = 1; r < b.length; r++) {
                    assertTrue(b[r] > b[r - 1], hidden + " on " + cores + ": " + java.util.Arrays.toString(b));
                    assertTrue(r == b.length - 1 || b[r] % 64 == 0);
                }
            }
        }
    }

    @Test
    void aSerializedSumIsExact() {
        NetworkShape shape = NetworkShape.mnist(20);
        Parameters p = Initializer.HE.initialize(shape, 4);
        DigitBlock block = SyntheticDigits.block(100, 784, 10, 8);
        GradientSum dense = new GradientSum(shape);
        KernelKind.SIMD.create(p, Activation.RELU).accumulateGradient(block, dense);
        GradientSum back = roundTrip(dense);
        assertArrayEquals(dense.gradient(), back.gradient());
        assertEquals(dense.loss(), back.loss());
        assertEquals(dense.count(), back.count());
        assertEquals(dense.correct(), back.correct());

        GradientSum compact = GradientSum.compact(shape);
        KernelWeights.of(p, KernelKind.SIMD).kernel(Activation.RELU).accumulateGradient(block, compact);
        assertEquals(100, compact.compactRows());
        GradientSum compactBack = roundTrip(compact);
        assertEquals(100, compactBack.compactRows());
        assertArrayEquals(compact.gradient(), compactBack.gradient());
        assertEquals(0, compact.compactRows()); // expanded
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"simd", "float", "sparse", "ojalgo"})
    void broadcastWeightsGiveTheKernelsOwnSums(String kernel) {
        KernelKind kind = KernelKind.parse(kernel);
        NetworkShape shape = NetworkShape.mnist(50);
        Parameters p = Initializer.HE.initialize(shape, 6);
        DigitBlock block = SyntheticDigits.block(200, 784, 10, 2);
        GradientSum direct = new GradientSum(shape);
        kind.create(p, Activation.RELU).accumulateGradient(block, direct);
        KernelWeights w = roundTrip(KernelWeights.of(p, kind));
        GradientSum viaLayout = new GradientSum(shape);
        w.kernel(Activation.RELU).accumulateGradient(block, viaLayout);
        assertArrayEquals(direct.gradient(), viaLayout.gradient());
        assertEquals(direct.loss(), viaLayout.loss());
        // the layout gives the flat parameters back: exactly, or W1 rounded to float for the float kernel
        double[] back = w.parameters().values();
        for (int i = 0; i < back.length; i++) {
            double expected = kind == KernelKind.FLOAT && i < shape.b1Offset() ? (float) p.values()[i] : p.values()[i];
            assertEquals(expected, back[i], 0.0, "parameter " + i);
        }
        assertFalse(KernelWeights.flat(p, kind).compactPays(1, 1));
    }

    @Test
    void aCompactSumPaysOnlyForSmallSlices() {
        KernelWeights w = KernelWeights.of(Initializer.HE.initialize(NetworkShape.mnist(800), 1), KernelKind.SIMD);
        assertTrue(w.compactPays(64, 64 * 150));
        assertFalse(w.compactPays(30_000, 30_000 * 150L));
    }
}
