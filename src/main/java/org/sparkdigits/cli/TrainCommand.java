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
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.spark.api.java.JavaRDD;
import org.sparkdigits.core.Activation;
import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.Evaluation;
import org.sparkdigits.core.Kernel;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Parameters;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFiles;
import org.sparkdigits.io.Outputs;
import org.sparkdigits.download.MnistDownloader;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.spark.DigitLoader;
import org.sparkdigits.spark.DistributedNetwork;
import org.sparkdigits.spark.Fingerprint;
import org.sparkdigits.spark.Gallery;
import org.sparkdigits.spark.LoadedData;
import org.sparkdigits.spark.CheckpointStore;
import org.sparkdigits.spark.SparkTrainer;

/** {@code train}: load, train, evaluate, write the model directory. */
final class TrainCommand {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    private TrainCommand() {
    }

    /**
     * Checks that need no Spark, run before the session starts: the default data is downloaded if missing; leftovers of
     * an interrupted model write are mended; the model directory, the checkpoint directory and the inputs are checked
     * against each other, so that nothing of the user's is replaced or deleted and no work is lost at the end.
     */
    static void prepare(TrainConfig cfg, Configuration conf) {
        if (cfg.defaultData()) {
            Path data = Path.of(cfg.data());
            Path test = cfg.test() == null ? null : Path.of(cfg.test());
            if (!Files.exists(data) || (test != null && !Files.exists(test))) {
                Path dir = data.toAbsolutePath().getParent();
                LOG.info("{} is missing: downloading MNIST into {}", cfg.data(), dir);
                new MnistDownloader(cfg.mirrors()).download(dir);
            }
        }
        for (String note : ModelStore.recover(cfg.out(), conf)) {
            LOG.warn("{}", note);
        }
        ModelStore.checkTarget(cfg.out(), conf);
        List<String> inputs = new ArrayList<>(InputFiles.allPaths(cfg.data(), conf, "training data"));
        if (cfg.test() != null) {
            inputs.addAll(InputFiles.allPaths(cfg.test(), conf, "test data"));
        }
        Outputs.directory("--out", cfg.out(), conf, inputs);
        if (cfg.checkpointDir() != null) {
            Outputs.apart("--out", cfg.out(), "--checkpoint-dir", cfg.checkpointDir(), conf);
            Outputs.directory("--checkpoint-dir", cfg.checkpointDir(), conf, inputs);
            CheckpointStore.checkTarget(cfg.checkpointDir(), cfg.resume(), conf);
        }
    }

    static int run(TrainConfig cfg, SparkSession spark, PrintStream out) {
        try (HeapWatch heap = new HeapWatch()) {
            return run(cfg, spark, out, heap);
        }
    }

    private static int run(TrainConfig cfg, SparkSession spark, PrintStream out, HeapWatch heap) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        List<InputFile> trainFiles = InputFiles.resolve(cfg.data(), hadoop, "training data", cfg.format());
        StorageLevel level = cfg.sparkStorageLevel();
        DigitLoader loader = new DigitLoader(spark, cfg.onBadRow(), level);
        int parallelism = spark.sparkContext().defaultParallelism();
        int partitions = cfg.partitions() > 0 ? loader.partitionsFor(trainFiles, cfg.partitions(), parallelism)
                : InputFiles.autoPartitions(trainFiles, hadoop, parallelism);
        SparkTrainer.Settings settings = cfg.training();
        Activation activation = settings.activation();
        if (settings.kernel() == Kernel.SIMD && !Kernel.simdAvailable()) {
            LOG.warn("this JVM lacks the Vector API (--add-modules=jdk.incubator.vector, which Spark 4 and submit.sh "
                    + "add): the simd kernel runs as plain loops, with the same results about 3x slower");
        } else if (settings.kernel() == Kernel.FLOAT && !Kernel.simdAvailable()) {
            LOG.warn("this JVM lacks the Vector API (--add-modules=jdk.incubator.vector, which Spark 4 and submit.sh "
                    + "add): the float kernel runs as the plain double loops, about 4-5x slower");
        }

