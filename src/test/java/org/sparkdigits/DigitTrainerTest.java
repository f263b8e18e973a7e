package org.sparkdigits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.io.InputException;
import org.sparkdigits.report.TrainingReport;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TestFormats;

/**
 * The library: {@code fit(DataFrame)} trains the model the command line trains on the same rows, bit for bit, in every
 * layout of the pixels; bad DataFrames are named; listeners hear every step and evaluation; a model saved and loaded
 * is the same model; transform and evaluate agree with predict and evaluate.
 */
@Tag("spark-layer")
class DigitTrainerTest {

    @TempDir
    static Path dir;
    static SparkSession spark;

    /** label, pixel0 .. pixel783 as integers: the Kaggle CSV layout. */
    static final StructType KAGGLE;

    static {
        StructType t = new StructType().add("label", DataTypes.IntegerType);
        for (int j = 0; j < 784; j++) {
            t = t.add("pixel" + j, DataTypes.IntegerType);
        }
        KAGGLE = t;
    }

    @BeforeAll
    static void session() {
        spark = SparkTestSession.get();
    }

    private static Dataset<Row> kaggle(Path csv) {
        return spark.read().option("header", "true").schema(KAGGLE).csv(csv.toString());
    }

    private static DigitTrainer.Builder shortRun() {
        return DigitTrainer.builder().hidden(16).batchSize(64).epochs(2).optimizer("adam").lr(0.01).partitions(2).seed(3)
                .logEvery(5);
    }

    private static byte[] weights(Path model) throws IOException {
        return Files.readAllBytes(model.resolve("model.safetensors"));
    }

    @Tag("slow")
    @Test
    void fitOnTheRealMnistIsTheCommandLinesModelBitForBit() throws IOException {
        Path csv = TestCsv.mnist("mnist_train.csv.gz");
        List<String> options = List.of("--hidden", "16", "--batch-size", "256", "--epochs", "1", "--optimizer", "adam",
                "--lr", "0.01", "--partitions", "2", "--seed", "7");
        List<String> args = new ArrayList<>(List.of("train", "--data", csv.toString(), "--out", dir.resolve("cli").toString()));
        args.addAll(options);
        assertEquals(0, org.sparkdigits.cli.Main.run(args.toArray(String[]::new), System.out, System.err));
        DigitModel fitted = DigitTrainer.builder().hidden(16).batchSize(256).epochs(1).optimizer("adam").lr(0.01)
                .partitions(2).seed(7).build().fit(kaggle(csv));
        fitted.save(dir.resolve("api").toString());
        assertArrayEquals(weights(dir.resolve("cli")), weights(dir.resolve("api")),
                "fit(DataFrame) of the real MNIST = train on its CSV");
        assertEquals(60_000, fitted.report().metrics().scores().train().rows());
    }

    @Test
    void everyLayoutOfThePixelsTrainsTheSameModel() throws IOException {
        List<String> rows = TestCsv.rows(300, 81, true);
        List<String> lines = new ArrayList<>(List.of(TestCsv.header(true)));
        lines.addAll(rows);
        Path csv = TestCsv.write(dir.resolve("layouts.csv"), lines);
        DigitModel fromFile = shortRun().data(csv.toString()).build().fit();
        Dataset<Row> columns = kaggle(csv);
        Dataset<Row> binary = TestFormatsFrames.binary(spark, rows);
        Column[] pixels = new Column[784];
        for (int j = 0; j < 784; j++) {
            pixels[j] = functions.col("pixel" + j);
        }
        Dataset<Row> array = columns.select(functions.col("label"), functions.array(pixels).as("features"));
        Dataset<Row> doubles = columns.select(functions.col("label").cast("double").as("digit"),
                functions.array(pixels).cast("array<double>").as("values"));
        for (DigitModel m : List.of(shortRun().build().fit(columns), shortRun().build().fit(binary),
                shortRun().build().fit(array), shortRun().labelCol("digit").pixelsCol("values").build().fit(doubles))) {
            assertArrayEquals(fromFile.parameters().values(), m.parameters().values(), 0.0);
        }
    }

