package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.spark.load.FrameSource;
import org.sparkdigits.spark.load.DigitLoader;
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
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Kernel;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.io.InputException;
import org.sparkdigits.model.Model;

/**
 * A trained model on DataFrames, without MLlib: {@link #transform} adds {@code prediction} (int, 0-9) and
 * {@code probability} (array of 10 doubles, the softmax outputs) to every row, keeping the other columns and the
 * rows' order; {@link #evaluate} scores labelled rows. The pixels are read in any layout {@link FrameSource} reads
 * (784 columns {@code pixel0 .. pixel783}, a binary column, an array column), checked as the CSV reader checks them.
 * Each partition is predicted in chunks of {@value #CHUNK} rows with the default kernel, the weights broadcast once.
 */
public final class Scoring {

    /** The added columns. */
    public static final String PREDICTION = "prediction";
    public static final String PROBABILITY = "probability";
    /** Rows predicted together. */
    static final int CHUNK = 1024;

    private Scoring() {
    }

    /**
     * {@code frame} with {@code prediction} and {@code probability} appended.
     *
     * @param pixelsCol the pixel column, {@code null} to look for {@code pixels}, {@code features} or {@code pixel0..783}
     * @throws IllegalArgumentException if the pixel columns are missing or not numeric, or the frame already has a
     *                                  column of an added name (before any Spark job runs)
     */
    public static Dataset<Row> transform(Dataset<Row> frame, Model model, String pixelsCol) {
        NetworkShape shape = model.parameters().shape();
        StructType in = frame.schema();
        FrameSource layout = FrameSource.layout(in, null, pixelsCol, false, "transform");
        List<String> names = List.of(in.fieldNames());
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
        return frame.mapPartitions(new Scorer(weights, shape, model.activation(), layout), Encoders.row(out));
    }

    /**
     * Accuracy, loss and confusion of {@code model} on the labelled rows of {@code frame}: loaded as {@code evaluate}
     * loads files, a bad row failing with what is wrong.
     */
    public static Evaluation evaluate(Dataset<Row> frame, Model model, String labelCol, String pixelsCol) {
        FrameSource layout = FrameSource.layout(frame.schema(), labelCol, pixelsCol, true, "evaluate");
        LoadedData loaded = new DigitLoader(frame.sparkSession(), OnBadRow.FAIL, StorageLevel.MEMORY_AND_DISK())
                .loadInOrder(layout, frame, "data");
        try {
            return SparkPasses.evaluate(loaded.blocks(), model.parameters(), model.activation());
        } finally {
            loaded.unpersist();
        }
    }

    /**
     * Accuracy, loss and confusion of {@code model} on the labelled digits of {@code path} (a file, directory or glob in
     * any format: see {@link InputFiles#resolve}).
     *
     * @param format the files' format, {@code null} to detect each one's
     */
    public static Evaluation evaluate(SparkSession spark, String path, InputFormat format, OnBadRow onBadRow, Model model) {
        List<InputFile> files = InputFiles.resolve(path, spark.sparkContext().hadoopConfiguration(), "data", format);
        if (!files.get(0).labelled()) {
            throw new InputException("data: " + files.get(0).path() + " has no label column: evaluate needs labels (use predict)");
        }
        LoadedData loaded = new DigitLoader(spark, onBadRow, StorageLevel.MEMORY_AND_DISK()).loadInOrder(files, "data");
        try {
            return SparkPasses.evaluate(loaded.blocks(), model.parameters(), model.activation());
        } finally {
            loaded.unpersist();
        }
    }

    /**
     * The predicted digit of every row of {@code path}, in input order (files by path, then rows, lines or images in
     * file order), with the labels when the input has them.
     */
    public static Predictions.Result predict(SparkSession spark, String path, InputFormat format, OnBadRow onBadRow,
                                             Model model) {
        LoadedData loaded = new DigitLoader(spark, onBadRow, StorageLevel.MEMORY_AND_DISK())
                .loadInOrder(InputFiles.resolve(path, spark.sparkContext().hadoopConfiguration(), "data", format), "data");
        try {
            return Predictions.inInputOrder(loaded, model.parameters(), model.activation());
        } finally {
            loaded.unpersist();
        }
    }

    /** The per-partition work: rows in chunks, predicted together. */
    private static final class Scorer implements MapPartitionsFunction<Row, Row> {
        private final Broadcast<double[]> weights;
        private final NetworkShape shape;
        private final Activation activation;
        private final FrameSource layout;

        Scorer(Broadcast<double[]> weights, NetworkShape shape, Activation activation, FrameSource layout) {
            this.weights = weights;
            this.shape = shape;
            this.activation = activation;
            this.layout = layout;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            Kernel kernel = KernelKind.SIMD.create(new Parameters(shape, weights.value()), activation);
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
                    byte[] record = new byte[d];
                    for (int r = 0; r < n; r++) {
                        String problem = layout.fill(pending.get(r), record);
                        if (problem != null) {
                            throw new IllegalArgumentException(problem + " (the row: "
                                    + org.sparkdigits.io.Echo.value(pending.get(r).toString()) + ")");
                        }
                        System.arraycopy(record, 0, px, r * d, d);
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
