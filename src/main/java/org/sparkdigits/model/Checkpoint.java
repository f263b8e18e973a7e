package org.sparkdigits.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

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
 * everything before it (8 bytes), so that a torn or damaged file is detected, never half-read.
 *
 * @param fingerprint the training configuration it belongs to (a resume with another one is refused)
 * @param counters    named scalars (step, epoch, position, elapsed_ms, pending sums, early-stopping state)
 * @param arrays      named arrays (theta, optimiser state, history rows, best weights)
 */
public record Checkpoint(String fingerprint, Map<String, Double> counters, Map<String, double[]> arrays) {

    private static final byte[] MAGIC = "spark-digits checkpoint 1\n".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A file that is not a complete, intact checkpoint. */
    public static final class DamagedException extends Exception {
        DamagedException(String message) {
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

    public byte[] encode() {
        ObjectNode header = JSON.createObjectNode();
        header.put("fingerprint", fingerprint);
        ObjectNode c = header.putObject("counters");
        counters.forEach(c::put);
        ArrayNode a = header.putArray("arrays");
        int doubles = 0;
        for (Map.Entry<String, double[]> e : arrays.entrySet()) {
            a.addObject().put("name", e.getKey()).put("length", e.getValue().length);
            doubles += e.getValue().length;
        }
        byte[] head;
        try {
            head = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + head.length + 8 * doubles + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(head.length).put(head);
        for (double[] values : arrays.values()) {
            for (double v : values) {
                b.putDouble(v);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putLong(crc.getValue());
        return b.array();
    }

    /** @param name the file's name, for messages */
    public static Checkpoint decode(byte[] bytes, String name) throws DamagedException {
        if (bytes.length < MAGIC.length + 12 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new DamagedException(name + ": not a spark-digits checkpoint");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(bytes.length - 8) != crc.getValue()) {
            throw new DamagedException(name + ": checksum mismatch (torn or damaged file)");
        }
        b.position(MAGIC.length);
        int headLength = b.getInt();
        if (headLength < 2 || headLength > bytes.length - MAGIC.length - 12) {
            throw new DamagedException(name + ": bad header length " + headLength);
        }
        JsonNode header;
        try {
            header = JSON.readTree(Arrays.copyOfRange(bytes, b.position(), b.position() + headLength));
        } catch (IOException e) {
            throw new DamagedException(name + ": unreadable header (" + e.getMessage() + ")");
        }
        b.position(b.position() + headLength);
        Map<String, Double> counters = new LinkedHashMap<>();
        header.get("counters").fields().forEachRemaining(e -> counters.put(e.getKey(), e.getValue().asDouble()));
        Map<String, double[]> arrays = new LinkedHashMap<>();
        for (JsonNode a : header.get("arrays")) {
            int n = a.get("length").asInt();
            if (n < 0 || (long) n * 8 > b.remaining() - 8) {
                throw new DamagedException(name + ": array " + a.get("name").asText() + " runs past the end");
            }
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = b.getDouble();
            }
            arrays.put(a.get("name").asText(), v);
        }
        if (b.remaining() != 8) {
            throw new DamagedException(name + ": " + (b.remaining() - 8) + " bytes after the arrays");
        }
        return new Checkpoint(header.get("fingerprint").asText(), counters, arrays);
    }

}