    /** Counts the Spark jobs started while {@code r} runs. */
    private static int jobsDuring(Runnable r) {
        AtomicInteger jobs = new AtomicInteger();
        SparkListener l = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                jobs.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(l);
        try {
            r.run();
        } finally {
            try {
                spark.sparkContext().listenerBus().waitUntilEmpty();
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError(e);
            }
            spark.sparkContext().removeSparkListener(l);
        }
        return jobs.get();
    }

    @Test
    void badDataFramesAreNamed() throws IOException {
        Dataset<Row> good = kaggle(TestCsv.labelled(dir.resolve("bad.csv"), 40, 82, true));
        DigitTrainer trainer = shortRun().batchSize(10).build();
        // the columns: checked before any job
        for (Object[] c : new Object[][] {
                {good.drop("label"), "the DataFrame has no label column 'label'"},
                {good.drop("pixel100"), "the DataFrame has no column pixel100: fit needs pixel0 .. pixel783"},
                {good.withColumn("pixel5", functions.lit("ink")), "column pixel5 is string, not a number"},
                {good.withColumn("label", functions.lit("five")), "the label column label is string, not a number"},
                {good.select(functions.col("label"), functions.lit("x").as("pixels")), "column pixels is string, not binary"},
                {good.select(functions.col("*"), functions.lit(3).as("label")), "the DataFrame has 2 columns named 'label': "
                        + "which one to read is ambiguous"}}) {
            Dataset<Row> frame = (Dataset<Row>) c[0];
            int jobs = jobsDuring(() -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(frame));
                assertTrue(e.getMessage().startsWith((String) c[1]), e.getMessage());
            });
            assertEquals(0, jobs, "a Spark job ran before " + c[1]);
        }
        // the values: named with the row when the rows are loaded, before any training
        for (Object[] c : new Object[][] {
                {good.withColumn("label", functions.when(functions.col("pixel0").equalTo(-1), 0).otherwise(10)),
                        "label = 10.0 is outside 0-9"},
                {good.withColumn("pixel300", functions.lit(300)), "pixel300 = 300.0 is outside 0-255"},
                {good.withColumn("pixel7", functions.lit(null).cast("int")), "pixel7 is null"},
                {good.withColumn("label", functions.lit(2.5)), "label = 2.5 is not a whole number"},
                {good.limit(0), "no valid data rows"},
                {TestFormatsFrames.binary(spark, TestCsv.rows(40, 82, true)).withColumn("pixels",
                        functions.unhex(functions.lit("0102030405"))), "5 pixel bytes (784 expected) (the row: "}}) {
            InputException e = assertThrows(InputException.class, () -> trainer.fit((Dataset<Row>) c[0]));
            assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
            assertFalse(e.getMessage().contains("[B@"), "a byte array's identity, not its bytes: " + e.getMessage());
            if (e.getMessage().contains("pixel bytes")) {
                assertTrue(e.getMessage().contains(",5 bytes 0x0102030405]"), e.getMessage());
            }
            assertTrue(e.getMessage().startsWith("training data: DataFrame"), e.getMessage());
        }
    }

    @Test
    void theListenerHearsEveryStepEvaluationAndEpoch() throws IOException {
        Dataset<Row> train = kaggle(TestCsv.labelled(dir.resolve("listen.csv"), 320, 83, true));
        Dataset<Row> validation = kaggle(TestCsv.labelled(dir.resolve("listen-v.csv"), 50, 84, true));
        List<Long> steps = new ArrayList<>();
        List<Long> evaluations = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onStep(long step, double epoch, double loss, double accuracy, double learningRate) {
                steps.add(step);
                assertTrue(loss > 0 && accuracy >= 0 && accuracy <= 1 && learningRate > 0, loss + " " + accuracy);
            }

            @Override
            public void onEvaluation(long step, double epoch, DigitScores v, DigitScores test) {
                evaluations.add(step);
                assertEquals(50, v.count());
            }

            @Override
            public void onEpoch(int epoch, long step) {
                epochs.add(epoch);
            }
        };
        DigitModel m = shortRun().validation(validation).earlyStopping(5).listener(l).build().fit(train);
        long total = m.report().metrics().progress().steps();
        assertEquals(10, total, "320 rows, batches of 64, 2 epochs");
        List<Long> every = new ArrayList<>();
        for (long s = 1; s <= total; s++) {
            every.add(s);
        }
        assertEquals(every, steps);
        assertEquals(List.of(5L, 10L), evaluations, "an evaluation at each epoch's end");
        assertEquals(List.of(1, 2), epochs);
        assertEquals(50, m.report().metrics().scores().validation().rows());
    }

    @Test
    void aSavedModelLoadsAsTheSameModel() throws IOException {
        Dataset<Row> train = kaggle(TestCsv.labelled(dir.resolve("save.csv"), 200, 85, true));
        DigitModel m = shortRun().testSet(kaggle(TestCsv.labelled(dir.resolve("save-t.csv"), 60, 86, true))).build().fit(train);
        Path target = dir.resolve("saved model");
        m.save(target.toString());
        DigitModel back = DigitModel.load(target.toString());
        assertArrayEquals(m.parameters().values(), back.parameters().values(), 0.0);
        assertEquals(m.activation(), back.activation());
        TrainingReport a = m.report();
        TrainingReport b = back.report();
        assertEquals(a.history().size(), b.history().size());
        assertEquals(a.metrics().scores().test().accuracy(), b.metrics().scores().test().accuracy());
        assertEquals(a.metrics().progress(), b.metrics().progress());
        for (String f : List.of("model.json", "metrics.json", "history.csv", "loss.png", "samples.png")) {
            assertTrue(Files.isRegularFile(target.resolve(f)), f);
        }
        // saved again over itself: a model directory may be replaced, and keeps its report and charts
        byte[] loss = Files.readAllBytes(target.resolve("loss.png"));
        back.save(target.toString());
        assertArrayEquals(m.parameters().values(), DigitModel.load(target.toString()).parameters().values(), 0.0);
        assertArrayEquals(loss, Files.readAllBytes(target.resolve("loss.png")));
        assertEquals(a.history().size(), DigitModel.load(target.toString()).report().history().size());
        // scoring needs only the weights and model.json: a damaged history is a warning, a missing one nothing
        Files.writeString(target.resolve("history.csv"), "not,a,history\n");
        DigitModel damaged = DigitModel.load(target.toString());
        assertNull(damaged.report());
        assertArrayEquals(m.parameters().values(), damaged.parameters().values(), 0.0);
        Files.delete(target.resolve("history.csv"));
        assertNull(DigitModel.load(target.toString()).report());
    }

    @Test
    void transformAndEvaluateAgreeWithPredictAndEvaluate() throws IOException {
        Path model = dir.resolve("agree");
        Path trainCsv = TestCsv.labelled(dir.resolve("agree-train.csv"), 300, 87, true);
        Path testCsv = TestCsv.labelled(dir.resolve("agree-test.csv"), 90, 88, true);
        shortRun().out(model.toString()).build().fit(kaggle(trainCsv));
        DigitModel m = DigitModel.load(model.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, org.sparkdigits.cli.Main.run(new String[] {"evaluate", "--model", model.toString(), "--data",
                testCsv.toString()}, new java.io.PrintStream(out, true), System.err));
        DigitScores e = m.evaluate(kaggle(testCsv));
        assertTrue(out.toString().contains(String.format(java.util.Locale.ROOT, "90 rows, accuracy %.4f, loss %.4f",
                e.accuracy(), e.meanLoss())), out.toString());
        assertEquals(e.accuracy(), m.evaluate(testCsv.toString(), "auto", "fail").accuracy());
        Path predictions = dir.resolve("agree.csv");
        assertEquals(0, org.sparkdigits.cli.Main.run(new String[] {"predict", "--model", model.toString(), "--data",
                testCsv.toString(), "--out", predictions.toString()}, new java.io.PrintStream(out, true), System.err));
        List<String> lines = Files.readAllLines(predictions);
        List<Row> scored = m.transform(kaggle(testCsv).withColumn("id", functions.monotonically_increasing_id()))
                .orderBy("id").collectAsList();
        for (int i = 0; i < scored.size(); i++) {
            assertEquals((i + 1) + "," + scored.get(i).<Integer>getAs("prediction"), lines.get(i + 1));
        }
    }

    @Test
    void theBuilderRefusesWhatTheCommandLineRefuses() {
        for (Object[] c : new Object[][] {
                {DigitTrainer.builder().epochs(3), "--epochs counts passes of mini-batch training: give --batch-size too"},
                {DigitTrainer.builder().checkpointEvery(5), "--checkpoint-every needs --checkpoint-dir"},
                {DigitTrainer.builder().rotation(5), "--rotation sets the distortions of --augment-on-the-fly: give that too"},
                {DigitTrainer.builder().earlyStopping(3), "--early-stopping needs a validation set: give --validation N"},
                {DigitTrainer.builder().optimizer("rmsprop"), "--optimizer: unknown optimizer 'rmsprop': expected one of sgd"},
                {DigitTrainer.builder().partitions(0), "--partitions must be between 1 and 100000, got 0"},
                {DigitTrainer.builder().onBadRow("ignore"), "--on-bad-row must be fail or skip, got 'ignore'"},
                {DigitTrainer.builder().hidden(5000), "--hidden must be between 1 and 4096, got 5000"},
                {DigitTrainer.builder().validationRows(5).validation(spark.range(1).toDF()),
                        "validationRows(5) and validation(DataFrame) are two validation sets: give one"},
                {DigitTrainer.builder().augmentOnTheFly(true).defaults(java.util.Map.of("rotation", "500"), "f"),
                        "--rotation must be in [0, 180], got 500"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ((DigitTrainer.Builder) c[0])::build);
            assertTrue(e.getMessage().startsWith((String) c[1]), e.getMessage());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> DigitTrainer.builder().defaults(java.util.Map.of("hiden", "5"), "my.properties"));
        assertTrue(unknown.getMessage().startsWith("my.properties: unknown setting 'hiden'"), unknown.getMessage());
        // a defaults file never overrides what a method set, before or after
        assertEquals(12, DigitTrainer.builder().hidden(12).defaults(java.util.Map.of("hidden", "20"), "f").build().spec()
                .network().hidden());
        assertEquals(20, DigitTrainer.builder().defaults(java.util.Map.of("hidden", "20"), "f").build().spec().network().hidden());
        assertNotNull(DigitTrainer.builder().validation(spark.range(1).toDF()).earlyStopping(2).build());
        assertFalse(DigitTrainer.builder().build().spec().loop().miniBatch());
        // distortion ranges matter only on the fly: a defaults file's rotation for augment leaves train alone
        assertNotNull(DigitTrainer.builder().defaults(java.util.Map.of("rotation", "500"), "f").build());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> DigitTrainer.builder().set(org.sparkdigits.TrainOption.HIDDEN, " "));
        assertEquals("--hidden is empty: give H", empty.getMessage());
    }

    @Test
    void everyOptionHasItsBuilderMethodWithTheSameDefault() {
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>();
        for (org.sparkdigits.TrainOption o : org.sparkdigits.TrainOption.values()) {
            if (o.defaultValue() != null) {
                assertNotNull(DigitTrainer.builder().set(o, o.defaultValue()), o.flag());
                all.put(o.flag().substring(2), o.defaultValue());
            }
        }
        // every default written out as a defaults file is exactly the built-in specification; fit writes a model
        // directory only when one is named, so --out's default (the command line's) is the one setting that shows
        assertEquals(DigitTrainer.builder().out("model").build().spec(),
                DigitTrainer.builder().defaults(all, "all.properties").build().spec());
        assertNull(DigitTrainer.builder().build().spec().data().out());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> DigitTrainer.builder().set(org.sparkdigits.TrainOption.LR, "fast"));
        assertTrue(kind.getMessage().startsWith("--lr must be a number, got 'fast'"), kind.getMessage());
    }

    /** A frame of the binary layout: a label and the 784 pixel bytes, as augment writes them. */
    static final class TestFormatsFrames {
        static Dataset<Row> binary(SparkSession spark, List<String> csvRows) {
            List<Row> rows = new ArrayList<>();
            for (String r : csvRows) {
                rows.add(RowFactory.create((byte) TestFormats.label(r), TestFormats.pixels(r)));
            }
            return spark.createDataFrame(rows, new StructType().add("label", DataTypes.ByteType)
                    .add("pixels", DataTypes.BinaryType)).repartition(3);
        }
    }
}
