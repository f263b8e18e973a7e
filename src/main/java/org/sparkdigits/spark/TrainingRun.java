package org.sparkdigits.spark;

import org.sparkdigits.spark.load.Cancellation;
import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.spark.load.InputSize;
import org.sparkdigits.spark.load.FrameSource;
import org.sparkdigits.spark.load.DigitLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.checkpoint.Fingerprint;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Distillation;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.optim.LearningRateSchedule;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.io.InputException;
import org.sparkdigits.model.Model;
import org.sparkdigits.report.Charts;
import org.sparkdigits.report.TrainingMetrics;
import org.sparkdigits.report.TrainingReport;
import org.sparkdigits.train.Engine;
import org.sparkdigits.train.EngineSpec;
import org.sparkdigits.train.LoopSpec;
import org.sparkdigits.train.TrainingCancelledException;
import org.sparkdigits.train.TrainingEvents;
import org.sparkdigits.train.TrainingSpec;

/**
 * One training run, everything {@code train} does between its options and its model directory: load the training
 * rows (files or a DataFrame) into cached blocks, hold out the holdout and validation rows, load the test set, train
 * ({@link SparkTrainer}), evaluate the final weights on every set, and make the metrics, the history and the charts.
 *
 * <p>Each load is announced first (the log and {@link TrainingEvents#onLoad}: what, from where, how big it looks),
 * before its first Spark job. Whatever ends the run (success, a failure, a cancellation) it releases what it cached;
 * an interrupt of its thread or a cancellation of its Spark job ends it with a {@link TrainingCancelledException}.
 */
public final class TrainingRun {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
    /** Digits in samples.png. */
    public static final int SAMPLES = 24;

    /**
     * DataFrames to train on instead of the spec's files; any may be {@code null}.
     *
     * @param train      the training rows (else the spec's {@code data})
     * @param validation the validation rows (else the spec's {@code validation} rows held out)
     * @param test       the test rows (else the spec's {@code test})
     * @param labelCol   the label column's name, {@code null} for {@code label}
     * @param pixelsCol  the pixel column's name, {@code null} to look for {@code pixels}, {@code features} or
     *                   {@code pixel0..pixel783}
     */
    public record Frames(Dataset<Row> train, Dataset<Row> validation, Dataset<Row> test, String labelCol, String pixelsCol) {
    }

    /**
     * What a run records of its options (from the option registry): model.json's {@code training}, under the options'
     * names, the keys of it that the checkpoints' fingerprint leaves out, and the options not at their defaults as the
     * command line writes them, for the log.
     */
    public record Recorded(Map<String, Object> options, java.util.Set<String> outsideFingerprint, String changed) {
    }

    /**
     * What a run made.
     *
     * @param charts the pictures of the model directory by file name (none if they could not be drawn)
     */
    public record Outcome(Model model, TrainingReport report, Map<String, byte[]> charts) {
    }

    private TrainingRun() {
    }

    /** Checks the DataFrames' columns before any job: a missing or mistyped column is named. */
    public static void checkColumns(Frames frames) {
        for (Dataset<Row> f : new Dataset[] {frames.train(), frames.validation(), frames.test()}) {
            if (f != null) {
                FrameSource.layout(f.schema(), frames.labelCol(), frames.pixelsCol(), true, "fit");
            }
        }
    }

    /**
     * Trains and evaluates; what the run cached is released however it ends (the caller's DataFrames are left alone).
     *
     * @throws TrainingCancelledException when the thread is interrupted or the run's Spark job is cancelled
     */
    public static Outcome run(SparkSession spark, TrainingSpec spec, Recorded recorded, Frames frames,
                              TrainingEvents listener) {
        Fit fit = new Fit(spark.sparkContext());
        try (HeapWatch heap = new HeapWatch()) {
            return run(spark, spec, recorded, frames, listener, heap, fit);
        } catch (Throwable t) {
            TrainingCancelledException c = fit.cancellation(t);
            if (c != null) {
                throw c;
            }
            throw t;
        } finally {
            fit.release();
        }
    }

