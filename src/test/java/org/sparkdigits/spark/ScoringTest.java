package org.sparkdigits.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/** DigitModel.transform(Dataset&lt;Row&gt;) on a DataFrame read by Spark's own CSV reader, without MLlib. */
@Tag("spark-layer")
class ScoringTest {

    @TempDir
    static Path dir;

    /** label, pixel0 .. pixel783 as integers: the Kaggle CSV layout. */
    static final org.apache.spark.sql.types.StructType KAGGLE;

    static {
        org.apache.spark.sql.types.StructType t = new org.apache.spark.sql.types.StructType()
                .add("label", org.apache.spark.sql.types.DataTypes.IntegerType);
        for (int j = 0; j < 784; j++) {
            t = t.add("pixel" + j, org.apache.spark.sql.types.DataTypes.IntegerType);
        }
        KAGGLE = t;
    }

    @Tag("slow")
    @Test
    void addsPredictionAndProbabilityColumnsToAnyFrameWithThePixelColumns() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path csv = TestCsv.labelled(dir.resolve("kaggle.csv"), 2500, 31, true);   // label,pixel0..pixel783 header
        Model model = new Model(Initializer.HE.initialize(NetworkShape.mnist(16), 4), Activation.RELU, Map.of("seed", 4));
        Path modelDir = dir.resolve("model");
        ModelStore.write(modelDir, model, Map.of(), List.of(org.sparkdigits.report.HistoryRow.HEADER));

        Dataset<Row> frame = spark.read().option("header", "true").schema(KAGGLE).csv(csv.toString())
                .withColumn("id", functions.monotonically_increasing_id()).repartition(3).sortWithinPartitions("id");
        Dataset<Row> scored = org.sparkdigits.DigitModel.load(modelDir.toString()).transform(frame);
        assertEquals(List.of("prediction", "probability"),
                List.of(scored.columns()).subList(scored.columns().length - 2, scored.columns().length));
        List<Row> rows = scored.orderBy("id").collectAsList();
        assertEquals(2500, rows.size());

        // the same as our kernel on the same rows, read by our own parser
        DigitBlock block = InputFiles.firstRows(csv.toString(), 2500);
        byte[] predicted = new byte[2500];
        double[] probabilities = new double[2500 * 10];
        KernelKind.SIMD.create(model.parameters(), Activation.RELU).predict(block, predicted, probabilities);
        for (int i = 0; i < 2500; i++) {
            Row r = rows.get(i);
            assertEquals(block.label(i), r.<Integer>getAs("label").intValue(), "row " + i + " order");
            assertEquals(predicted[i], r.<Integer>getAs("prediction").intValue(), "row " + i);
            List<Double> p = r.getList(r.fieldIndex("probability"));
            double[] expected = java.util.Arrays.copyOfRange(probabilities, i * 10, (i + 1) * 10);
            assertArrayEquals(expected, p.stream().mapToDouble(Double::doubleValue).toArray(), 0.0, "row " + i);
        }
    }

    @Test
    void refusesFramesWithoutThePixelColumnsOrWithBadValues() throws IOException {
        SparkSession spark = SparkTestSession.get();
        org.sparkdigits.DigitModel c = org.sparkdigits.DigitModel.of(new Model(Initializer.HE.initialize(NetworkShape.mnist(4), 1), Map.of()));
        Dataset<Row> noPixels = spark.range(3).toDF("id");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.transform(noPixels));
        assertTrue(e.getMessage().startsWith("the DataFrame has no column pixel0: transform needs pixel0 .. pixel783"),
                e.getMessage());
        Dataset<Row> frame = spark.read().option("header", "true").schema(KAGGLE)
                .csv(TestCsv.labelled(dir.resolve("small.csv"), 5, 2, true).toString());
        Dataset<Row> text = frame.withColumn("pixel17", functions.lit("ink"));
        e = assertThrows(IllegalArgumentException.class, () -> c.transform(text));
        assertEquals("column pixel17 is string, not a number", e.getMessage());
        Dataset<Row> bright = frame.withColumn("pixel3", functions.lit(300));
        Exception job = assertThrows(Exception.class, () -> c.transform(bright).collectAsList());
        assertTrue(String.valueOf(rootCause(job).getMessage()).contains("pixel3 = 300.0 is outside 0-255"), rootCause(job).toString());
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
