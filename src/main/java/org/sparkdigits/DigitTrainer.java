package org.sparkdigits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.augment.Distortion;
import org.sparkdigits.checkpoint.CheckpointLease;
import org.sparkdigits.checkpoint.CheckpointStore;
import org.sparkdigits.checkpoint.YarnAttempt;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.optim.LearningRateSchedule;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.download.MnistDownloader;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.io.Outputs;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.spark.TrainingRun;
import org.sparkdigits.train.AugmentSpec;
import org.sparkdigits.train.Check;
import org.sparkdigits.train.CheckpointSpec;
import org.sparkdigits.train.DataSpec;
import org.sparkdigits.train.DistillationSpec;
import org.sparkdigits.train.Engine;
import org.sparkdigits.train.EngineSpec;
import org.sparkdigits.train.EvaluationSpec;
import org.sparkdigits.train.LoopSpec;
import org.sparkdigits.train.NetworkSpec;
import org.sparkdigits.train.OptimizerSpec;
import org.sparkdigits.train.RegularizationSpec;
import org.sparkdigits.train.ScheduleSpec;
import org.sparkdigits.train.TrainingListener;
import org.sparkdigits.train.TrainingSpec;

/**
 * Trains a 784-H-10 digit network on Spark, from a DataFrame or from files:
 * <pre>
 *   DigitModel model = DigitTrainer.builder()
 *           .hidden(800).batchSize(512).epochs(8).optimizer("adamw").lr(0.001).l2(0.1).dropout(0.3)
 *           .schedule("cosine").warmup(500).seed(1)
 *           .build()
 *           .fit(trainDf);
 * </pre>
 * Every option of {@code ./submit.sh train --foo-bar} is the builder method {@code fooBar(...)}, with the same meaning,
 * default ({@link TrainOption}) and validation: {@link Builder#build()} throws {@link IllegalArgumentException} with the
 * message the command line prints. A trainer is immutable; {@link #fit} blocks until trained (progress in the log and
 * through a {@link TrainingListener}) and returns the model, written to {@code out(...)} too when that was given. An
 * interrupt of its thread or a cancellation of its Spark job ends it with a
 * {@link org.sparkdigits.train.TrainingCancelledException}; however it ends, it releases what it cached.
 */
public final class DigitTrainer {

    /** The logger, made when first used: the command line checks options with this class before any logging is set up. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(DigitTrainer.class);
    }

    private final TrainingSpec spec;
    /** Whether {@link #prepare(Configuration)} ran for the next {@link #fit()}. */
    private boolean prepared;
    /** What {@link #prepare(Configuration)} found: whether the next run continues checkpoints (a YARN re-attempt's). */
    private boolean resumes;
    /** The checkpoint directory {@link #prepare(Configuration)} took, held until {@link #fit} ends. */
    private CheckpointLease lease;
    private final boolean defaultData;
    private final boolean testGiven;
    private final Dataset<Row> validationFrame;
    private final Dataset<Row> testFrame;
    private final String labelCol;
    private final String pixelsCol;
    private final TrainingListener listener;