    /**
     * What one run owns in Spark: the data it loaded, and a job tag on its thread's jobs (the caller's job group is
     * left as it is), with which an interrupt cancels the job the thread was waiting for.
     */
    private static final class Fit {
        private final org.apache.spark.SparkContext sc;
        private final String tag = "spark-digits-fit-" + java.util.UUID.randomUUID();
        private final List<LoadedData> loaded = new ArrayList<>();
        /** Where the run is, for a cancellation's message. */
        private String phase = "before loading";
        private boolean interrupted;

        Fit(org.apache.spark.SparkContext sc) {
            this.sc = sc;
            sc.addJobTag(tag);
        }

        LoadedData track(LoadedData d) {
            loaded.add(d);
            return d;
        }

        /** The cancellation {@code t} shows, having cancelled the run's jobs still running; or {@code null}. */
        TrainingCancelledException cancellation(Throwable t) {
            boolean flag = Thread.interrupted();   // cleared while the data is released: set again by release()
            TrainingCancelledException c = Cancellation.of(t, flag, phase);
            interrupted |= flag || (c != null && c.interrupted());
            if (c != null) {
                sc.cancelJobsWithTag(tag);   // an interrupt ends the wait for a job, not the job
                LOG.warn("{}", c.getMessage());
            }
            return c;
        }

