package org.sparkdigits.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The checkpoint file format: exact round trip; torn and damaged files are detected. */
@Tag("spark-layer")
class CheckpointTest {

    private static Checkpoint sample() {
        Map<String, Double> counters = new LinkedHashMap<>();
        counters.put("step", 123.0);
        counters.put("epoch", 4.0);
        Map<String, double[]> arrays = new LinkedHashMap<>();
        arrays.put("theta", new double[] {Math.PI, -0.0, Double.MIN_VALUE, 1e300, Double.NaN});
        arrays.put("best_loss", new double[] {Double.POSITIVE_INFINITY});
        arrays.put("empty", new double[0]);
        return new Checkpoint("{hidden=10, seed=1}", counters, arrays);
    }

    @Test
    void roundTripIsExact() throws Exception {
        Checkpoint c = sample();
        Checkpoint back = Checkpoint.decode(c.encode(), "x");
        assertEquals(c.fingerprint(), back.fingerprint());
        assertEquals(c.counters(), back.counters());
        assertEquals(c.arrays().keySet(), back.arrays().keySet());
        for (String k : c.arrays().keySet()) {
            assertArrayEquals(c.arrays().get(k), back.arrays().get(k), 0.0, k);
            for (int i = 0; i < c.arrays().get(k).length; i++) {
                assertEquals(Double.doubleToRawLongBits(c.arrays().get(k)[i]), Double.doubleToRawLongBits(back.arrays().get(k)[i]));
            }
        }
    }

    @Test
    void tornAndDamagedFilesAreDetected() {
        byte[] good = sample().encode();
        for (int cut : new int[] {0, 10, good.length / 2, good.length - 1}) {
            Checkpoint.DamagedException e = assertThrows(Checkpoint.DamagedException.class,
                    () -> Checkpoint.decode(Arrays.copyOf(good, cut), "ckpt-1"));
            assertTrue(e.getMessage().startsWith("ckpt-1: "), e.getMessage());
        }
        for (int at : new int[] {30, good.length / 2, good.length - 9}) {
            byte[] flipped = good.clone();
            flipped[at] ^= 0x10;
            assertThrows(Checkpoint.DamagedException.class, () -> Checkpoint.decode(flipped, "ckpt-2"), "bit flip at " + at);
        }
    }
}
