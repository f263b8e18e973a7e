package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.spark.load.DigitLoader;
import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

/**
 * Predicted classes of data loaded in input order ({@link DigitLoader#loadInOrder}), gathered on the
 * driver in that order (file, then split, then line): one byte per row.
 */
public final class Predictions {

    @DefaultSerializer(JavaSerializer.class)
    private record Part(int fileIndex, long blockStart, byte[] predicted, byte[] labels) implements Serializable {
    }

    /**
     * @param predicted the predicted class of every row, in input order
     * @param labels    the labels in the same order, or {@code null} if the data has none
     */
    public record Result(byte[] predicted, byte[] labels) {

        /** Fraction of rows predicted right; NaN without labels. */
        public double accuracy() {
            if (labels == null || labels.length == 0) {
                return Double.NaN;
            }
            long right = 0;
            for (int i = 0; i < labels.length; i++) {
                right += labels[i] == predicted[i] ? 1 : 0;
            }
            return (double) right / labels.length;
        }
    }

    private Predictions() {
    }

    public static Result inInputOrder(LoadedData data, Parameters parameters, Activation activation) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.partitions().context());
        Broadcast<double[]> weights = jsc.broadcast(parameters.values().clone());
        NetworkShape shape = parameters.shape();
        try {
            List<Part> parts = new ArrayList<>(data.partitions().map(p -> {
                DigitBlock b = p.block();
                byte[] out = new byte[b.rows()];
                KernelKind.SIMD.create(new Parameters(shape, weights.value()), activation).predict(b, out, null);
                return new Part(p.fileIndex(), p.blockStart(), out, b.labels());
            }).collect());
            parts.sort(Comparator.comparingInt(Part::fileIndex).thenComparingLong(Part::blockStart));
            int total = parts.stream().mapToInt(p -> p.predicted().length).sum();
            byte[] predicted = new byte[total];
            byte[] labels = parts.isEmpty() || parts.get(0).labels() == null ? null : new byte[total];
            int o = 0;
            for (Part p : parts) {
                System.arraycopy(p.predicted(), 0, predicted, o, p.predicted().length);
                if (labels != null) {
                    System.arraycopy(p.labels(), 0, labels, o, p.labels().length);
                }
                o += p.predicted().length;
            }
            return new Result(predicted, labels);
        } finally {
            weights.destroy();
        }
    }
}
