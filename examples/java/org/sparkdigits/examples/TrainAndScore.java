package org.sparkdigits.examples;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkdigits.DigitModel;
import org.sparkdigits.DigitScores;
import org.sparkdigits.DigitTrainer;

/** Train on MNIST's CSVs as DataFrames, score, evaluate, save, load: TrainAndScore [TRAIN.csv [TEST.csv [MODEL_DIR]]]. */
public final class TrainAndScore {

    public static void main(String[] args) {
        // spark-submit's --master arrives as the system property spark.master, which a new SparkConf reads
        SparkConf conf = new SparkConf().setIfMissing("spark.master", "local[*]").setAppName("spark-digits example");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            run(spark, args);
        } finally {
            spark.stop();
        }
    }

    public static DigitScores run(SparkSession spark, String... args) {
        String trainCsv = args.length > 0 ? args[0] : "data/mnist_train.csv";    // as ./submit.sh download writes them
        String testCsv = args.length > 1 ? args[1] : "data/mnist_test.csv";
        String modelDir = args.length > 2 ? args[2] : "/tmp/spark-digits-example";
        StructType schema = new StructType().add("label", DataTypes.IntegerType);    // label, pixel0 .. pixel783
        for (int j = 0; j < 784; j++) {
            schema = schema.add("pixel" + j, DataTypes.IntegerType);
        }
        Dataset<Row> train = spark.read().option("header", "true").schema(schema).csv(trainCsv);
        Dataset<Row> test = spark.read().option("header", "true").schema(schema).csv(testCsv);

        DigitModel model = DigitTrainer.builder()          // train's --foo-bar is the builder's fooBar(...)
                .hidden(128).batchSize(128).epochs(2).optimizer("adamw").lr(0.002).l2(0.05).schedule("cosine").seed(1)
                .testSet(test)                             // evaluated after training, into metrics.json
                .build()
                .fit(train);                               // blocks until trained; progress in the log

        model.transform(test).select("label", "prediction").show(5);     // adds prediction and probability
        DigitScores ev = model.evaluate(test);              // accuracy, loss, confusion matrix, precision, recall
        System.out.printf("test accuracy %.4f on %d rows%n", ev.accuracy(), ev.count());
        model.save(modelDir);                              // a model directory on any Hadoop file system
        DigitScores again = DigitModel.load(modelDir).evaluate(test);
        System.out.printf("loaded from %s: test accuracy %.4f%n", modelDir, again.accuracy());
        return again;
    }
}
