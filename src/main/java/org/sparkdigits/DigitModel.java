package org.sparkdigits;

import java.awt.image.BufferedImage;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.image.DigitImage;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelException;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.model.OnnxExport;
import org.sparkdigits.report.TrainingReport;
import org.sparkdigits.spark.Predictions;
import org.sparkdigits.spark.Scoring;

/**
 * A trained digit network: scores DataFrames, evaluates them, and is saved to and loaded from a model directory on any
 * Hadoop file system (a local path, {@code file:}, {@code hdfs://} ...):
 * <pre>
 *   Dataset&lt;Row&gt; scored = model.transform(testDf);     // adds prediction (int) and probability (array&lt;double&gt;)
 *   DigitScores ev = model.evaluate(testDf);             // accuracy, loss, confusion matrix, precision/recall
 *   model.save("hdfs://nn/models/m1");                  // atomically: complete or absent
 *   DigitModel again = DigitModel.load("hdfs://nn/models/m1");
 * </pre>
 * The pixels are read in any layout {@link DigitTrainer#fit(Dataset)} reads; other columns are kept.
 */
public final class DigitModel {

    private static final Logger LOG = LoggerFactory.getLogger(DigitModel.class);

    private final Model model;
    private final TrainingReport report;
    private final Map<String, byte[]> charts;

    DigitModel(Model model, TrainingReport report, Map<String, byte[]> charts) {
        this.model = model;
        this.report = report;
        this.charts = Map.copyOf(charts);
    }

    /**
     * A model of these weights, without a training report.
     *
     * @param model the weights, activation and settings
     * @return the model, ready to score
     */
    public static DigitModel of(Model model) {
        return new DigitModel(model, null, Map.of());
    }

    /**
     * The model directory {@code dir} (written by {@code train} or {@link #save}), read strictly.
     *
     * @param dir the model directory, on any Hadoop file system
     * @return the model, with its report and charts when they are there
     * @throws org.sparkdigits.model.ModelException naming the file and what is wrong with it
     */
    public static DigitModel load(String dir) {
        return load(dir, configuration());
    }

    /**
     * The same with the file systems of {@code conf}. The weights and model.json are read strictly; the report and
     * charts when they are there and readable (scoring needs neither; a damaged history.csv is a warning), so that
     * {@link #save} writes them again.
     *
     * @param dir  the model directory
     * @param conf the Hadoop configuration of its file system
     * @return the model
     * @throws org.sparkdigits.model.ModelException naming the file and what is wrong with it
     */
    public static DigitModel load(String dir, Configuration conf) {
        Model model = ModelStore.read(dir, conf);
        TrainingReport report;
        Map<String, byte[]> charts;
        try {
            report = ModelStore.readReport(dir, conf);
            charts = ModelStore.readCharts(dir, conf);
        } catch (ModelException e) {
            LOG.warn("{} (the model is loaded without its report and charts)", e.getMessage());
            report = null;
            charts = Map.of();
        }
        return new DigitModel(model, report, charts);
    }

    /**
     * Writes the model directory {@code dir} (the weights, model.json, metrics.json, history.csv and, for a model just
     * trained, the charts) atomically: a directory is replaced only when it is a model directory.
     *
     * @param dir the model directory to write, on any Hadoop file system
     */
    public void save(String dir) {
        save(dir, configuration());
    }

    /**
     * The same with the file systems of {@code conf}.
     *
     * @param dir  the model directory to write
     * @param conf the Hadoop configuration of its file system
     */
    public void save(String dir, Configuration conf) {
        if (report == null) {
            ModelStore.write(dir, conf, model, Map.of(), java.util.List.of(org.sparkdigits.report.HistoryRow.HEADER), charts);
        } else {
            ModelStore.write(dir, conf, model, report, charts);
        }
    }

    /**
     * {@code frame} with {@code prediction} (int, 0-9) and {@code probability} (array of 10 doubles) appended.
     *
     * @param frame rows with the pixels as 784 columns (Kaggle's layout) or an array column {@code pixels}
     * @return the rows with their predictions, lazily (a Spark transformation)
     */
    public Dataset<Row> transform(Dataset<Row> frame) {
        return Scoring.transform(frame, model, null);
    }

    /**
     * The same, the pixels read from the column {@code pixelsCol}.
     *
     * @param frame     rows with an array (or vector) column of 784 pixels
     * @param pixelsCol that column's name
     * @return the rows with their predictions
     */
    public Dataset<Row> transform(Dataset<Row> frame, String pixelsCol) {
        return Scoring.transform(frame, model, pixelsCol);
    }

