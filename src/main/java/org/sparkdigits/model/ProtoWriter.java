package org.sparkdigits.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few Protocol Buffers wire-format encodings an ONNX file needs (varints, length-delimited bytes and
 * nested messages), so that exporting needs no protobuf library. Fields are written in call order.
 */
final class ProtoWriter {

    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** An integer field (int32, int64 or enum). */
    ProtoWriter varint(int field, long value) {
        tag(field, VARINT);
        raw(value);
        return this;
    }

    /** A string field, UTF-8. */
    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A bytes field. */
    ProtoWriter bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        raw(value.length);
        out.writeBytes(value);
        return this;
    }

    /** A nested message field. */
    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        raw(((long) field << 3) | wireType);
    }

    private void raw(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