    private DigitTrainer(Builder b, TrainingSpec spec) {
        this.spec = spec;
        this.defaultData = !b.given.contains("data");
        this.testGiven = b.given.contains("test");
        this.validationFrame = b.validationFrame;
        this.testFrame = b.testFrame;
        this.labelCol = b.labelCol;
        this.pixelsCol = b.pixelsCol;
        this.listener = b.listener;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The validated configuration. */
    public TrainingSpec spec() {
        return spec;
    }

    /**
     * Trains on the rows of {@code train} (a label column and the pixels in any layout: 784 columns {@code pixel0 ..
     * pixel783}, a binary column of 784 bytes, or an array column of 784 numbers), with the validation and test sets
     * the builder was given. A missing or mistyped column is named before any Spark job; a bad value (a null, a label
     * outside 0-9, a pixel outside 0-255) fails the load with the row and what is wrong.
     */
    public DigitModel fit(Dataset<Row> train) {
        return fit(train.sparkSession(), train);
    }

    /** Trains on the files of {@code data(...)} (the default: data/mnist_train.csv, downloaded if missing). */
    public DigitModel fit() {
        SparkSession spark = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get()
                : SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
        if (spark == null) {
            throw new IllegalStateException("fit() needs a running SparkSession (SparkSession.builder().getOrCreate())");
        }
        return fit(spark, null);
    }

    private DigitModel fit(SparkSession spark, Dataset<Row> train) {
        try {
            return fitHolding(spark, train);
        } finally {   // success, failure or exception: the checkpoint directory is free again
            release();
        }
    }

    private DigitModel fitHolding(SparkSession spark, Dataset<Row> train) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        TrainingRun.Frames frames = new TrainingRun.Frames(train, validationFrame, testFrame, labelCol, pixelsCol);
        TrainingRun.checkColumns(frames);
        TrainingSpec run = spec;
        if (train != null && !testGiven) {
            // the default test file goes with the default training file only
            DataSpec d = spec.data();
            run = spec.with(new DataSpec(null, null, d.format(), d.partitions(), d.storageLevel(), d.onBadRow(), d.out(), d.mirrors()));
        }
        if (!(prepared && train == null)) {   // once is enough: recovery and checks list the inputs again
            resumes = prepare(conf, run, train == null);
        }
        prepared = false;
        CheckpointSpec ck = run.checkpoints();
        if (resumes && !ck.resume()) {   // YARN started this driver again: continue its first attempt's checkpoints
            run = run.with(new CheckpointSpec(ck.dir(), ck.every(), true));
        }
        TrainingRun.Outcome o = TrainingRun.run(spark, run, frames, listener);
        DigitModel model = new DigitModel(o.model(), o.report(), o.charts());
        if (run.data().out() != null) {
            model.save(run.data().out(), conf);
        }
        return model;
    }

    /**
     * What can be checked before Spark starts, so that nothing of the user's is replaced or deleted and no work is lost
     * at the end: the default data is downloaded if it is missing; leftovers of an interrupted model write are mended;
     * the model directory ({@code out}), the checkpoint directory, the teachers and the inputs are checked against each
     * other. With a checkpoint directory, this run takes it ({@link CheckpointLease}: a second run given the same one
     * is refused, naming this one) and holds it until the next {@link #fit} ends, or {@link #release()}, or the JVM
     * exits. {@link #fit} does it too.
     */
    public void prepare(Configuration conf) {
        resumes = prepare(conf, spec, true);
        prepared = true;
    }

    /**
     * Lets go of the checkpoint directory that {@link #prepare} took, for a caller that will not {@link #fit} after all;
     * {@link #fit} lets go of it itself when it ends. Nothing happens without one.
     */
    public void release() {
        CheckpointLease l = lease;
        lease = null;
        prepared = false;
        if (l != null) {
            l.close();
        }
    }

    /** @return whether the run is to continue checkpoints ({@code --resume}, or a YARN re-attempt's own) */
    private boolean prepare(Configuration conf, TrainingSpec s, boolean fromFiles) {
        DataSpec d = s.data();
        if (fromFiles && defaultData) {
            downloadIfMissing(d);
        }
        List<String> inputs = checkInputs(conf, d, fromFiles);
        List<String> teachers = s.regularization().distillation().teachers();
        if (d.out() != null) {
            // before recovery, which may delete or rename files in --out: a teacher's are left alone
            Outputs.apartFromTeachers("--out", d.out(), conf, teachers, true);
            for (String note : ModelStore.recover(d.out(), conf)) {
                Log.LOG.warn("{}", note);
            }
            ModelStore.checkTarget(d.out(), conf);
            Outputs.directory("--out", d.out(), conf, inputs);
        }
        return s.checkpoints().enabled() && prepareCheckpoints(conf, s, inputs, teachers);
    }

    /** The default MNIST files, downloaded into their folder when one of them is missing. */
    private static void downloadIfMissing(DataSpec d) {
        Path data = Path.of(d.data());
        Path test = d.test() == null ? null : Path.of(d.test());
        if (!Files.exists(data) || (test != null && !Files.exists(test))) {
            Path dir = data.toAbsolutePath().getParent();
            Log.LOG.info("{} is missing: downloading MNIST into {}", d.data(), dir);
            new MnistDownloader(d.mirrors().isEmpty() ? MnistDownloader.DEFAULT_MIRRORS : d.mirrors()).download(dir);
        }
    }

