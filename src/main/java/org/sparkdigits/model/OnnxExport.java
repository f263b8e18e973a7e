package org.sparkdigits.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;

/**
 * A model as an ONNX graph (opset 13), for ONNX Runtime and any other ONNX consumer, in double precision
 * (the weights exactly as trained; probabilities agree with ours to ~1e-15) or float32 (what most runtimes
 * and accelerators prefer; probabilities agree to ~2e-6):
 * <pre>
 *   pixels [N x 784] (0-255, as in the CSV; double or float like the graph)
 *   x      = Div(pixels, 255)
 *   z1     = Gemm(x, W1 [H x 784], b1 [H], transB=1)      x W1ᵀ + b1
 *   a1     = Relu(z1) or Sigmoid(z1)
 *   logits = Gemm(a1, W2 [10 x H], b2 [10], transB=1)
 *   probabilities [N x 10] = Softmax(logits, axis=1)
 *   prediction    [N]      = ArgMax(probabilities, axis=1, keepdims=0)   int64
 * </pre>
 */
public final class OnnxExport {

    /** The graph's input name. */
    public static final String INPUT = "pixels";
    /** The graph's outputs. */
    public static final String PROBABILITIES = "probabilities";
    public static final String PREDICTION = "prediction";

    public static final int OPSET = 13;
    static final int IR_VERSION = 8;
    private static final int FLOAT = 1;   // TensorProto.DataType
    private static final int INT64 = 7;
    private static final int DOUBLE = 11;
    private static final int ATTRIBUTE_INT = 2;   // AttributeProto.AttributeType

    private OnnxExport() {
    }

    /** The serialized ModelProto, in double precision. */
    public static byte[] toOnnx(Model model) {
        return toOnnx(model, true);
    }

    /** The serialized ModelProto, in double precision or float32. */
    public static byte[] toOnnx(Model model, boolean doublePrecision) {
        int type = doublePrecision ? DOUBLE : FLOAT;
        NetworkShape s = model.parameters().shape();
        double[] v = model.parameters().values();
        int h = s.hidden();
        int d = s.inputs();
        int k = s.classes();
        ProtoWriter graph = new ProtoWriter()
                .message(1, node("scale", "Div", new String[] {INPUT, "255"}, "x"))
                .message(1, node("hidden", "Gemm", new String[] {"x", "W1", "b1"}, "z1", intAttribute("transB", 1)))
                .message(1, node("activation", model.activation() == Activation.RELU ? "Relu" : "Sigmoid",
                        new String[] {"z1"}, "a1"))
                .message(1, node("output", "Gemm", new String[] {"a1", "W2", "b2"}, "logits", intAttribute("transB", 1)))
                .message(1, node("softmax", "Softmax", new String[] {"logits"}, PROBABILITIES, intAttribute("axis", 1)))
                .message(1, node("argmax", "ArgMax", new String[] {PROBABILITIES}, PREDICTION, intAttribute("axis", 1),
                        intAttribute("keepdims", 0)))
                .string(2, "spark-digits " + d + "-" + h + "-" + k)
                .message(5, tensor("255", new long[0], new double[] {255.0}, 0, 1, type))
                .message(5, tensor("W1", new long[] {h, d}, v, s.w1Offset(), h * d, type))
                .message(5, tensor("b1", new long[] {h}, v, s.b1Offset(), h, type))
                .message(5, tensor("W2", new long[] {k, h}, v, s.w2Offset(), k * h, type))
                .message(5, tensor("b2", new long[] {k}, v, s.b2Offset(), k, type))
                .message(11, valueInfo(INPUT, type, d))
                .message(12, valueInfo(PROBABILITIES, type, k))
                .message(12, valueInfo(PREDICTION, INT64, -1));
        return new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, "spark-digits")
                .string(3, String.valueOf(ModelStore.FORMAT_VERSION))
                .string(6, "Two-layer digit classifier trained by spark-digits; input: 784 pixel values 0-255 per row")
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET))
                .toByteArray();
    }

    private static ProtoWriter node(String name, String op, String[] inputs, String output, ProtoWriter... attributes) {
        ProtoWriter n = new ProtoWriter();
        for (String in : inputs) {
            n.string(1, in);
        }
        n.string(2, output).string(3, name).string(4, op);
        for (ProtoWriter a : attributes) {
            n.message(5, a);
        }
        return n;
    }

    private static ProtoWriter intAttribute(String name, long value) {
        return new ProtoWriter().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    /** A tensor of {@code values[from, from + count)} (row-major), as doubles or rounded to float. */
    private static ProtoWriter tensor(String name, long[] dims, double[] values, int from, int count, int type) {
        ByteBuffer raw = ByteBuffer.allocate((type == DOUBLE ? 8 : 4) * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            if (type == DOUBLE) {
                raw.putDouble(values[from + i]);
            } else {
                raw.putFloat((float) values[from + i]);
            }
        }
        ProtoWriter t = new ProtoWriter();
        for (long dim : dims) {
            t.varint(1, dim);
        }
        return t.varint(2, type).string(8, name).bytes(9, raw.array());
    }

    /** {@code name}: a tensor of {@code [N x width]}, or {@code [N]} when {@code width < 0}; N is symbolic. */
    private static ProtoWriter valueInfo(String name, int type, int width) {
        ProtoWriter shape = new ProtoWriter().message(1, new ProtoWriter().string(2, "N"));
        if (width >= 0) {
            shape.message(1, new ProtoWriter().varint(1, width));
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, type).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}