        LOG.info("loading training data {} into {} partitions", cfg.data(), partitions);
        LoadedData train = loader.loadShuffled(trainFiles, partitions, "training data");
        LoadedData.Storage cached = train.storage();
        LOG.info(String.format(Locale.ROOT, "loaded %d training rows in %.1f s: %d blocks, cached %.0f MB in memory and %.0f MB "
                + "on disk (%s)", train.rows(), train.seconds(), train.blockCount(), cached.memoryBytes() / 1e6,
                cached.diskBytes() / 1e6, cfg.storageLevel()));
        long storage = LoadedData.storageMemory(spark.sparkContext());
        long total = cached.memoryBytes() + cached.diskBytes();
        if (total > storage && level.useMemory()) {
            LOG.info(String.format(Locale.ROOT, "the training blocks (%.0f MB) are more than the executors' storage memory "
                    + "(%.0f MB): every pass reads the part on disk from there (about 2.3 KB of executor heap per row "
                    + "keeps all in memory)", total / 1e6, storage / 1e6));
        }
        LoadedData holdout = null;
        if (cfg.holdout() > 0) {
            LoadedData.Split split = train.holdout(cfg.holdout(), cfg.seed(), level);
            train = split.train();
            holdout = split.holdout();
            LOG.info("held out {} rows (seed {}); {} rows left for training", holdout.rows(), cfg.seed(), train.rows());
        }
        LoadedData validation = null;
        if (cfg.validation() > 0) {
            LoadedData.Split split = train.holdout(cfg.validation(), cfg.seed() * 31 + 17, level,
                    "--validation");
            train = split.train();
            validation = split.holdout();
            LOG.info("validation set: {} rows (seed {}); {} rows left for training", validation.rows(), cfg.seed(), train.rows());
        }
        if (settings.batchSize() > train.rows()) {
            throw new UsageException("--batch-size " + settings.batchSize() + " is larger than the " + train.rows()
                    + " training rows");
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
        LOG.info("training {} {} network: {}, lr {} ({} schedule), l2 {}, init {}, seed {}", shape, activation.id(),
                describe(settings), settings.learningRate(), settings.schedule().id(), settings.l2(), cfg.init().id(), cfg.seed());
        JavaRDD<DigitBlock> validationBlocks = validation == null ? null : validation.blocks();
        JavaRDD<DigitBlock> testBlocks = test == null ? null : test.blocks();
        Map<String, Object> fingerprint = cfg.asJson(partitions);
        fingerprint.remove("storage_level"); // where the blocks live does not change a step: a resume may choose otherwise
        fingerprint.put("train_rows", train.rows());
        fingerprint.put("hidden", cfg.hidden());
        fingerprint.put("activation", activation.id());
        fingerprint.put("data_content", train.content());
        SparkTrainer.Checkpointing checkpoints = cfg.checkpointDir() == null ? SparkTrainer.Checkpointing.NONE
                : new SparkTrainer.Checkpointing(cfg.checkpointDir(), cfg.checkpointEvery(), cfg.resume(),
                Fingerprint.of(fingerprint));
        SparkTrainer.Result result = SparkTrainer.train(train.blocks(), train.rows(), initial, settings,
                validationBlocks == null ? null : w -> DistributedNetwork.evaluate(validationBlocks, w, activation),
                testBlocks == null ? null : w -> DistributedNetwork.evaluate(testBlocks, w, activation), checkpoints);

        Parameters trained = result.parameters();
        Evaluation onTrain = DistributedNetwork.evaluate(train.blocks(), trained, activation);
        Evaluation onTest = test == null ? null : DistributedNetwork.evaluate(test.blocks(), trained, activation);
        Evaluation onHoldout = holdout == null ? null : DistributedNetwork.evaluate(holdout.blocks(), trained, activation);
        Evaluation onValidation = validation == null ? null : DistributedNetwork.evaluate(validation.blocks(), trained, activation);

        Map<String, Object> metrics = new LinkedHashMap<>();
        Evaluation reported = onTest != null ? onTest : onHoldout;
        metrics.put("test_accuracy", reported == null ? null : reported.accuracy());
        metrics.put("test_loss", reported == null ? null : reported.meanLoss());
        metrics.put("test_rows", reported == null ? null : reported.count());
        metrics.put("test_source", onTest != null ? cfg.test() : onHoldout != null ? "holdout" : null);
        put(metrics, "holdout", onHoldout);
        put(metrics, "validation", onValidation);
        metrics.put("train_accuracy", onTrain.accuracy());
        metrics.put("train_loss", onTrain.meanLoss());
        metrics.put("train_rows", train.rows());
        metrics.put("skipped_rows", train.skippedRows() + (test == null ? 0 : test.skippedRows()));
        metrics.put("iterations", result.steps());
        if (settings.miniBatch()) {
            metrics.put("epochs", result.history().isEmpty() ? 0 : result.history().get(result.history().size() - 1).epoch());
        }
        metrics.put("stopped_early", result.stoppedEarly());
        metrics.put("best_step", result.bestStep() < 0 ? null : result.bestStep());
        metrics.put("train_seconds", result.trainSeconds());
        metrics.put("load_seconds", train.seconds());
        metrics.put("test_load_seconds", test == null ? null : test.seconds());
        metrics.put("ms_per_iteration", result.medianMs());
        metrics.put("ms_per_iteration_min", result.msPerStep()[1]);
        metrics.put("ms_per_iteration_max", result.msPerStep()[2]);
        metrics.put("partitions", partitions);
        // where the blocks are after training: Spark moves spilled partitions back into free memory as passes read them
        LoadedData.Storage settled = train.storage();
        LOG.info(String.format(Locale.ROOT, "training blocks after training: %.0f MB in memory, %.0f MB on disk",
                settled.memoryBytes() / 1e6, settled.diskBytes() / 1e6));
        metrics.put("cache_memory_mb", settled.memoryBytes() / 1e6);
        metrics.put("cache_disk_mb", settled.diskBytes() / 1e6);
        metrics.put("heap_peak_mb", heap.peakMb());
        metrics.put("heap_max_mb", HeapWatch.maxMb());
        metrics.put("spark_master", spark.sparkContext().master());

        List<String> history = new ArrayList<>();
        history.add("iteration,epoch,loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,elapsed_ms");
        for (SparkTrainer.HistoryRow r : result.history()) {
            history.add(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s,%s,%s,%d", r.step(), num(r.epoch()), num(r.loss()),
                    num(r.trainAccuracy()), num(r.valLoss()), num(r.valAccuracy()), num(r.testLoss()), num(r.testAccuracy()),
                    r.elapsedMs()));
        }
        Map<String, Object> training = cfg.asJson(partitions);
        training.put("train_rows", train.rows());
        LoadedData shown = test != null ? test : holdout != null ? holdout : train;
        Evaluation confusion = onTest != null ? onTest : onHoldout != null ? onHoldout : onTrain;
        String which = test != null ? "test set" : holdout != null ? "holdout" : "training set";
        Map<String, byte[]> charts;
        try {
            charts = Report.charts(history, settings.miniBatch(), confusion, which,
                    Gallery.pick(shown.blocks(), trained, activation, Report.SAMPLES));
        } catch (RuntimeException | LinkageError | java.awt.AWTError e) {
            // the pictures must never cost the trained model (a JVM without fonts, say)
            LOG.warn("the charts could not be drawn ({}): the model is written without them; "
                    + "./submit.sh report --model {} --data ... draws them later", e.toString(), cfg.out());
            charts = Map.of();
        }
        ModelStore.write(cfg.out(), hadoop, new Model(trained, activation, training), metrics, history, charts);