    /**
     * Every input file's path (the training data's when {@code fromFiles}, and the test data's), each input's first rows
     * checked with {@code --on-bad-row fail}: a bad row near an input's start is said now, not after a whole read.
     */
    private static List<String> checkInputs(Configuration conf, DataSpec d, boolean fromFiles) {
        List<String> inputs = new ArrayList<>();
        if (fromFiles) {
            inputs.addAll(InputFiles.allPaths(d.data(), conf, "training data"));
        }
        if (d.test() != null) {
            inputs.addAll(InputFiles.allPaths(d.test(), conf, "test data"));
        }
        if (d.onBadRow() == OnBadRow.FAIL) {
            if (fromFiles) {
                InputFiles.checkFirstRows(d.data(), conf, "training data", d.format());
            }
            if (d.test() != null) {
                InputFiles.checkFirstRows(d.test(), conf, "test data", d.format());
            }
        }
        return inputs;
    }

    /**
     * Checks {@code --checkpoint-dir} against the other paths, takes its lease (one run per directory) and says whether
     * there is a checkpoint to resume from.
     */
    private boolean prepareCheckpoints(Configuration conf, TrainingSpec s, List<String> inputs, List<String> teachers) {
        CheckpointSpec ck = s.checkpoints();
        if (s.data().out() != null) {
            Outputs.apart("--out", s.data().out(), "--checkpoint-dir", ck.dir(), conf);
        }
        Outputs.directory("--checkpoint-dir", ck.dir(), conf, inputs);
        Outputs.apartFromTeachers("--checkpoint-dir", ck.dir(), conf, teachers, true);
        release();   // this trainer's own, from an earlier prepare
        Optional<YarnAttempt> attempt = YarnAttempt.ofThisDriver();
        CheckpointLease taken = CheckpointLease.acquire(ck.dir(), attempt, conf);
        try {
            boolean resume = CheckpointStore.checkTarget(ck.dir(), ck.resume(), attempt, conf);
            lease = taken;
            return resume;
        } catch (RuntimeException e) {
            taken.close();
            throw e;
        }
    }

    /**
     * The options of a trainer, each at its default until set; {@link #build()} checks them all. A method per option of
     * {@code ./submit.sh train} ({@code --batch-size} is {@link #batchSize(int)}), and the DataFrames and listener of
     * the library.
     */
    public static final class Builder {

        private final Set<String> given = new HashSet<>();
        private String data;
        private String test;
        private int holdout;
        private String out;
        private int hidden;
        private String activation;
        private double lr;
        private int iterations;
        private int batchSize;
        private int epochs;
        private String optimizer;
        private double momentum;
        private double beta1;
        private double beta2;
        private double eps;
        private double ema;
        private double l2;
        private double dropout;
        private double labelSmoothing;
        private String teacher;
        private double distillTemperature;
        private double distillWeight;
        private String schedule;
        private int warmup;
        private int decayEvery;
        private double decayRate;
        private int validation;
        private int evalEvery;
        private int earlyStopping;
        private int localSteps;
        private String engine;
        private String kernel;
        private String init;
        private long seed;
        private Integer partitions;
        private int logEvery;
        private String onBadRow;
        private String checkpointDir;
        private int checkpointEvery;
        private boolean resume;
        private String format;
        private double rotation;
        private double scale;
        private double shear;
        private double shift;
        private double alpha;
        private double sigma;
        private String elasticScale;
        private boolean augmentOnTheFly;
        private String storageLevel;
        private String mirror;
        private Dataset<Row> validationFrame;
        private Dataset<Row> testFrame;
        private String labelCol;
        private String pixelsCol;
        private TrainingListener listener = TrainingListener.NONE;

        private Builder() {
            for (TrainOption o : TrainOption.values()) {
                // out's default is the command line's: the library writes a model directory only when asked to
                if (o.defaultValue() != null && o != TrainOption.OUT) {
                    set(o, o.defaultValue());
                }
            }
            given.clear();
        }

