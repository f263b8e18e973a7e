package org.sparkdigits.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.spark.load.DigitLoader;
import org.sparkdigits.spark.JobFloor;
import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.spark.SparkTrainer;
import org.sparkdigits.train.TrainingSpec;

/**
 * MLlib's MultilayerPerceptronClassifier and spark-digits on the same cached MNIST rows, same hidden size
 * and partitions, in one Spark 4.1.0 session. Prints a table and one JSON line.
 *
 * <pre>
 *   args: DATA [HIDDEN=10] [ITERATIONS=40] [PARTITIONS=4]      (master: -Dspark.master, default local[2])
 * </pre>
 * MLlib's time per iteration is {@code (fit(2N) - fit(N)) / N} with {@code tol = 0}, so set-up (stacking
 * rows into blocks, the first jobs) cancels out. spark-digits' figures are the medians of its own step
 * timer, for plain gradient descent and for its L-BFGS (MLlib's default solver).
 */
public final class MllibComparison {

    private MllibComparison() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: MllibComparison DATA [HIDDEN=10] [ITERATIONS=40] [PARTITIONS=4]");
            System.exit(2);
        }
        String data = args[0];
        int hidden = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        int partitions = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        SparkSession spark = SparkSession.builder()
                .master(System.getProperty("spark.master", "local[2]"))
                .appName("mllib-comparison")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            run(spark, data, hidden, iterations, partitions);
        } finally {
            spark.stop();
        }
    }

    private static void run(SparkSession spark, String data, int hidden, int iterations, int partitions) {
        DigitLoader loader = new DigitLoader(spark, OnBadRow.FAIL, StorageLevel.MEMORY_AND_DISK());
        LoadedData loaded = loader.loadShuffled(
                InputFiles.resolve(data, spark.sparkContext().hadoopConfiguration(), "data"), partitions, "data");
        JavaRDD<DigitBlock> blocks = loaded.blocks();
        int rows = (int) loaded.rows();

        // the same rows as MLlib wants them: (label, features / 255), cached
        long t0 = System.nanoTime();
        JavaRDD<Row> mlRows = blocks.flatMap(b -> {
            List<Row> out = new ArrayList<>(b.rows());
            for (int i = 0; i < b.rows(); i++) {
                double[] x = new double[b.inputs()];
                for (int j = 0; j < x.length; j++) {
                    x[j] = b.pixel(i, j) / 255.0;
                }
                out.add(RowFactory.create((double) b.label(i), Vectors.dense(x)));
            }
            return out.iterator();
        });
        StructType schema = new StructType(new StructField[] {
                DataTypes.createStructField("label", DataTypes.DoubleType, false),
                DataTypes.createStructField("features", SQLDataTypes.VectorType(), false)});
        Dataset<Row> frame = spark.createDataFrame(mlRows, schema).persist(StorageLevel.MEMORY_AND_DISK());
        long cached = frame.count();
        double convertS = (System.nanoTime() - t0) / 1e9;

        // spark-digits on the same blocks: gradient descent and L-BFGS
        NetworkShape shape = NetworkShape.mnist(hidden);
        TrainingSpec gd = DigitTrainer.builder().iterations(2 * iterations).lr(0.1).logEvery(iterations).kernel("simd")
                .build().spec();
        // warm-up, as ./submit.sh bench does before its figures (MLlib's warm-up cancels out in its difference):
        // the first few hundred Spark jobs of a JVM are several times slower while HotSpot compiles the scheduler
        double[] w = Initializer.HE.initialize(shape, 1).values();
        for (int i = 0; i < 900; i++) {
            JobFloor.withBroadcast(blocks, shape, w);
        }
        SparkTrainer.train(blocks, rows, Initializer.HE.initialize(shape, 1), DigitTrainer.builder().iterations(iterations)
                .lr(0.1).logEvery(iterations).build().spec());
        double[] gdMs = SparkTrainer.train(blocks, rows, Initializer.HE.initialize(shape, 1), gd).msPerStep();
        double[] gdFloatMs = SparkTrainer.train(blocks, rows, Initializer.HE.initialize(shape, 1), DigitTrainer.builder()
                .iterations(2 * iterations).lr(0.1).logEvery(iterations).kernel("float").build().spec()).msPerStep();
        TrainingSpec lbfgs = DigitTrainer.builder().optimizer("lbfgs").lr(1.0).iterations(2 * iterations)
                .logEvery(iterations).evalEvery(iterations).build().spec();
        double[] lbfgsMs = SparkTrainer.train(blocks, rows, Initializer.HE.initialize(shape, 1), lbfgs).msPerStep();

        // MLlib: warm up, then fit N and 2N iterations
        fit(frame, hidden, 10);
        double fitN = fit(frame, hidden, iterations);
        double fit2N = fit(frame, hidden, 2 * iterations);
        double mllibMs = (fit2N - fitN) * 1000 / iterations;

        System.out.printf(Locale.ROOT, "%nMLlib comparison (Spark %s, %s, %d partitions, %d rows, H=%d, SIMD kernel %s)%n",
                spark.version(), spark.sparkContext().master(), partitions, cached, hidden,
                KernelKind.simdAvailable() ? "on" : "off");
        System.out.printf(Locale.ROOT, "  spark-digits load into cached blocks: %.2f s; MLlib rows from them (vectors, cached): %.2f s%n",
                loaded.seconds(), convertS);
        System.out.printf(Locale.ROOT, "  MLlib MLP (l-bfgs): %.1f ms per iteration (fit %d its %.2f s, %d its %.2f s)%n",
                mllibMs, iterations, fitN, 2 * iterations, fit2N);
        System.out.printf(Locale.ROOT, "  spark-digits gradient descent: %.1f ms per iteration (min %.1f, max %.1f)%n",
                gdMs[0], gdMs[1], gdMs[2]);
        System.out.printf(Locale.ROOT, "  spark-digits gradient descent, float kernel: %.1f ms per iteration (min %.1f, max %.1f)%n",
                gdFloatMs[0], gdFloatMs[1], gdFloatMs[2]);
        System.out.printf(Locale.ROOT, "  spark-digits lbfgs: %.1f ms per iteration (min %.1f, max %.1f)%n",
                lbfgsMs[0], lbfgsMs[1], lbfgsMs[2]);
        System.out.printf(Locale.ROOT, "{\"spark\": \"%s\", \"hidden\": %d, \"partitions\": %d, \"rows\": %d, "
                        + "\"mllib_ms_per_iteration\": %.2f, \"mllib_fit_n_s\": %.3f, \"mllib_fit_2n_s\": %.3f, "
                        + "\"mllib_input_s\": %.3f, \"ours_gd_ms\": %s, \"ours_gd_float_ms\": %s, \"ours_lbfgs_ms\": %s, "
                        + "\"ours_load_s\": %.3f}%n",
                spark.version(), hidden, partitions, cached, mllibMs, fitN, fit2N, convertS, Arrays.toString(gdMs),
                Arrays.toString(gdFloatMs), Arrays.toString(lbfgsMs), loaded.seconds());
        frame.unpersist();
        loaded.unpersist();
    }

    /** Seconds to fit MLlib's MLP for exactly {@code iterations} iterations. */
    private static double fit(Dataset<Row> frame, int hidden, int iterations) {
        MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier()
                .setLayers(new int[] {784, hidden, 10})
                .setMaxIter(iterations)
                .setTol(0.0)
                .setSeed(1L);
        long t0 = System.nanoTime();
        mlp.fit(frame);
        return (System.nanoTime() - t0) / 1e9;
    }
}