        void release() {
            interrupted |= Thread.interrupted();
            for (LoadedData d : loaded) {
                try {
                    d.unpersist();
                } catch (RuntimeException e) {
                    LOG.warn("could not unpersist the run's cached data (Spark drops it when it is collected): {}",
                            e.toString());
                }
            }
            sc.removeJobTag(tag);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Says what is about to be loaded and how big it looks, then lets a cancellation stop the run before the load. */
    private static void announce(String what, String line, TrainingEvents listener, Fit fit) {
        LOG.info("{}", line);
        listener.onLoad(what, line);
        fit.phase = "while loading the " + what;
        Cancellation.check(fit.sc, "before loading the " + what);
    }

    /** The rows of a run, loaded and cached; holdout, validation and test may be {@code null}. */
    private record Sets(LoadedData train, int partitions, String source, LoadedData holdout, LoadedData validation,
                        LoadedData test, String testSource) {
    }

    /** Rows loaded from {@code source} into {@code partitions} partitions ({@code data} {@code null}: none). */
    private record Loaded(LoadedData data, int partitions, String source) {
    }

    /** The final weights evaluated on every set there is ({@code null} where there is none). */
    private record Final(Evaluation train, Evaluation test, Evaluation holdout, Evaluation validation) {
    }

    private static Outcome run(SparkSession spark, TrainingSpec spec, Recorded recorded, Frames frames,
                               TrainingEvents listener, HeapWatch heap, Fit fit) {
        checkColumns(frames);
        // before the data: a wrong teacher fails fast
        Distillation distillation = Teachers.load(spec, spark.sparkContext().hadoopConfiguration());
        warnWithoutVectorApi(spec.network().kernel());
        Sets sets = load(spark, spec, frames, listener, fit);
        LoopSpec loop = spec.loop();
        Activation activation = spec.network().activation();
        Parameters initial = spec.network().init().initialize(spec.network().shape(), loop.seed());
        LOG.info("training {} {} network: {}; options: {}", spec.network().shape(), activation.id(), describe(spec),
                recorded.changed().isEmpty() ? "the defaults" : recorded.changed());
        Map<String, Object> settings = settings(recorded.options(), sets.source(), sets.testSource(), sets.partitions(),
                sets.train().rows(), distillation == null ? null : Teachers.settings(spec.regularization().distillation(),
                        distillation));
        // the engine never enters the fingerprint or model.json: both engines take the same steps, bit for bit, so a
        // run may resume on the other one
        EngineChoice engine = EngineChoice.resolve(spark.sparkContext(), sets.train().blocks().getNumPartitions(), spec);
        LOG.info("engine: {} ({})", engine.engine().id(), engine.reason());
        Engine requested = spec.engine().engine();
        fit.phase = "while training";
        SparkTrainer.Result result = SparkTrainer.train(sets.train().blocks(), sets.train().rows(), initial,
                spec.with(new EngineSpec(engine.engine(), requested == Engine.AUTO)),
                monitors(sets, activation, fingerprint(settings, recorded.outsideFingerprint(), sets.train()), listener), distillation);

        Parameters trained = result.parameters();
        Cancellation.check(fit.sc, "after training, before the final evaluations");
        fit.phase = "while evaluating the trained model";
        Final scores = evaluate(sets, trained, activation);
        LoadedData.Storage settled = sets.train().storage();
        LOG.info(String.format(Locale.ROOT, "training blocks after training: %.0f MB in memory, %.0f MB on disk",
                settled.memoryBytes() / 1e6, settled.diskBytes() / 1e6));
        TrainingReport report = new TrainingReport(result.history(), metrics(spec, sets, result, scores, settled, heap,
                spark.sparkContext().master(), new TrainingMetrics.EngineUse(engine.engine().id(), requested.id(),
                        engine.reason() + (result.engineChange() == null ? "" : "; " + result.engineChange()))));
        fit.phase = "while drawing the charts";
        return new Outcome(new Model(trained, activation, settings), report, charts(report, loop, sets, scores, trained,
                activation));
    }

    /** Loads the training rows, takes the holdout and validation rows out of them, and loads the test rows. */
    private static Sets load(SparkSession spark, TrainingSpec spec, Frames frames, TrainingEvents listener, Fit fit) {
        StorageLevel level = StorageLevel.fromString(spec.data().storageLevel());
        DigitLoader loader = new DigitLoader(spark, spec.data().onBadRow(), level);
        Loaded training = loadTraining(spark, spec, frames, listener, fit, loader);
        LoadedData train = training.data();
        warnIfSpilled(spark.sparkContext(), spec, train, level);
        LoopSpec loop = spec.loop();
        LoadedData holdout = null;
        if (spec.evaluation().holdout() > 0) {
            LoadedData.Split split = train.holdout(spec.evaluation().holdout(), loop.seed(), level);
            train = fit.track(split.train());
            holdout = fit.track(split.holdout());
            LOG.info("held out {} rows (seed {}); {} rows left for training", holdout.rows(), loop.seed(), train.rows());
        }
        LoadedData validation = null;
        if (frames.validation() != null) {
            announce("validation data", "loading the validation data from " + InputSize.of(frames.validation()), listener, fit);
            validation = fit.track(loader.loadInOrder(FrameSource.layout(frames.validation().schema(), frames.labelCol(),
                    frames.pixelsCol(), true, "fit"), frames.validation(), "validation data"));
            LOG.info("validation set: {} rows of a DataFrame", validation.rows());
        } else if (spec.evaluation().validation() > 0) {
            LoadedData.Split split = train.holdout(spec.evaluation().validation(), loop.seed() * 31 + 17, level, "--validation");
            train = fit.track(split.train());
            validation = fit.track(split.holdout());
            LOG.info("validation set: {} rows (seed {}); {} rows left for training", validation.rows(), loop.seed(), train.rows());
        }
        checkSteps(spec, train.rows());
        Loaded test = loadTest(spark, spec, frames, listener, fit, loader);
        if (test.data() == null && holdout == null) {
            LOG.warn("no test set (give --test or --holdout; in code testSet(DataFrame), test(PATH) or holdout(N)): "
                    + "test metrics will be missing");
        }
        return new Sets(train, training.partitions(), training.source(), holdout, validation, test.data(), test.source());
    }

    /** The training rows, from a DataFrame or the spec's files, into their partitions. */
    private static Loaded loadTraining(SparkSession spark, TrainingSpec spec, Frames frames, TrainingEvents listener, Fit fit,
                                     DigitLoader loader) {
        int parallelism = spark.sparkContext().defaultParallelism();
        LoadedData train;
        int partitions;
        String source;
        if (frames.train() != null) {
            announce("training data", "loading the training data from " + InputSize.of(frames.train()), listener, fit);
            // auto: one task per core (a frame's rows are unknown before it is read; give partitions(n) for millions)
            partitions = spec.data().partitions() > 0
                    ? DigitLoader.partitionsFor(frames.train(), spec.data().partitions(), parallelism) : parallelism;
            source = "DataFrame";
            LOG.info("loading the training DataFrame into {} partitions", partitions);
            precheck(spark.sparkContext(), partitions, spec);
            train = fit.track(loader.loadShuffled(FrameSource.layout(frames.train().schema(), frames.labelCol(),
                    frames.pixelsCol(), true, "fit"), frames.train(), partitions, "training data"));
        } else {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            List<InputFile> files = InputFiles.resolve(spec.data().data(), hadoop, "training data", spec.data().format());
            announce("training data", "loading the training data from " + InputSize.of(spec.data().data(), files, hadoop), listener, fit);
            partitions = spec.data().partitions() > 0 ? loader.partitionsFor(files, spec.data().partitions(), parallelism)
                    : InputFiles.autoPartitions(files, hadoop, parallelism);
            source = spec.data().data();
            LOG.info("loading training data {} into {} partitions", source, partitions);
            precheck(spark.sparkContext(), partitions, spec);
            train = fit.track(loader.loadShuffled(files, partitions, "training data"));
        }
        return new Loaded(train, partitions, source);
    }

    /** Says where the training blocks were cached, and warns when they do not fit in the executors' storage memory. */
    private static void warnIfSpilled(org.apache.spark.SparkContext sc, TrainingSpec spec, LoadedData train,
                                      StorageLevel level) {
        LoadedData.Storage cached = train.storage();
        LOG.info(String.format(Locale.ROOT, "loaded %d training rows in %.1f s: %d blocks, cached %.0f MB in memory and %.0f MB "
                + "on disk (%s)", train.rows(), train.seconds(), train.blockCount(), cached.memoryBytes() / 1e6,
                cached.diskBytes() / 1e6, spec.data().storageLevel()));
        long storage = LoadedData.storageMemory(sc);
        if (cached.memoryBytes() + cached.diskBytes() <= storage || !level.useMemory()) {
            return;
        }
        // docs/larger-data.md's rule of thumb (memory): 2.3 KB of executor heap a row, plus 300 MB; twice that
        // for mini-batches, whose steps each read what the load's shuffle pushed to disk
        boolean miniBatch = spec.loop().batchSize() > 0 && spec.loop().localSteps() == 1;
        double heapGb = (miniBatch ? 2 : 1) * (2.3e3 * train.rows() + 300e6) / 1e9;
        String message = String.format(Locale.ROOT, "the training blocks (%.0f MB) are more than the executors' "
                + "storage memory (%.0f MB): every pass reads the part on disk from there (about %.1f GB of executor "
                + "heap in all keeps them in memory: --driver-memory in local mode)",
                (cached.memoryBytes() + cached.diskBytes()) / 1e6, storage / 1e6, heapGb);
        if (miniBatch) {
            // a mini-batch step is a job over every partition: each step reads the spilled ones whole
            LOG.warn(message + "; each mini-batch step reads every spilled partition, many times slower than "
                    + "from memory: give the executors that heap, or use --local-steps K (one read per K steps) "
                    + "or full batch");
        } else {
            LOG.info(message);
        }
    }

    /** Refuses a batch larger than the training rows; warns of a warm-up as long as the run. */
    private static void checkSteps(TrainingSpec spec, long rows) {
        LoopSpec loop = spec.loop();
        if (loop.batchSize() > rows) {
            throw new InputException("--batch-size " + loop.batchSize() + " is larger than the " + rows
                    + " training rows");
        }
        if (!spec.optimizer().kind().fullBatchOnly()) {   // lbfgs and cg take no schedule
            long steps = loop.miniBatch() ? (long) new BatchPlan(rows, loop.batchSize()).stepsPerEpoch()
                    * loop.epochs() : loop.iterations();
            spec.schedule().warmupWarning(steps).ifPresent(LOG::warn);
        }
    }

    /** The test rows, from a DataFrame or the spec's {@code test}, if any (in their files' partitions). */
    private static Loaded loadTest(SparkSession spark, TrainingSpec spec, Frames frames, TrainingEvents listener, Fit fit,
                                 DigitLoader loader) {
        LoadedData test = null;
        String testSource = null;
        if (frames.test() != null) {
            announce("test data", "loading the test data from " + InputSize.of(frames.test()), listener, fit);
            test = fit.track(loader.loadInOrder(FrameSource.layout(frames.test().schema(), frames.labelCol(),
                    frames.pixelsCol(), true, "fit"), frames.test(), "test data"));
            testSource = "DataFrame";
        } else if (spec.data().test() != null) {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            List<InputFile> files = InputFiles.resolve(spec.data().test(), hadoop, "test data");
            announce("test data", "loading the test data from " + InputSize.of(spec.data().test(), files, hadoop), listener, fit);
            test = fit.track(loader.loadInOrder(files, "test data"));
            testSource = spec.data().test();
        }
        if (test != null) {
            LOG.info(String.format(Locale.ROOT, "loaded %d test rows in %.1f s", test.rows(), test.seconds()));
        }
        return new Loaded(test, 0, testSource);
    }

    /**
     * What a checkpoint belongs to: model.json's settings without those a resume may change ({@code outside}: where the
     * blocks are stored, when the log lines and evaluations come), with the training rows' content.
     */
    private static String fingerprint(Map<String, Object> settings, java.util.Set<String> outside, LoadedData train) {
        Map<String, Object> fingerprint = new LinkedHashMap<>(settings);
        fingerprint.keySet().removeAll(outside);
        fingerprint.put(Fingerprint.DATA_CONTENT, train.content());
        return Fingerprint.of(fingerprint);
    }

    /** The evaluations during training: validation and test, where there are such sets. */
    private static SparkTrainer.Monitors monitors(Sets sets, Activation activation, String fingerprint,
                                                  TrainingEvents listener) {
        JavaRDD<DigitBlock> validation = sets.validation() == null ? null : sets.validation().blocks();
        JavaRDD<DigitBlock> test = sets.test() == null ? null : sets.test().blocks();
        return new SparkTrainer.Monitors(validation == null ? null : w -> SparkPasses.evaluate(validation, w, activation),
                test == null ? null : w -> SparkPasses.evaluate(test, w, activation), fingerprint, listener);
    }

    private static Final evaluate(Sets sets, Parameters trained, Activation activation) {
        return new Final(SparkPasses.evaluate(sets.train().blocks(), trained, activation),
                sets.test() == null ? null : SparkPasses.evaluate(sets.test().blocks(), trained, activation),
                sets.holdout() == null ? null : SparkPasses.evaluate(sets.holdout().blocks(), trained, activation),
                sets.validation() == null ? null : SparkPasses.evaluate(sets.validation().blocks(), trained, activation));
    }

    private static TrainingMetrics metrics(TrainingSpec spec, Sets sets, SparkTrainer.Result result, Final scores,
                                           LoadedData.Storage settled, HeapWatch heap, String master,
                                           TrainingMetrics.EngineUse engine) {
        Evaluation reported = scores.test() != null ? scores.test() : scores.holdout();
        String reportedOn = scores.test() != null ? sets.testSource() : scores.holdout() != null ? "holdout" : null;
        LoadedData test = sets.test();
        return new TrainingMetrics(
                new TrainingMetrics.Scores(score(reported), reportedOn, score(scores.holdout()), score(scores.validation()),
                        score(scores.train()), spec.optimizer().averaged() ? "ema" : "raw"),
                new TrainingMetrics.Progress(result.steps(), spec.loop().miniBatch() ? lastEpoch(result) : null,
                        result.stoppedEarly(), result.bestStep() < 0 ? null : result.bestStep(),
                        sets.train().skippedRows() + (test == null ? 0 : test.skippedRows())),
                new TrainingMetrics.Timings(result.trainSeconds(), sets.train().seconds(), test == null ? null : test.seconds(),
                        result.medianMs(), result.msPerStep()[1], result.msPerStep()[2], result.stepPhasesMs(),
                        result.bytesPerStep()),
                new TrainingMetrics.Resources(sets.partitions(), settled.memoryBytes() / 1e6, settled.diskBytes() / 1e6,
                        heap.peakMb(), HeapWatch.maxMb(), master),
                engine);
    }

    /** The four charts, the confusion matrix and the samples of the test set (else the holdout, else training). */
    private static Map<String, byte[]> charts(TrainingReport report, LoopSpec loop, Sets sets, Final scores,
                                              Parameters trained, Activation activation) {
        LoadedData shown = sets.test() != null ? sets.test() : sets.holdout() != null ? sets.holdout() : sets.train();
        Evaluation confusion = scores.test() != null ? scores.test() : scores.holdout() != null ? scores.holdout()
                : scores.train();
        String which = sets.test() != null ? "test set" : sets.holdout() != null ? "holdout" : "training set";
        return draw(report, loop.miniBatch(), confusion, which, shown, trained, activation);
    }

    /**
     * Refuses {@code --engine collective} before the training data is loaded when the cluster cannot run it for
     * {@code partitions} (the choice itself is made once the blocks are cached, on their partitions).
     */
    private static void precheck(org.apache.spark.SparkContext sc, int partitions, TrainingSpec spec) {
        if (spec.engine().collective()) {
            EngineChoice.resolve(sc, partitions, spec);
        }
    }

    /** The charts, or none when they cannot be drawn (a JVM without fonts, say): they must never cost the model. */
    private static Map<String, byte[]> draw(TrainingReport report, boolean byEpoch, Evaluation confusion, String which,
                                            LoadedData shown, Parameters trained, Activation activation) {
        try {
            long t0 = System.nanoTime();
            Map<String, byte[]> charts = Charts.all(report.history(), byEpoch, confusion, which,
                    Gallery.pick(shown.blocks(), trained, activation, SAMPLES));
            LOG.info(String.format(Locale.ROOT, "charts drawn in %.1f s", (System.nanoTime() - t0) / 1e9));
            return charts;
        } catch (RuntimeException | LinkageError | java.awt.AWTError e) {
            if (Cancellation.shows(e)) {
                throw e;   // the run was cancelled: it ends here, without a model
            }
            LOG.warn("the charts could not be drawn ({}): the model is written without them; "
                    + "./submit.sh report --model DIR --data ... draws them later", e.toString());
            return Map.of();
        }
    }

    private static Double lastEpoch(SparkTrainer.Result r) {
        return r.history().isEmpty() ? 0.0 : r.history().get(r.history().size() - 1).epoch();
    }

    private static TrainingMetrics.Score score(Evaluation e) {
        return e == null ? null : new TrainingMetrics.Score(e.accuracy(), e.meanLoss(), e.count());
    }

    private static void warnWithoutVectorApi(KernelKind kernel) {
        if (kernel == KernelKind.SIMD && !KernelKind.simdAvailable()) {
            LOG.warn("this JVM lacks the Vector API (--add-modules=jdk.incubator.vector, which Spark 4 and submit.sh "
                    + "add): the simd kernel runs as plain loops, with the same results about 3x slower");
        } else if (kernel == KernelKind.FLOAT && !KernelKind.simdAvailable()) {
            LOG.warn("this JVM lacks the Vector API (--add-modules=jdk.incubator.vector, which Spark 4 and submit.sh "
                    + "add): the float kernel runs as the plain double loops, about 4-5x slower");
        }
    }

    /**
     * The settings as model.json's {@code training} holds them: the recorded options with what only the run knows in
     * their places (the data's and the test data's sources, the partitions it used, the teachers with their weights'
     * digests), and the training rows.
     */
    static Map<String, Object> settings(Map<String, Object> options, String data, String test, int partitions,
                                        long trainRows, List<Map<String, Object>> teachers) {
        Map<String, Object> m = new LinkedHashMap<>(options);
        m.put("data", data);
        m.put("test", test);
        m.put("partitions", partitions);
        if (teachers != null) {
            m.put("teacher", teachers);
        }
        m.put("train-rows", trainRows);
        return m;
    }

    /** The steps in words, for the log (the values beside it: {@code Recorded.changed}). */
    static String describe(TrainingSpec s) {
        LoopSpec loop = s.loop();
        String kind = s.optimizer().kind().id();
        String base = s.optimizer().kind().fullBatchOnly() ? kind + ", " + loop.iterations() + " iterations (full batch)"
                : loop.miniBatch() ? kind + ", " + loop.epochs() + " epochs of batch " + loop.batchSize()
                + (loop.localSteps() > 1 ? ", " + loop.localSteps() + " local steps" : "")
                : kind + ", " + loop.iterations() + " full-batch iterations";
        if (s.augment().onTheFly()) {
            base += ", fresh distortions every " + (loop.miniBatch() ? "epoch" : "iteration");
        }
        if (s.regularization().distillation().active()) {
            int n = s.regularization().distillation().teachers().size();
            base += ", distilled from " + n + " teacher" + (n == 1 ? "" : "s");
        }
        if (s.optimizer().averaged()) {
            base += ", evaluated on the moving average of the weights";
        }
        return base;
    }
}