        /**
         * Other defaults, as a defaults file writes them ({@code batch-size = 128}, the keys of {@link TrainOption}):
         * what this builder's methods set, before or after, overrides them.
         *
         * @param source the file's name, for messages
         * @throws IllegalArgumentException naming an unknown key or a bad value
         */
        public Builder defaults(Map<String, String> values, String source) {
            for (Map.Entry<String, String> e : values.entrySet()) {
                TrainOption o = TrainOption.byKey(e.getKey().trim());
                if (o == null) {
                    throw new IllegalArgumentException(source + ": unknown setting '" + org.sparkdigits.io.Echo.value(e.getKey())
                            + "' (the settings are " + String.join(", ", TrainOption.keys()) + ")");
                }
                if (!given.contains(o.key())) {
                    set(o, e.getValue().trim());
                    given.remove(o.key());
                }
            }
            return this;
        }

        /** {@link #defaults(Map, String)} of a properties file's settings. */
        public Builder defaults(Properties properties, String source) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            for (String k : properties.stringPropertyNames()) {
                m.put(k, properties.getProperty(k));
            }
            return defaults(m, source);
        }

        /**
         * Sets {@code option} to a value as written on the command line or in a defaults file, through its builder
         * method ({@code batch-size} through {@link #batchSize(int)}): the same parsing, validation and messages.
         *
         * @throws IllegalArgumentException naming the option, for a value that is not of its kind
         */
        public Builder set(TrainOption option, String value) {
            String v = value.trim();
            if (v.isEmpty()) {
                throw new IllegalArgumentException(option.flag() + " is empty: give "
                        + (option.label() == null ? "true or false" : option.label()));
            }
            Object arg = switch (option.kind()) {
                case TEXT, CHOICE -> value;
                case INTEGER -> Check.integer(option.flag(), v);
                case LONG -> Check.wholeNumber(option.flag(), v);
                case NUMBER -> Check.number(option.flag(), v);
                case FLAG -> Check.flag(option.flag(), v);
            };
            try {
                METHODS.get(option).invoke(this, arg);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
            return this;
        }

        /** The builder method of each option, found by name and {@link TrainOption.Kind} (checked when loaded). */
        private static final Map<TrainOption, java.lang.reflect.Method> METHODS = new java.util.EnumMap<>(TrainOption.class);

        static {
            for (TrainOption o : TrainOption.values()) {
                Class<?> type = switch (o.kind()) {
                    case TEXT, CHOICE -> String.class;
                    case INTEGER -> int.class;
                    case LONG -> long.class;
                    case NUMBER -> double.class;
                    case FLAG -> boolean.class;
                };
                try {
                    METHODS.put(o, Builder.class.getMethod(o.method(), type));
                } catch (NoSuchMethodException e) {
                    throw new ExceptionInInitializerError("TrainOption " + o + " has no builder method " + o.method() + "("
                            + type.getSimpleName() + ")");
                }
            }
        }

        private Builder set(String key) {
            given.add(key);
            return this;
        }

        /** {@code --data PATH}: labelled training data for {@link DigitTrainer#fit()}. */
        public Builder data(String path) {
            this.data = path;
            return set("data");
        }

        /** {@code --test PATH}: test data evaluated after training. */
        public Builder test(String path) {
            this.test = path;
            return set("test");
        }

        /** {@code --holdout N}: rows held out of the training data and reported at the end. */
        public Builder holdout(int n) {
            this.holdout = n;
            return set("holdout");
        }

        /** {@code --out PATH}: the model directory {@code fit} writes (any Hadoop file system). */
        public Builder out(String dir) {
            this.out = dir;
            return set("out");
        }

        /** {@code --hidden H}: hidden units, 1-4096. */
        public Builder hidden(int h) {
            this.hidden = h;
            return set("hidden");
        }

        /** {@code --activation relu|sigmoid}. */
        public Builder activation(String name) {
            this.activation = name;
            return set("activation");
        }

        /** {@code --lr RATE}: the schedule's base rate. */
        public Builder lr(double rate) {
            this.lr = rate;
            return set("lr");
        }

        /** {@code --iterations N}: full-batch steps (iterations of lbfgs and cg). */
        public Builder iterations(int n) {
            this.iterations = n;
            return set("iterations");
        }

        /** {@code --batch-size B}: global rows per step, 0 for full batch. */
        public Builder batchSize(int b) {
            this.batchSize = b;
            return set("batch-size");
        }

        /** {@code --epochs E}: passes over the data with mini-batches. */
        public Builder epochs(int e) {
            this.epochs = e;
            return set("epochs");
        }

        /** {@code --optimizer NAME}: sgd, momentum, nesterov, adam, adamw, lbfgs or cg. */
        public Builder optimizer(String name) {
            this.optimizer = name;
            return set("optimizer");
        }

        /** {@code --momentum MU}. */
        public Builder momentum(double mu) {
            this.momentum = mu;
            return set("momentum");
        }

        /** {@code --beta1 B1}. */
        public Builder beta1(double b) {
            this.beta1 = b;
            return set("beta1");
        }

        /** {@code --beta2 B2}. */
        public Builder beta2(double b) {
            this.beta2 = b;
            return set("beta2");
        }

        /** {@code --eps E}. */
        public Builder eps(double e) {
            this.eps = e;
            return set("eps");
        }

        /** {@code --l2 LAMBDA}. */
        public Builder l2(double lambda) {
            this.l2 = lambda;
            return set("l2");
        }

        /** {@code --dropout P}. */
        public Builder dropout(double p) {
            this.dropout = p;
            return set("dropout");
        }

        /** {@code --label-smoothing EPS}: train against {@code (1 - EPS)·one-hot + EPS/10}. */
        public Builder labelSmoothing(double epsilon) {
            this.labelSmoothing = epsilon;
            return set("label-smoothing");
        }

        /**
         * {@code --teacher DIR[,DIR...]}: distil from these model directories (written by {@code train}); given again,
         * the lists add up.
         */
        public Builder teacher(String dirs) {
            this.teacher = teacher == null || !given.contains("teacher") ? dirs : teacher + "," + dirs;
            return set("teacher");
        }

        /** {@code --teacher}'s directories, each a model directory. */
        public Builder teachers(List<String> dirs) {
            return teacher(String.join(",", dirs));
        }

        /** {@code --distill-temperature T}: the softmax temperature of the teachers' and the student's soft outputs. */
        public Builder distillTemperature(double temperature) {
            this.distillTemperature = temperature;
            return set("distill-temperature");
        }

        /** {@code --distill-weight W}: the share of the teachers' term in the loss, in [0, 1]. */
        public Builder distillWeight(double weight) {
            this.distillWeight = weight;
            return set("distill-weight");
        }

        /**
         * {@code --ema DECAY}: keep a moving average of the weights, which evaluations and the trained model use (0:
         * off).
         */
        public Builder ema(double decay) {
            this.ema = decay;
            return set("ema");
        }

        /** {@code --schedule constant|step|cosine}. */
        public Builder schedule(String name) {
            this.schedule = name;
            return set("schedule");
        }

        /** {@code --warmup STEPS}. */
        public Builder warmup(int steps) {
            this.warmup = steps;
            return set("warmup");
        }

        /** {@code --decay-every STEPS}. */
        public Builder decayEvery(int steps) {
            this.decayEvery = steps;
            return set("decay-every");
        }

        /** {@code --decay-rate R}. */
        public Builder decayRate(double r) {
            this.decayRate = r;
            return set("decay-rate");
        }

        /** {@code --validation N}: rows held out of the training data and evaluated during training. */
        public Builder validation(int n) {
            this.validation = n;
            return set("validation");
        }

        /** The same as {@link #validation(int)}. */
        public Builder validationRows(int n) {
            return validation(n);
        }

        /** A validation set of its own, evaluated during training (instead of rows held out). */
        public Builder validation(Dataset<Row> frame) {
            this.validationFrame = frame;
            return this;
        }

        /** A test set of its own, evaluated during training for information and at the end. */
        public Builder testSet(Dataset<Row> frame) {
            this.testFrame = frame;
            return this;
        }

        /** The DataFrames' label column (default {@code label}). */
        public Builder labelCol(String name) {
            this.labelCol = name;
            return this;
        }

        /** The DataFrames' pixel column (default: {@code pixels}, {@code features} or {@code pixel0 .. pixel783}). */
        public Builder pixelsCol(String name) {
            this.pixelsCol = name;
            return this;
        }

        /** Told of every step, evaluation and epoch. */
        public Builder listener(TrainingListener l) {
            this.listener = l == null ? TrainingListener.NONE : l;
            return this;
        }

        /** {@code --eval-every N}. */
        public Builder evalEvery(int n) {
            this.evalEvery = n;
            return set("eval-every");
        }

        /** {@code --early-stopping P}. */
        public Builder earlyStopping(int patience) {
            this.earlyStopping = patience;
            return set("early-stopping");
        }

        /** {@code --local-steps K}. */
        public Builder localSteps(int k) {
            this.localSteps = k;
            return set("local-steps");
        }

        /**
         * {@code --engine collective|jobs|auto}: how the synchronous steps reach Spark: {@code jobs} (the default) a
         * Spark job per step, {@code collective} a barrier stage per segment of steps whose tasks sum among themselves
         * (mini-batch steps with {@code --local-steps 1}, on a cluster that runs all the partitions' tasks at once),
         * {@code auto} collective where the run and the cluster allow it, else jobs.
         */
        public Builder engine(String name) {
            this.engine = name;
            return set("engine");
        }

        /** {@code --kernel simd|float|sparse|ojalgo}. */
        public Builder kernel(String name) {
            this.kernel = name;
            return set("kernel");
        }

        /** {@code --init he|xavier|seed}. */
        public Builder init(String name) {
            this.init = name;
            return set("init");
        }

        /** {@code --seed N}. */
        public Builder seed(long s) {
            this.seed = s;
            return set("seed");
        }

        /** {@code --partitions N}: 1-100 000. */
        public Builder partitions(int n) {
            this.partitions = n;
            return set("partitions");
        }

        /** {@code --partitions auto|N}: {@code auto} (the default) is Spark's default parallelism, or a multiple of it. */
        public Builder partitions(String n) {
            if (n.trim().equalsIgnoreCase("auto")) {
                this.partitions = null;
                return set("partitions");
            }
            return partitions(Check.integer("--partitions", n));
        }

        /** {@code --log-every N}. */
        public Builder logEvery(int n) {
            this.logEvery = n;
            return set("log-every");
        }

        /** {@code --on-bad-row fail|skip}. */
        public Builder onBadRow(String mode) {
            this.onBadRow = mode;
            return set("on-bad-row");
        }

        /** {@code --checkpoint-dir PATH}. */
        public Builder checkpointDir(String dir) {
            this.checkpointDir = dir;
            return set("checkpoint-dir");
        }

        /** {@code --checkpoint-every K}. */
        public Builder checkpointEvery(int k) {
            this.checkpointEvery = k;
            return set("checkpoint-every");
        }

        /** {@code --resume}. */
        public Builder resume(boolean on) {
            this.resume = on;
            return set("resume");
        }

        /** {@code --format auto|csv|libsvm|parquet|idx}: the format of {@code data}. */
        public Builder format(String name) {
            this.format = name;
            return set("format");
        }

        /** {@code --rotation DEG}. */
        public Builder rotation(double degrees) {
            this.rotation = degrees;
            return set("rotation");
        }

        /** {@code --scale S}. */
        public Builder scale(double s) {
            this.scale = s;
            return set("scale");
        }

        /** {@code --shear S}. */
        public Builder shear(double s) {
            this.shear = s;
            return set("shear");
        }

        /** {@code --shift PX}. */
        public Builder shift(double pixels) {
            this.shift = pixels;
            return set("shift");
        }

        /** {@code --alpha PX}. */
        public Builder alpha(double pixels) {
            this.alpha = pixels;
            return set("alpha");
        }

        /** {@code --sigma PX}. */
        public Builder sigma(double pixels) {
            this.sigma = pixels;
            return set("sigma");
        }

        /** {@code --elastic-scale peak|simard}: what {@link #alpha(double)} means. */
        public Builder elasticScale(String name) {
            this.elasticScale = name;
            return set("elastic-scale");
        }

        /** {@code --augment-on-the-fly}. */
        public Builder augmentOnTheFly(boolean on) {
            this.augmentOnTheFly = on;
            return set("augment-on-the-fly");
        }

        /** {@code --storage-level LEVEL}. */
        public Builder storageLevel(String level) {
            this.storageLevel = level;
            return set("storage-level");
        }

        /** {@code --mirror URL[,URL]}: where the default data is downloaded from when missing. */
        public Builder mirror(String urls) {
            this.mirror = mirror == null || !given.contains("mirror") ? urls : mirror + "," + urls;
            return set("mirror");
        }

        /**
         * The trainer of these options.
         *
         * @throws IllegalArgumentException with the command line's message, naming the option, for the first value or
         *                                  combination that is not allowed
         */
        public DigitTrainer build() {
            NetworkSpec network = new NetworkSpec(hidden, parse(() -> Activation.parse(activation), "--activation: "),
                    parse(() -> Initializer.parse(init), "--init: "), parse(() -> KernelKind.parse(kernel), "--kernel: "));
            OptimizerSpec opt = new OptimizerSpec(parse(() -> Optimizer.Kind.parse(optimizer), "--optimizer: "), momentum,
                    beta1, beta2, eps, ema);
            ScheduleSpec sched = new ScheduleSpec(parse(() -> LearningRateSchedule.Kind.parse(schedule), "--schedule: "), lr,
                    warmup, decayEvery, decayRate);
            List<String> teachers = teacher == null ? List.of()
                    : Arrays.stream(teacher.split(",", -1)).map(String::trim).toList();   // an empty entry is refused
            if (teachers.isEmpty()) {
                for (String d : List.of("distill-temperature", "distill-weight")) {
                    if (given.contains(d)) {
                        throw new IllegalArgumentException("--" + d + " sets the distillation of --teacher: give that too");
                    }
                }
            }
            RegularizationSpec reg = new RegularizationSpec(l2, dropout, labelSmoothing,
                    new DistillationSpec(teachers, distillTemperature, distillWeight));
            if (opt.kind().fullBatchOnly() && batchSize > 0) {
                throw new IllegalArgumentException("--optimizer " + opt.kind().id() + " is a full-batch method: drop "
                        + "--batch-size (or use sgd, momentum, nesterov, adam or adamw)");
            }
            LoopSpec loop = new LoopSpec(batchSize, epochs, iterations, localSteps, logEvery, seed);
            EvaluationSpec eval = new EvaluationSpec(holdout, validation, evalEvery, earlyStopping);
            if (validation > 0 && validationFrame != null) {
                throw new IllegalArgumentException("validationRows(" + validation + ") and validation(DataFrame) are two "
                        + "validation sets: give one");
            }
            if (earlyStopping > 0 && validation == 0 && validationFrame == null) {
                throw new IllegalArgumentException("--early-stopping needs a validation set: give --validation N");
            }
            if (given.contains("epochs") && batchSize == 0) {
                throw new IllegalArgumentException("--epochs counts passes of mini-batch training: give --batch-size too "
                        + "(full batch uses --iterations)");
            }
            if (given.contains("checkpoint-every") && checkpointDir == null) {
                throw new IllegalArgumentException("--checkpoint-every needs --checkpoint-dir");
            }
            if (partitions != null) {
                Check.between("--partitions", partitions, 1, 100_000);
            }
            boolean defaultData = !given.contains("data");
            String testPath = given.contains("test") || (defaultData && !given.contains("holdout")) ? test : null;
            List<String> mirrors = mirror == null ? List.of()
                    : Arrays.stream(mirror.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            DataSpec dataSpec = new DataSpec(data, testPath, parse(() -> InputFormat.parse(format), ""),
                    partitions == null ? 0 : partitions, storageLevel, parse(() -> OnBadRow.parse(onBadRow), ""), out, mirrors);
            CheckpointSpec ck = new CheckpointSpec(checkpointDir, checkpointEvery, resume);
            for (String d : List.of("rotation", "scale", "shear", "shift", "alpha", "sigma", "elastic-scale")) {
                if (given.contains(d) && !augmentOnTheFly) {
                    throw new IllegalArgumentException("--" + d + " sets the distortions of --augment-on-the-fly: give that too");
                }
            }
            // the ranges are checked only where they are used: a defaults file's rotation for augment leaves train alone
            AugmentSpec augment = new AugmentSpec(augmentOnTheFly, augmentOnTheFly
                    ? AugmentSpec.distortion(rotation, scale, shear, shift, alpha, sigma,
                    parse(() -> Distortion.ElasticScale.parse(elasticScale), "--elastic-scale: ")) : null);
            EngineSpec engineSpec = new EngineSpec(Engine.parse(engine));
            return new DigitTrainer(this, new TrainingSpec(network, opt, sched, reg, loop, eval, dataSpec, ck, augment,
                    engineSpec));
        }

        private static <T> T parse(Supplier<T> parser, String prefix) {
            try {
                return parser.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + e.getMessage(), e);
            }
        }
    }
}
