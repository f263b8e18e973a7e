package org.sparkdigits.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

/**
 * The weights file, in the safetensors layout: an 8-byte little-endian header length {@code N}, a JSON
 * header of {@code N} bytes, then the raw little-endian tensor data. Tensors {@code W1 [H,784]},
 * {@code b1 [H]}, {@code W2 [10,H]}, {@code b2 [10]}, dtype {@code F64}, row-major: read them in Python
 * with {@code safetensors.numpy.load_file} or with plain numpy (see docs/model-directory.md).
 */
public final class SafeTensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] NAMES = {"W1", "b1", "W2", "b2"};
    static final long MAX_HEADER = 1 << 20;

    private SafeTensors() {
    }

    public static byte[] encode(Parameters p) {
        NetworkShape s = p.shape();
        long[][] shapes = shapes(s);
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (int t = 0; t < NAMES.length; t++) {
            long bytes = 8L * count(shapes[t]);
            ObjectNode node = header.putObject(NAMES[t]);
            node.put("dtype", "F64");
            var shapeNode = node.putArray("shape");
            for (long d : shapes[t]) {
                shapeNode.add(d);
            }
            node.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        header.putObject("__metadata__").put("format", "spark-digits").put("layout", "row-major, little-endian");
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8; // align the data on 8 bytes, as the reference writer does
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length + pad);
        out.writeBytes(len.array());
        out.writeBytes(h);
        out.writeBytes(" ".repeat(pad).getBytes(StandardCharsets.US_ASCII));
        ByteBuffer data = ByteBuffer.allocate(8 * p.values().length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : p.values()) {
            data.putDouble(v);
        }
        out.writeBytes(data.array());
        return out.toByteArray();
    }

    /**
     * Reads the weights file {@code p} for {@code shape}, reading no more than it must: the file's length is checked
     * against the header's length and the shape's tensors before the data is read, so a huge or endless file (a FIFO,
     * a device) is refused by name instead of filling the heap.
     */
    public static Parameters read(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path p, NetworkShape shape) {
        String file = p.toString();
        try {
            org.apache.hadoop.fs.FileStatus st;
            try {
                st = fs.getFileStatus(p);
            } catch (java.io.FileNotFoundException e) {
                throw new ModelException(file + ": missing");
            }
            org.sparkdigits.io.HadoopFs.requireRegularFile(fs, p, "model");
            if (st.isDirectory()) {
                throw new ModelException(file + ": is a directory, not a file");
            }
            long length = st.getLen();
            long data = 8L * shape.parameterCount();
            try (java.io.DataInputStream in = new java.io.DataInputStream(org.sparkdigits.io.HadoopFs.open(fs, p, "model",
                    8 + MAX_HEADER + data))) {
                if (length < 8) {
                    return decode(in.readNBytes((int) length), shape, file);
                }
                byte[] head = new byte[8];
                in.readFully(head);
                long n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
                if (n < 2 || n > MAX_HEADER || n > length - 8) {
                    throw new ModelException(file + ": header length " + n + " does not fit in a file of " + length + " bytes");
                }
                if (length > 8 + n + data) {
                    throw new ModelException(file + ": " + (length - 8 - n - data) + " bytes after the last tensor (file has "
                            + length + " bytes, expected " + (8 + n + data) + " for a " + shape + " network)");
                }
                byte[] all = new byte[(int) length];
                System.arraycopy(head, 0, all, 0, 8);
                in.readFully(all, 8, (int) length - 8);
                return decode(all, shape, file);
            }
        } catch (java.io.IOException e) {
            throw new ModelException(file + ": cannot read (" + org.sparkdigits.io.HadoopFs.describe(e, p) + ")", e);
        }
    }

    /**
     * Decodes weights for {@code shape}, checking every size and offset.
     *
     * @param file the file's name, for messages
     */
    public static Parameters decode(byte[] bytes, NetworkShape shape, String file) {
        if (bytes.length < 8) {
            throw new ModelException(file + ": truncated (" + bytes.length + " bytes, no header)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        if (n < 2 || n > MAX_HEADER || n > bytes.length - 8) {
            throw new ModelException(file + ": header length " + n + " does not fit in a file of " + bytes.length + " bytes");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ModelException(file + ": header is not valid JSON (" + org.sparkdigits.io.Echo.value(
                    e instanceof com.fasterxml.jackson.core.JacksonException j ? j.getOriginalMessage() : e.getMessage()) + ")", e);
        }
        if (header == null || !header.isObject()) {
            throw new ModelException(file + ": header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataLength = bytes.length - dataStart;
        long[][] shapes = shapes(shape);
        Map<String, double[]> tensors = new LinkedHashMap<>();
        long expectedOffset = 0;
        for (int t = 0; t < NAMES.length; t++) {
            JsonNode node = header.get(NAMES[t]);
            if (node == null) {
                throw new ModelException(file + ": tensor " + NAMES[t] + " is missing");
            }
            if (!node.isObject()) {
                throw new ModelException(file + ": tensor " + NAMES[t] + " is not an object");
            }
            if (!"F64".equals(node.path("dtype").textValue())) {
                throw new ModelException(file + ": tensor " + NAMES[t] + " has dtype " + node.path("dtype") + ", expected F64");
            }
            long[] dims = longs(node.path("shape"), file + ": tensor " + NAMES[t] + " shape");
            if (!java.util.Arrays.equals(dims, shapes[t])) {
                throw new ModelException(file + ": tensor " + NAMES[t] + " has shape " + java.util.Arrays.toString(dims)
                        + ", expected " + java.util.Arrays.toString(shapes[t]) + " for a " + shape + " network");
            }
            long[] off = longs(node.path("data_offsets"), file + ": tensor " + NAMES[t] + " data_offsets");
            long bytesNeeded = 8L * count(dims);
            if (off.length != 2 || off[0] != expectedOffset || off[1] - off[0] != bytesNeeded) {
                throw new ModelException(file + ": tensor " + NAMES[t] + " has data_offsets " + java.util.Arrays.toString(off)
                        + ", expected [" + expectedOffset + ", " + (expectedOffset + bytesNeeded) + "]");
            }
            if (off[1] > dataLength) {
                throw new ModelException(file + ": truncated: tensor " + NAMES[t] + " ends at byte " + (dataStart + off[1])
                        + " but the file has " + bytes.length + " bytes");
            }
            double[] v = new double[(int) count(dims)];
            ByteBuffer slice = ByteBuffer.wrap(bytes, (int) (dataStart + off[0]), (int) bytesNeeded).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < v.length; i++) {
                v[i] = slice.getDouble();
            }
            tensors.put(NAMES[t], v);
            expectedOffset = off[1];
        }
        if (expectedOffset != dataLength) {
            throw new ModelException(file + ": " + (dataLength - expectedOffset) + " bytes after the last tensor (file has "
                    + bytes.length + " bytes, expected " + (dataStart + expectedOffset) + ")");
        }
        Iterator<String> names = header.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("__metadata__") && !tensors.containsKey(name)) {
                throw new ModelException(file + ": unexpected tensor " + name);
            }
        }
        double[] flat = new double[shape.parameterCount()];
        int o = 0;
        for (double[] v : tensors.values()) {
            System.arraycopy(v, 0, flat, o, v.length);
            o += v.length;
        }
        return new Parameters(shape, flat);
    }

    private static long[][] shapes(NetworkShape s) {
        return new long[][] {{s.hidden(), s.inputs()}, {s.hidden()}, {s.classes(), s.hidden()}, {s.classes()}};
    }

    private static long count(long[] dims) {
        long c = 1;
        for (long d : dims) {
            c *= d;
        }
        return c;
    }

    /** A JSON array of whole numbers (not strings, not fractions), or a {@link ModelException} naming {@code what}. */
    private static long[] longs(JsonNode array, String what) {
        if (!array.isArray()) {
            throw new ModelException(what + " must be an array of whole numbers, got " + org.sparkdigits.io.Echo.value(array.toString()));
        }
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new ModelException(what + " must be whole numbers, got " + org.sparkdigits.io.Echo.value(array.toString()));
            }
            out[i] = v.longValue();
        }
        return out;
    }
}