    /**
     * Accuracy, mean loss, confusion matrix and per-class precision and recall on the labelled rows of {@code frame}.
     *
     * @param frame labelled rows, in a layout {@link #transform(Dataset)} takes, with a {@code label} column
     * @return the scores
     */
    public DigitScores evaluate(Dataset<Row> frame) {
        return new DigitScores(Scoring.evaluate(frame, model, null, null));
    }

    /**
     * The same with other column names ({@code null}: the defaults).
     *
     * @param frame     labelled rows
     * @param labelCol  the label column's name
     * @param pixelsCol the pixels column's name
     * @return the scores
     */
    public DigitScores evaluate(Dataset<Row> frame, String labelCol, String pixelsCol) {
        return new DigitScores(Scoring.evaluate(frame, model, labelCol, pixelsCol));
    }

    /**
     * Accuracy, loss, confusion and per-class figures on the labelled digits of {@code path}: a file, directory or glob
     * on any Hadoop file system, in any format ({@code ./submit.sh evaluate}).
     *
     * @param path     the labelled digits
     * @param format   auto (detect each file's), csv, libsvm, parquet or idx
     * @param onBadRow fail (stop at the first malformed row, naming it) or skip (drop and count)
     * @return the scores
     */
    public DigitScores evaluate(String path, String format, String onBadRow) {
        return new DigitScores(Scoring.evaluate(session(), path, InputFormat.parse(format), OnBadRow.parse(onBadRow), model));
    }

    /**
     * The predicted digit of every row of {@code path}, in input order ({@code ./submit.sh predict --data}), and the
     * accuracy when the input is labelled.
     *
     * @param path     digits, labelled or not: a file, directory or glob on any Hadoop file system
     * @param format   auto, csv, libsvm, parquet or idx
     * @param onBadRow fail or skip
     * @return the predictions in input order, with the accuracy when labelled
     */
    public Predictions.Result predict(String path, String format, String onBadRow) {
        return Scoring.predict(session(), path, InputFormat.parse(format), OnBadRow.parse(onBadRow), model);
    }

    /**
     * The digit in a photo or scan ({@code ./submit.sh predict --image}), prepared as MNIST was made ({@link DigitImage}):
     * its 28x28 pixels, the predicted digit and the ten probabilities. No Spark.
     *
     * @param image a photo or scan of one digit, dark on light or light on dark
     * @return what the model saw and what it read
     */
    public ImagePrediction predict(BufferedImage image) {
        byte[] pixels = DigitImage.toMnist(image);
        byte[] predicted = new byte[1];
        double[] probabilities = new double[10];
        KernelKind.SIMD.create(model.parameters(), model.activation()).predict(new DigitBlock(1, 784, null, pixels), predicted,
                probabilities);
        return new ImagePrediction(pixels, predicted[0], probabilities);
    }

    /**
     * A digit read from an image.
     *
     * @param pixels        the 784 pixels the model saw (0-255, ink high)
     * @param digit         the predicted digit, 0-9
     * @param probabilities the ten softmax outputs
     */
    public record ImagePrediction(byte[] pixels, int digit, double[] probabilities) {
    }

    /**
     * The model as an ONNX graph ({@code ./submit.sh export}): input {@code pixels} [N x 784] 0-255, outputs
     * {@code probabilities} [N x 10] and {@code prediction} [N].
     *
     * @param doublePrecision the weights as trained (float64), else float32 throughout
     * @return the ONNX model's bytes (a .onnx file)
     */
    public byte[] onnx(boolean doublePrecision) {
        return OnnxExport.toOnnx(model, doublePrecision);
    }

    private static SparkSession session() {
        if (SparkSession.getActiveSession().isDefined()) {
            return SparkSession.getActiveSession().get();
        }
        if (SparkSession.getDefaultSession().isDefined()) {
            return SparkSession.getDefaultSession().get();
        }
        throw new IllegalStateException("this needs a running SparkSession (SparkSession.builder().getOrCreate())");
    }

    /**
     * The run's history and metrics.
     *
     * @return what history.csv and metrics.json hold, or {@code null} for a model without a report
     */
    public TrainingReport report() {
        return report;
    }

    /**
     * The weights, activation and training settings.
     *
     * @return what model.safetensors and model.json hold
     */
    public Model model() {
        return model;
    }

    /**
     * The weights.
     *
     * @return W1 [H x 784], b1 [H], W2 [10 x H], b2 [10] in one flat vector
     */
    public Parameters parameters() {
        return model.parameters();
    }

    /**
     * The hidden layer's activation.
     *
     * @return relu or sigmoid
     */
    public Activation activation() {
        return model.activation();
    }

    /** The running session's Hadoop configuration (its {@code spark.hadoop.*} settings), else Hadoop's defaults. */
    private static Configuration configuration() {
        SparkSession s = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get()
                : SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
        return s == null ? new Configuration() : s.sparkContext().hadoopConfiguration();
    }
}
