package org.sparkdigits.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Everything a training run needs to continue exactly where it stopped: the weights, the optimiser's state,
 * the position (step, epoch, step within the epoch), the history so far and the early-stopping state. There is
 * no random generator state to keep: every random choice (initialisation, batches, dropout masks) is a pure
 * function of the seed and the position.
 *
 * <p>File layout: the magic line {@code spark-digits checkpoint 1}, a 4-byte length and a JSON header (scalars
 * and the names and lengths of the arrays), the arrays as little-endian doubles in header order, and a CRC32 of
 * everything before it (8 bytes), so that a torn or damaged file is detected, never half-read. Written and read
 * as streams: a checkpoint may be larger than 2 GB.
 *
 * @param fingerprint the training configuration it belongs to (a resume with another one is refused)
 * @param counters    named scalars (step, epoch, position, elapsed_ms, pending sums, early-stopping state)
 * @param arrays      named arrays (theta, optimiser state, history rows, best weights)
 */
public record Checkpoint(String fingerprint, Map<String, Double> counters, Map<String, double[]> arrays) {

    private static final byte[] MAGIC = "spark-digits checkpoint 1\n".getBytes(StandardCharsets.US_ASCII);
    /** Bytes of the JSON header at most. */
    public static final int MAX_HEADER = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A file that is not a complete, intact checkpoint. */
    public static final class DamagedException extends Exception {
        public DamagedException(String message) {
            super(message);
        }
    }

    public double counter(String name) {
        Double v = counters.get(name);
        if (v == null) {
            throw new IllegalArgumentException("checkpoint has no counter " + name);
        }
        return v;
    }

    /** The encoded file. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the encoded file to {@code out} (which it does not close). */
    public void write(OutputStream out) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.put("fingerprint", fingerprint);
        ObjectNode c = header.putObject("counters");
        counters.forEach(c::put);
        ArrayNode a = header.putArray("arrays");
        for (Map.Entry<String, double[]> e : arrays.entrySet()) {
            a.addObject().put("name", e.getKey()).put("length", e.getValue().length);
        }
        byte[] head = JSON.writeValueAsBytes(header);
        CRC32 crc = new CRC32();
        OutputStream data = new CheckedOutputStream(new NonClosing(out), crc);
        data.write(MAGIC);
        data.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(head.length).array());
        data.write(head);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_DOUBLES * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double[] values : arrays.values()) {
            for (int from = 0; from < values.length; from += CHUNK_DOUBLES) {
                int n = Math.min(CHUNK_DOUBLES, values.length - from);
                chunk.clear();
                chunk.asDoubleBuffer().put(values, from, n);
                data.write(chunk.array(), 0, 8 * n);
            }
        }
        data.flush();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(crc.getValue()).array());
        out.flush();
    }

    /** Doubles converted at a time when writing and reading arrays. */
    private static final int CHUNK_DOUBLES = 8192;

    /** @param name the file's name, for messages */
    public static Checkpoint decode(byte[] bytes, String name) throws DamagedException {
        return read(new ByteArrayInputStream(bytes), bytes.length, name);
    }

    /**
     * Reads a checkpoint of {@code length} bytes from {@code in}, checking its structure (every field of the header
     * present and of its type, every array within the file) and its checksum.
     *
     * @param name the file's name, for messages
     */
    public static Checkpoint read(InputStream in, long length, String name) throws DamagedException {
        if (length < MAGIC.length + 12) {
            throw new DamagedException(name + ": not a spark-digits checkpoint (" + length + " bytes)");
        }
        CRC32 crc = new CRC32();
        try {
            java.io.BufferedInputStream buffered = new java.io.BufferedInputStream(in, 1 << 16);
            DataInputStream data = new DataInputStream(new CheckedInputStream(buffered, crc));
            byte[] magic = new byte[MAGIC.length];
            data.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new DamagedException(name + ": not a spark-digits checkpoint");
            }
            int headLength = Integer.reverseBytes(data.readInt());
            long left = length - MAGIC.length - 4 - 8;
            if (headLength < 2 || headLength > MAX_HEADER || headLength > left) {
                throw new DamagedException(name + ": bad header length " + headLength);
            }
            byte[] head = new byte[headLength];
            data.readFully(head);
            left -= headLength;
            JsonNode header;
            try {
                header = JSON.readTree(head);
            } catch (IOException e) {
                throw new DamagedException(name + ": unreadable header");
            }
            if (header == null || !header.isObject() || !header.path("fingerprint").isTextual()
                    || !header.path("counters").isObject() || !header.path("arrays").isArray()) {
                throw new DamagedException(name + ": header lacks its fingerprint, counters or arrays");
            }
            Map<String, Double> counters = new LinkedHashMap<>();
            JsonNode counterNode = header.get("counters");
            for (Iterator<String> it = counterNode.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                JsonNode v = counterNode.get(key);
                if (!v.isNumber()) {
                    throw new DamagedException(name + ": counter " + key + " is not a number");
                }
                counters.put(key, v.doubleValue());
            }
            Map<String, double[]> arrays = new LinkedHashMap<>();
            for (JsonNode a : header.get("arrays")) {
                JsonNode n = a.path("length");
                if (!a.path("name").isTextual() || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
                    throw new DamagedException(name + ": an array entry lacks its name or length");
                }
                String key = a.get("name").textValue();
                if (n.longValue() * 8 > left || n.longValue() > Integer.MAX_VALUE - 8) {
                    throw new DamagedException(name + ": array " + key + " runs past the end");
                }
                if (arrays.containsKey(key)) {
                    throw new DamagedException(name + ": array " + key + " appears twice");
                }
                double[] v = new double[(int) n.longValue()];
                byte[] chunk = new byte[CHUNK_DOUBLES * 8];
                for (int from = 0; from < v.length; from += CHUNK_DOUBLES) {
                    int k = Math.min(CHUNK_DOUBLES, v.length - from);
                    data.readFully(chunk, 0, 8 * k);
                    ByteBuffer.wrap(chunk, 0, 8 * k).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(v, from, k);
                }
                left -= 8L * v.length;
                arrays.put(key, v);
            }
            if (left != 0) {
                throw new DamagedException(name + ": " + left + " bytes after the arrays");
            }
            long expected = crc.getValue();
            byte[] stored = buffered.readNBytes(8); // past the checked stream: the checksum is not part of what it sums
            if (stored.length < 8) {
                throw new DamagedException(name + ": truncated (torn file)");
            }
            long crcValue = ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (crcValue != expected) {
                throw new DamagedException(name + ": checksum mismatch (torn or damaged file)");
            }
            return new Checkpoint(header.get("fingerprint").textValue(), counters, arrays);
        } catch (EOFException e) {
            throw new DamagedException(name + ": truncated (torn file)");
        } catch (IOException e) {
            throw new DamagedException(name + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** Lets the buffered, checked stream flush into {@code out} without closing it. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
