package org.sparkdigits.spark.load;

import java.nio.charset.StandardCharsets;

import org.sparkdigits.format.ParsedRow;
import org.sparkdigits.format.Reject;

/**
 * The content keys that place rows ({@link #contentKey}: which partition a row goes to and its order there) and the
 * encoding of a rejected row as a record that travels through the same shuffle.
 */
final class ContentKeys {

    /** First byte of an encoded rejected row; a valid record starts with a label 0-9 or a pixel. */
    static final byte REJECT_MARK = (byte) 0xFF;

    private ContentKeys() {
    }

    /** Encodes a rejected row as a record that travels through the shuffle with the valid ones. */
    static byte[] encodeReject(ParsedRow p) {
        byte[] text = (p.file().index() + "\t" + p.blockStart() + "\t" + p.position() + "\t" + p.reason())
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[text.length + 1];
        out[0] = REJECT_MARK;
        System.arraycopy(text, 0, out, 1, text.length);
        return out;
    }

    static Reject decodeReject(byte[] encoded) {
        String[] f = new String(encoded, 1, encoded.length - 1, StandardCharsets.UTF_8).split("\t", 4);
        return new Reject(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]);
    }

    /**
     * A 64-bit key of a record's content: which partition a row goes to and its order there, so the
     * blocks do not depend on how the input was split, on file order or on task timing.
     */
    static long contentKey(byte[] record) {
        long h = 0x9E3779B97F4A7C15L ^ record.length;
        int i = 0;
        for (; i + 8 <= record.length; i += 8) {
            long w = (record[i] & 0xFFL) | (record[i + 1] & 0xFFL) << 8 | (record[i + 2] & 0xFFL) << 16
                    | (record[i + 3] & 0xFFL) << 24 | (record[i + 4] & 0xFFL) << 32 | (record[i + 5] & 0xFFL) << 40
                    | (record[i + 6] & 0xFFL) << 48 | (record[i + 7] & 0xFFL) << 56;
            h = Long.rotateLeft(h ^ mix(w), 27) * 0x9E3779B97F4A7C15L + 0x52DCE729L;
        }
        long w = 0;
        for (int s = 0; i < record.length; i++, s += 8) {
            w |= (record[i] & 0xFFL) << s;
        }
        return mix(h ^ mix(w));
    }

    /** MurmurHash3's 64-bit finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
