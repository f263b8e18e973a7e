package org.sparkdigits.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/** The one IDX header parser: both kinds of file, the sizes they promise, and each way a header is wrong. */
class IdxHeaderTest {

    private static byte[] header(int magic, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length).putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    @Test
    void anImagesHeaderGivesItsCountAndTheFileLengthItPromises() {
        IdxHeader h = IdxHeader.digits(header(0x803, 60000, 28, 28), "train-images");
        assertEquals(new IdxHeader(true, 60000, 28, 28), h);
        assertEquals(16, h.dataOffset());
        assertEquals(16 + 60000L * 784, h.fileLength());
        assertTrue(IdxHeader.looksLikeIdx(header(0x803, 1, 28, 28)));
    }

    @Test
    void aLabelsHeaderGivesItsCount() {
        IdxHeader h = IdxHeader.labels(header(0x801, 10000), "labels");
        assertEquals(new IdxHeader(false, 10000, 0, 0), h);
        assertEquals(8 + 10000, h.fileLength());
        assertTrue(IdxHeader.looksLikeIdx(header(0x801, 1)));
    }

    @Test
    void aCountAboveTwoToTheThirtyOneIsReadUnsigned() {
        IdxHeader h = IdxHeader.digits(header(0x803, 0xFFFFFFFF, 28, 28), "forged");
        assertEquals(0xFFFFFFFFL, h.count());
        assertTrue(h.fileLength() > Integer.MAX_VALUE);
    }

    @Test
    void eachBadHeaderIsNamedWithWhatIsWrong() {
        assertEquals("f: file is empty", message(new byte[0], true));
        assertEquals("f: too short for an IDX header (12 bytes)", message(header(0x803, 1, 28), true));
        assertEquals("f: magic number 0x802 is not that of an IDX images file (0x803)",
                message(header(0x802, 1, 28, 28), true));
        assertEquals("f: magic number 0x803 is not that of an IDX labels file (0x801)", message(header(0x803, 1), false));
        assertEquals("f: images are 32x32, expected 28x28", message(header(0x803, 1, 32, 32), true));
        assertTrue(message(header(0x801, 1, 0, 0), true).startsWith("f is an IDX labels file: give the images file"));
        assertFalse(IdxHeader.looksLikeIdx("0,0,0".getBytes()));
        assertFalse(IdxHeader.looksLikeIdx(new byte[] {0, 0, 8}));
    }

    private static String message(byte[] head, boolean images) {
        return assertThrows(IllegalArgumentException.class,
                () -> {
                    if (images) {
                        IdxHeader.digits(head, "f");
                    } else {
                        IdxHeader.labels(head, "f");
                    }
                }).getMessage();
    }
}
