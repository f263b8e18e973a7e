package org.sparkdigits.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkdigits.core.Activation;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.GradientKernel;
import org.sparkdigits.core.Kernel;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Parameters;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelStore;

/**
 * A trained model as a DataFrame transformation, without MLlib:
 * <pre>
 *   Dataset&lt;Row&gt; scored = DigitClassifier.load("model").transform(frame);
 * </pre>
 * {@code frame} needs the pixel columns {@code pixel0 .. pixel783} (the Kaggle CSV header's names), numeric, with
 * values 0-255; any other columns are kept. Two columns are added: {@code prediction} (int, 0-9) and
 * {@code probability} (array of 10 doubles, the softmax outputs). Rows keep their order; the work is done per
 * partition in chunks of {@value #CHUNK} rows with the default kernel, the weights broadcast once.
 */
public final class DigitClassifier implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The added columns. */
    public static final String PREDICTION = "prediction";
    public static final String PROBABILITY = "probability";
    /** Rows predicted together. */
    static final int CHUNK = 1024;

    private final Model model;

    public DigitClassifier(Model model) {
        this.model = model;
    }

    /** The model in {@code dir} (a model directory written by {@code train}). */
    public static DigitClassifier load(String dir) {
        org.apache.hadoop.conf.Configuration conf = org.apache.spark.sql.SparkSession.getActiveSession().isDefined()
                ? org.apache.spark.sql.SparkSession.getActiveSession().get().sparkContext().hadoopConfiguration()
                : new org.apache.hadoop.conf.Configuration();
        return new DigitClassifier(ModelStore.read(dir, conf));
    }

    public Model model() {
        return model;
    }

    /**
     * {@code frame} with {@code prediction} and {@code probability} appended.
     *
     * @throws IllegalArgumentException if a pixel column is missing or not numeric, or the frame already has a
     *                                  column of an added name (before any Spark job runs)
     */
    public Dataset<Row> transform(Dataset<Row> frame) {
        NetworkShape shape = model.parameters().shape();
        StructType in = frame.schema();
        int[] pixelIndex = new int[shape.inputs()];
        List<String> names = List.of(in.fieldNames());
        for (int j = 0; j < shape.inputs(); j++) {
            String name = "pixel" + j;
            int i = names.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("the DataFrame has no column " + name + ": transform needs pixel0 .. pixel"
                        + (shape.inputs() - 1) + " (the Kaggle CSV header's names); it has " + abbreviate(names));
            }
            if (!(in.fields()[i].dataType() instanceof NumericType)) {
                throw new IllegalArgumentException("column " + name + " is " + in.fields()[i].dataType().simpleString()
                        + ", not a number");
            }
            pixelIndex[j] = i;
        }
        for (String added : List.of(PREDICTION, PROBABILITY)) {
            if (names.contains(added)) {
                throw new IllegalArgumentException("the DataFrame already has a column " + added);
            }
        }
        StructType out = in.add(new StructField(PREDICTION, DataTypes.IntegerType, false, org.apache.spark.sql.types.Metadata.empty()))
                .add(new StructField(PROBABILITY, DataTypes.createArrayType(DataTypes.DoubleType, false), false,
                        org.apache.spark.sql.types.Metadata.empty()));
        Broadcast<double[]> weights = JavaSparkContext.fromSparkContext(frame.sparkSession().sparkContext())
                .broadcast(model.parameters().values().clone());
        return frame.mapPartitions(new Scorer(weights, shape, model.activation(), pixelIndex), Encoders.row(out));
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 8 ? names.toString() : names.subList(0, 8) + " and " + (names.size() - 8) + " more";
    }

    /** The per-partition work: rows in chunks, predicted together. */
    private static final class Scorer implements MapPartitionsFunction<Row, Row> {
        private final Broadcast<double[]> weights;
        private final NetworkShape shape;
        private final Activation activation;
        private final int[] pixelIndex;

        Scorer(Broadcast<double[]> weights, NetworkShape shape, Activation activation, int[] pixelIndex) {
            this.weights = weights;
            this.shape = shape;
            this.activation = activation;
            this.pixelIndex = pixelIndex;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            GradientKernel kernel = Kernel.SIMD.create(new Parameters(shape, weights.value()), activation);
            int d = shape.inputs();
            int k = shape.classes();
            return new Iterator<>() {
                private final List<Row> pending = new ArrayList<>();
                private byte[] predicted = new byte[0];
                private double[] probabilities = new double[0];
                private int next;

                @Override
                public boolean hasNext() {
                    if (next < pending.size()) {
                        return true;
                    }
                    pending.clear();
                    next = 0;
                    while (rows.hasNext() && pending.size() < CHUNK) {
                        pending.add(rows.next());
                    }
                    if (pending.isEmpty()) {
                        return false;
                    }
                    int n = pending.size();
                    byte[] px = new byte[n * d];
                    for (int r = 0; r < n; r++) {
                        Row row = pending.get(r);
                        for (int j = 0; j < d; j++) {
                            Object v = row.get(pixelIndex[j]);
                            if (!(v instanceof Number num)) {
                                throw new IllegalArgumentException("pixel" + j + " is null in row " + row);
                            }
                            double x = num.doubleValue();
                            if (!(x >= 0 && x <= 255)) {
                                throw new IllegalArgumentException("pixel" + j + " = " + x + " is outside 0-255");
                            }
                            px[r * d + j] = (byte) Math.round(x);
                        }
                    }
                    predicted = new byte[n];
                    probabilities = new double[n * k];
                    kernel.predict(new DigitBlock(n, d, null, px), predicted, probabilities);
                    return true;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    int r = next++;
                    Row row = pending.get(r);
                    Object[] values = new Object[row.length() + 2];
                    for (int i = 0; i < row.length(); i++) {
                        values[i] = row.get(i);
                    }
                    values[row.length()] = (int) predicted[r];
                    values[row.length() + 1] = java.util.Arrays.copyOfRange(probabilities, r * k, (r + 1) * k);
                    return RowFactory.create(values);
                }
            };
        }
    }
}
