package org.sparkdigits.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.core.Evaluation;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Parameters;
import org.sparkdigits.data.InputFiles;
import org.sparkdigits.download.MnistDownloader;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.spark.DigitLoader;
import org.sparkdigits.spark.DistributedNetwork;
import org.sparkdigits.spark.LoadedData;
import org.sparkdigits.spark.SparkTrainer;

/** {@code train}: load, train, evaluate, write the model directory. */
final class TrainCommand {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    private TrainCommand() {
    }

    /** Checks that need no Spark; run before the session starts. */
    static void prepare(TrainConfig cfg) {
        ModelStore.checkTarget(cfg.out());
        if (cfg.defaultData()) {
            Path data = Path.of(cfg.data());
            Path test = cfg.test() == null ? null : Path.of(cfg.test());
            if (!Files.exists(data) || (test != null && !Files.exists(test))) {
                Path dir = data.toAbsolutePath().getParent();
                LOG.info("{} is missing: downloading MNIST into {}", cfg.data(), dir);
                new MnistDownloader(cfg.mirrors()).download(dir);
            }
        }
    }

    static int run(TrainConfig cfg, SparkSession spark, PrintStream out) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        int partitions = cfg.partitions() > 0 ? cfg.partitions() : 2 * spark.sparkContext().defaultParallelism();
        DigitLoader loader = new DigitLoader(spark, cfg.onBadRow(), cfg.sparkStorageLevel());

        LOG.info("loading training data {} into {} partitions", cfg.data(), partitions);
        LoadedData train = loader.loadShuffled(InputFiles.resolve(cfg.data(), hadoop, "training data"), partitions, "training data");
        LOG.info(String.format(Locale.ROOT, "loaded %d training rows in %.1f s", train.rows(), train.seconds()));
        LoadedData holdout = null;
        if (cfg.holdout() > 0) {
            LoadedData.Split split = train.holdout(cfg.holdout(), cfg.seed(), cfg.sparkStorageLevel());
            train = split.train();
            holdout = split.holdout();
            LOG.info("held out {} rows (seed {}); {} rows left for training", holdout.rows(), cfg.seed(), train.rows());
        }
        LoadedData test = null;
        if (cfg.test() != null) {
            test = loader.loadInOrder(InputFiles.resolve(cfg.test(), hadoop, "test data"), "test data");
            LOG.info(String.format(Locale.ROOT, "loaded %d test rows in %.1f s", test.rows(), test.seconds()));
        } else if (holdout == null) {
            LOG.warn("no test set (give --test or --holdout): test metrics will be missing");
        }

        NetworkShape shape = NetworkShape.mnist(cfg.hidden());
        Parameters initial = cfg.init().initialize(shape, cfg.seed());
        LOG.info("training {} network: {} iterations of full-batch gradient descent, lr {}, init {}, seed {}",
                shape, cfg.iterations(), cfg.learningRate(), cfg.init().id(), cfg.seed());
        SparkTrainer.Result result = SparkTrainer.train(train.blocks(), initial,
                new SparkTrainer.Settings(cfg.iterations(), cfg.learningRate(), cfg.logEvery()));

        Evaluation onTrain = DistributedNetwork.evaluate(train.blocks(), result.parameters());
        Evaluation onTest = test == null ? null : DistributedNetwork.evaluate(test.blocks(), result.parameters());
        Evaluation onHoldout = holdout == null ? null : DistributedNetwork.evaluate(holdout.blocks(), result.parameters());

        Map<String, Object> metrics = new LinkedHashMap<>();
        Evaluation reported = onTest != null ? onTest : onHoldout;
        metrics.put("test_accuracy", reported == null ? null : reported.accuracy());
        metrics.put("test_loss", reported == null ? null : reported.meanLoss());
        metrics.put("test_rows", reported == null ? null : reported.count());
        metrics.put("test_source", onTest != null ? cfg.test() : onHoldout != null ? "holdout" : null);
        if (onHoldout != null) {
            metrics.put("holdout_accuracy", onHoldout.accuracy());
            metrics.put("holdout_loss", onHoldout.meanLoss());
            metrics.put("holdout_rows", onHoldout.count());
        }
        metrics.put("train_accuracy", onTrain.accuracy());
        metrics.put("train_loss", onTrain.meanLoss());
        metrics.put("train_rows", train.rows());
        metrics.put("skipped_rows", train.skippedRows() + (test == null ? 0 : test.skippedRows()));
        metrics.put("iterations", cfg.iterations());
        metrics.put("train_seconds", result.trainSeconds());
        metrics.put("load_seconds", train.seconds());
        metrics.put("test_load_seconds", test == null ? null : test.seconds());
        metrics.put("ms_per_iteration", result.medianMs());
        metrics.put("ms_per_iteration_min", result.msPerIteration()[1]);
        metrics.put("ms_per_iteration_max", result.msPerIteration()[2]);
        metrics.put("partitions", partitions);
        metrics.put("spark_master", spark.sparkContext().master());

        List<String> history = new ArrayList<>();
        history.add("iteration,loss,train_accuracy,elapsed_ms");
        for (SparkTrainer.HistoryRow r : result.history()) {
            history.add(String.format(Locale.ROOT, "%d,%.6f,%.6f,%d", r.iteration(), r.loss(), r.trainAccuracy(), r.elapsedMs()));
        }
        Map<String, Object> training = cfg.asJson(partitions);
        training.put("train_rows", train.rows());
        ModelStore.write(cfg.out(), new Model(result.parameters(), training), metrics, history);

        train.unpersist();
        if (test != null) {
            test.unpersist();
        }
        if (holdout != null) {
            holdout.unpersist();
        }
        out.printf(Locale.ROOT, "trained %d iterations in %.1f s (median %.0f ms/iteration, load %.1f s)%n",
                cfg.iterations(), result.trainSeconds(), result.medianMs(), train.seconds());
        out.printf(Locale.ROOT, "train accuracy %.4f  loss %.4f (%d rows)%n", onTrain.accuracy(), onTrain.meanLoss(), onTrain.count());
        if (onHoldout != null) {
            out.printf(Locale.ROOT, "holdout accuracy %.4f  loss %.4f (%d rows)%n", onHoldout.accuracy(), onHoldout.meanLoss(), onHoldout.count());
        }
        if (onTest != null) {
            out.printf(Locale.ROOT, "test accuracy %.4f  loss %.4f (%d rows)%n", onTest.accuracy(), onTest.meanLoss(), onTest.count());
        }
        out.println("model written to " + cfg.out());
        return 0;
    }
}
