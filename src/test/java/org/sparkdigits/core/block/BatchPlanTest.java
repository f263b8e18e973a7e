package org.sparkdigits.core.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class BatchPlanTest {

    @ParameterizedTest(name = "partitioning {0}")
    @ValueSource(strings = {"141", "70,71", "0,1,7,100,33", "20,20,20,20,20,20,21", "1,1,1,138"})
    void slicesCoverEveryRowExactlyOncePerEpoch(String sizes) {
        int[] n = Arrays.stream(sizes.split(",")).mapToInt(Integer::parseInt).toArray();
        long rows = Arrays.stream(n).sum();
        BatchPlan plan = new BatchPlan(rows, 16);
        int steps = plan.stepsPerEpoch();
        assertEquals(9, steps);
        for (int p = 0; p < n.length; p++) {
            int[] perm = BatchPlan.permutation(n[p], 5, 0, p);
            int[] seen = new int[n[p]];
            int previousEnd = 0;
            for (int i = 0; i < steps; i++) {
                int from = plan.sliceStart(n[p], i);
                int to = plan.sliceStart(n[p], i + 1);
                assertEquals(previousEnd, from, "slices are contiguous");
                previousEnd = to;
                for (int r = from; r < to; r++) {
                    seen[perm[r]]++;
                }
            }
            assertEquals(n[p], previousEnd);
            for (int c : seen) {
                assertEquals(1, c);
            }
        }
        for (int i = 0; i < steps; i++) {
            int total = 0;
            for (int size : n) {
                total += plan.sliceStart(size, i + 1) - plan.sliceStart(size, i);
            }
            assertTrue(Math.abs(total - 141.0 / 9) <= n.length, "step " + i + " takes " + total + " rows");
        }
    }

    @Test
    void permutationsAreSeededPerEpochAndPartition() {
        int[] a = BatchPlan.permutation(50, 1, 0, 0);
        assertArrayEquals(a, BatchPlan.permutation(50, 1, 0, 0));
        assertFalse(Arrays.equals(a, BatchPlan.permutation(50, 1, 1, 0)));
        assertFalse(Arrays.equals(a, BatchPlan.permutation(50, 1, 0, 1)));
        assertFalse(Arrays.equals(a, BatchPlan.permutation(50, 2, 0, 0)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void aBatchLargerThanTheDataIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchPlan(100, 101));
        assertEquals("--batch-size 101 is larger than the 100 training rows", e.getMessage());
    }
}
