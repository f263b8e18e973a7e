package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The float kernel's first-layer sums call after call, as the collective engine's replay makes them (a boundary after
 * each kernel call's chunks, so each call's float sums are added into the double ones at its end, in call order). The
 * reference adds each call's float sums, made alone by a fresh accumulator, in the same order. The accumulator under
 * test is reused across sums and its calls touch different pixels (a flush goes over the touched pixels only), so a
 * touched pixel forgotten or one left from an earlier sum changes the bits.
 */
class FirstLayerGradientTest {

    private static final int INPUTS = 784;

    @ParameterizedTest
    @CsvSource({"10", "100", "400"})   // the by-row loops (up to two vectors of units) and the by-column ones
    void callAfterCallTheSumsAreThoseOfEachCallAddedInOrder(int hidden) {
        assumeTrue(KernelKind.simdAvailable(), "the float loops need the Vector API");
        int stride = VectorLoops.stride(hidden);
        int floatStride = FloatLoops.stride(hidden);
        FirstLayerGradient reused = new FirstLayerGradient(Loops.FLOAT, INPUTS, hidden, stride, floatStride);
        SplittableRandom random = new SplittableRandom(hidden);
        for (int sum = 0; sum < 4; sum++) {
            int calls = 1 + random.nextInt(6);
            Chunk[][] chunks = new Chunk[calls][];
            for (int c = 0; c < calls; c++) {
                // calls of 1-12 chunks (past FLUSH_CHUNKS) of 1-32 rows, each row's pixels in a window of its own
                chunks[c] = new Chunk[1 + random.nextInt(12)];
                for (int k = 0; k < chunks[c].length; k++) {
                    chunks[c][k] = Chunk.random(random, 1 + random.nextInt(32), hidden, floatStride);
                }
            }
            double[] expected = new double[hidden * INPUTS];
            for (Chunk[] call : chunks) {
                // a call's float sums go into the double ones every FLUSH_CHUNKS chunks and at its end
                for (int from = 0; from < call.length; from += SparseKernel.FLUSH_CHUNKS) {
                    FirstLayerGradient alone = new FirstLayerGradient(Loops.FLOAT, INPUTS, hidden, stride,
                            floatStride);
                    alone.begin();
                    for (int k = from; k < Math.min(call.length, from + SparseKernel.FLUSH_CHUNKS); k++) {
                        call[k].addTo(alone);
                    }
                    double[] own = new double[hidden * INPUTS];
                    alone.end(own, 0);   // 0.0 + its float sums: each of them exactly, as a double
                    for (int i = 0; i < own.length; i++) {
                        expected[i] += own[i];
                    }
                }
            }
            double[] actual = new double[hidden * INPUTS];
            reused.begin();
            for (int c = 0; c < calls; c++) {
                for (Chunk ch : chunks[c]) {
                    ch.addTo(reused);
                }
                if (c < calls - 1 || sum % 2 == 0) {   // every other sum ends as a kernel's call does: end() adds the
                    reused.boundary();                  // last float sums on the way, its touched pixels left behind
                }
            }
            reused.end(actual, 0);
            for (int i = 0; i < actual.length; i++) {
                // 0.0 + x: the reference's additions start from +0.0 as end() does
                assertEquals(Double.doubleToRawLongBits(0.0 + expected[i]), Double.doubleToRawLongBits(actual[i]),
                        "H=" + hidden + ", sum " + sum + ": W1[" + i / INPUTS + ", " + i % INPUTS + "]");
            }
        }
    }

    /** A chunk of rows as the kernel hands it over: each row's non-zero pixels and values, and its float deltas. */
    private record Chunk(short[] cols, byte[] vals, int[] rowStart, int[] rowEnd, int n, float[] delta) {

        static Chunk random(SplittableRandom random, int n, int hidden, int floatStride) {
            int[] rowStart = new int[n];
            int[] rowEnd = new int[n];
            short[] cols = new short[n * 60];
            byte[] vals = new byte[n * 60];
            int p = 0;
            for (int i = 0; i < n; i++) {
                rowStart[i] = p;
                int from = random.nextInt(INPUTS - 200);
                for (int j = from; j < from + 200 && p - rowStart[i] < 60; j += 1 + random.nextInt(6)) {
                    cols[p] = (short) j;
                    vals[p] = (byte) (1 + random.nextInt(255));
                    p++;
                }
                rowEnd[i] = p;
            }
            float[] delta = new float[n * floatStride];   // the padding units' deltas zero, as the kernel's
            for (int i = 0; i < n; i++) {
                for (int u = 0; u < hidden; u++) {
                    delta[i * floatStride + u] = (float) (random.nextDouble() - 0.5);
                }
            }
            return new Chunk(cols, vals, rowStart, rowEnd, n, delta);
        }

        void addTo(FirstLayerGradient f) {
            f.addChunk(cols, vals, rowStart, rowEnd, n, null, delta);
        }
    }
}