        for (LoadedData d : new LoadedData[] {train, test, holdout, validation}) {
            if (d != null) {
                d.unpersist();
            }
        }
        out.printf(Locale.ROOT, "trained %d %s in %.1f s (median %.1f ms per %s, load %.1f s)%s%n", result.steps(),
                settings.miniBatch() ? "steps" : "iterations", result.trainSeconds(), result.medianMs(),
                settings.localSteps() > 1 ? "round of " + settings.localSteps() + " steps" : settings.miniBatch() ? "step" : "iteration",
                train.seconds(), result.stoppedEarly() ? ", stopped early: best weights of step " + result.bestStep() : "");
        out.printf(Locale.ROOT, "train accuracy %.4f  loss %.4f (%d rows)%n", onTrain.accuracy(), onTrain.meanLoss(), onTrain.count());
        print(out, "validation", onValidation);
        print(out, "holdout", onHoldout);
        print(out, "test", onTest);
        out.println("model written to " + cfg.out());
        return 0;
    }

    private static String describe(SparkTrainer.Settings s) {
        String base = describeSteps(s);
        if (s.augment() != null) {
            var d = s.augment().distortion();
            base += String.format(Locale.ROOT, ", fresh distortions every %s (rotation %s, scale %s, shear %s, shift %s, "
                    + "alpha %s, sigma %s)", s.miniBatch() ? "epoch" : "iteration", d.rotation(), d.scale(), d.shear(),
                    d.shift(), d.alpha(), d.sigma());
        }
        return base;
    }

    private static String describeSteps(SparkTrainer.Settings s) {
        if (s.optimizer().kind().fullBatchOnly()) {
            return s.optimizer().kind().id() + ", " + s.iterations() + " iterations (full batch)";
        }
        if (s.miniBatch()) {
            return s.optimizer().kind().id() + ", " + s.epochs() + " epochs of batch " + s.batchSize()
                    + (s.localSteps() > 1 ? ", " + s.localSteps() + " local steps" : "");
        }
        return s.optimizer().kind().id() + ", " + s.iterations() + " full-batch iterations";
    }

    private static void put(Map<String, Object> metrics, String name, Evaluation e) {
        if (e != null) {
            metrics.put(name + "_accuracy", e.accuracy());
            metrics.put(name + "_loss", e.meanLoss());
            metrics.put(name + "_rows", e.count());
        }
    }

    private static void print(PrintStream out, String name, Evaluation e) {
        if (e != null) {
            out.printf(Locale.ROOT, "%s accuracy %.4f  loss %.4f (%d rows)%n", name, e.accuracy(), e.meanLoss(), e.count());
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
