package org.sparkdigits.core.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import org.junit.jupiter.api.Test;

/**
 * A block read back from disk keeps its non-zero index: Spark measures a block when it moves it back into memory,
 * and a block that grew afterwards by its rebuilt index (0.6x its pixels) made the measure wrong; with 8.1M rows in a
 * 4 GB JVM that ran out of heap.
 */
class DigitBlockTest {

    private static DigitBlock roundTrip(DigitBlock b) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(b);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (DigitBlock) in.readObject();
        }
    }

    private static DigitBlock block() {
        byte[] px = new byte[3 * 784];
        px[5] = 7;
        px[784 + 100] = (byte) 200;
        px[2 * 784 + 783] = 1;
        return new DigitBlock(3, 784, new byte[] {1, 2, 3}, px);
    }

    @Test
    void theIndexTravelsWithTheBlock() throws Exception {
        DigitBlock b = block();
        assertFalse(b.indexed());
        b.sparse();
        DigitBlock back = roundTrip(b);
        assertTrue(back.indexed(), "the index was dropped on the way back");
        assertArrayEquals(b.sparse().columns(), back.sparse().columns());
        assertArrayEquals(b.sparse().values(), back.sparse().values());
        assertFalse(roundTrip(block()).indexed(), "an unindexed block stays unindexed");
    }

    @Test
    void aMalformedIndexIsNotTrusted() {
        assertTrue(SparseRows.of(3, 784, block().pixels()).fits(3, 784));
        assertFalse(new SparseRows(new int[] {0, 1, 1, 2}, new short[] {5, 900}, new byte[] {1, 1}).fits(3, 784));
        assertFalse(new SparseRows(new int[] {0, 2, 2, 2}, new short[] {9, 5}, new byte[] {1, 1}).fits(3, 784));
        assertFalse(new SparseRows(new int[] {0, 1, 2}, new short[] {5, 6}, new byte[] {1, 1}).fits(3, 784));
        assertThrows(IllegalArgumentException.class, () -> new DigitBlock(2, 784, null, new byte[784]));
    }
}
