package org.sparkdigits.spark;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Kernel;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.report.Sample;

/**
 * Picks the digits of the samples gallery on the executors: each partition predicts its rows and keeps its
 * {@code count} most confidently wrong and its first {@code count} right ones; the driver merges them in
 * partition order. Only those few rows reach the driver, whatever the size of the data set.
 */
public final class Gallery {

    private Gallery() {
    }

    /** The wrong and right candidates of some partitions. */
    @DefaultSerializer(JavaSerializer.class)
    static final class Part implements Serializable {
        final List<Sample> wrong = new ArrayList<>();
        final List<Sample> right = new ArrayList<>();

        Part merge(Part other, int count) {
            wrong.addAll(other.wrong);
            right.addAll(other.right);
            trim(count);
            return this;
        }

        void trim(int count) {
            wrong.sort(Comparator.comparingDouble(Sample::confidence).reversed());   // stable: ties keep data order
            if (wrong.size() > count) {
                wrong.subList(count, wrong.size()).clear();
            }
            if (right.size() > count) {
                right.subList(count, right.size()).clear();
            }
        }
    }

    /**
     * Up to {@code count} samples: the most confidently wrong first (at most half of them while there are
     * enough right ones), then right ones in data order.
     */
    public static List<Sample> pick(JavaRDD<DigitBlock> blocks, Parameters parameters, Activation activation, int count) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.context());
        Broadcast<double[]> weights = jsc.broadcast(parameters.values().clone());
        NetworkShape shape = parameters.shape();
        try {
            JavaRDD<Part> parts = LeanJobs.mapPartitions(blocks, it -> {
                Kernel net = KernelKind.SIMD.create(new Parameters(shape, weights.value()), activation);
                Part part = new Part();
                int k = shape.classes();
                while (it.hasNext()) {
                    DigitBlock b = it.next();
                    byte[] predicted = new byte[b.rows()];
                    double[] probabilities = new double[b.rows() * k];
                    net.predict(b, predicted, probabilities);
                    for (int i = 0; i < b.rows(); i++) {
                        boolean right = predicted[i] == b.label(i);
                        if (right && part.right.size() >= count) {
                            continue;
                        }
                        Sample s = new Sample(Arrays.copyOfRange(b.pixels(), i * b.inputs(), (i + 1) * b.inputs()),
                                b.label(i), predicted[i], Arrays.copyOfRange(probabilities, i * k, (i + 1) * k));
                        (right ? part.right : part.wrong).add(s);
                        if (part.wrong.size() > 4 * count) {
                            part.trim(count);
                        }
                    }
                }
                part.trim(count);
                return List.of(part).iterator();
            });
            Part all = OrderedAggregation.combineInOrder(parts, (a, b) -> a.merge(b, count));
            int wrong = Math.min(all.wrong.size(), Math.max(count / 2, count - all.right.size()));
            List<Sample> out = new ArrayList<>(all.wrong.subList(0, wrong));
            out.addAll(all.right.subList(0, Math.min(all.right.size(), count - wrong)));
            return out;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            weights.destroy();
        }
    }
}
