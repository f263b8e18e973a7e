package org.sparkdigits;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.sparkdigits.core.optim.LearningRateSchedule;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.train.TrainingSpec;

/**
 * Every option of training, the one place its default lives: its name ({@code --batch-size} on the command line, the
 * key {@code batch-size} in a defaults file such as {@code conf/train.properties}, the builder method
 * {@code batchSize(...)}, whose parameter its {@link Kind} gives), its default and its help. The builder is a value
 * map keyed by these constants, starting from their defaults ({@code TrainerOptions}: a fluent method, the command
 * line's value and a defaults file's all go through the same constant); the command line declares its options and
 * shows its usage from them.
 */
public enum TrainOption {
    DATA("data", "PATH", "data/mnist_train.csv", Kind.TEXT, "labelled digits (file, directory or glob; plain or .gz): CSV "
            + "(header detected), LIBSVM, Parquet as augment writes or IDX (the images file; labels beside it)",
            Recorded.RUN, s -> s.data().data()),
    TEST("test", "PATH", "data/mnist_test.csv", Kind.TEXT, "test data (any format --data takes), evaluated after training; "
            + "used by default only when --data is not given", Recorded.RUN, s -> s.data().test()),
    HOLDOUT("holdout", "N", "0", Kind.INTEGER, "hold N training rows out (chosen with --seed) and report accuracy on them",
            Recorded.RUN, s -> s.evaluation().holdout()),
    OUT("out", "PATH", "model", Kind.TEXT, "the model directory to write, on any Hadoop file system (the library's fit "
            + "writes one only when out(...) is given)", Recorded.NO, null),
    HIDDEN("hidden", "H", "10", Kind.INTEGER, "hidden units (1-4096)", Recorded.RUN, s -> s.network().hidden()),
    ACTIVATION("activation", "relu|sigmoid", "relu", Kind.CHOICE, "hidden-layer activation",
            Recorded.RUN, s -> s.network().activation().id()),
    LR("lr", "RATE", "0.1", Kind.NUMBER, "learning rate (the schedule's base rate)",
            Recorded.RUN, s -> s.schedule().lr()),
    ITERATIONS("iterations", "N", "500", Kind.INTEGER, "full-batch steps (iterations of lbfgs and cg)",
            Recorded.RUN, s -> s.loop().miniBatch() ? null : s.loop().iterations()),
    BATCH_SIZE("batch-size", "B", "0", Kind.INTEGER, "global rows per mini-batch step; 0 = full batch",
            Recorded.RUN, s -> s.loop().batchSize()),
    EPOCHS("epochs", "E", "10", Kind.INTEGER, "passes over the data with --batch-size",
            Recorded.RUN, s -> s.loop().miniBatch() ? s.loop().epochs() : null),
    OPTIMIZER("optimizer", "NAME", "sgd", Kind.CHOICE, "sgd|momentum|nesterov|adam|adamw (any batch) or lbfgs|cg (full batch)",
            Recorded.RUN, s -> s.optimizer().kind().id()),
    MOMENTUM("momentum", "MU", "0.9", Kind.NUMBER, "momentum and nesterov: the velocity's decay, in [0, 1)",
            Recorded.RUN,
            s -> s.optimizer().kind() == Optimizer.Kind.MOMENTUM || s.optimizer().kind() == Optimizer.Kind.NESTEROV ? s.optimizer().momentum() : null),
    BETA1("beta1", "B1", "0.9", Kind.NUMBER, "adam/adamw: decay of the first moment, in [0, 1)",
            Recorded.RUN, s -> adam(s) ? s.optimizer().beta1() : null),
    BETA2("beta2", "B2", "0.999", Kind.NUMBER, "adam/adamw: decay of the second moment, in [0, 1)",
            Recorded.RUN, s -> adam(s) ? s.optimizer().beta2() : null),
    EPS("eps", "E", "1e-8", Kind.NUMBER, "adam/adamw: added to the root of the second moment",
            Recorded.RUN, s -> adam(s) ? s.optimizer().eps() : null),
    EMA("ema", "DECAY", "0", Kind.NUMBER, "keep an exponential moving average of the weights (Polyak averaging, decay "
            + "min(DECAY, (1+t)/(10+t)) at step t; e.g. 0.999): evaluations and the saved model use it; 0: off; not with "
            + "lbfgs/cg", Recorded.RUN, s -> s.optimizer().ema()),
    L2("l2", "LAMBDA", "0", Kind.NUMBER, "L2 penalty (lambda/2)|W|^2 on the weights, not the biases; adamw: decoupled "
            + "weight decay", Recorded.RUN, s -> s.regularization().l2()),
    DROPOUT("dropout", "P", "0", Kind.NUMBER, "drop each hidden unit with probability P in every training step (inverted "
            + "dropout; not with lbfgs/cg); gradcheck: check the network with one step's masks",
            Recorded.RUN, s -> s.regularization().dropout()),
    LABEL_SMOOTHING("label-smoothing", "EPS", "0", Kind.NUMBER, "train against (1-EPS)*one-hot + EPS/10 instead of the "
            + "one-hot labels (the reported training loss is the smoothed one; evaluations use the plain one)",
            Recorded.RUN, s -> s.regularization().labelSmoothing()),
    TEACHER("teacher", "DIR[,DIR...]", null, Kind.TEXT, "distil from these model directories (written by train; 784-H-10 "
            + "of any H): train against (1-W)*the labels' cross-entropy + W*T^2*the cross-entropy of the student's "
            + "softmax(z/T) against the teachers' averaged softmax(z/T), the teachers evaluated on the same (distorted) "
            + "rows; the reported training loss is that mix, evaluations use the plain one",
            Recorded.RUN,
            s -> s.regularization().distillation().active() ? s.regularization().distillation().teachers() : null),
    DISTILL_TEMPERATURE("distill-temperature", "T", "2", Kind.NUMBER, "--teacher: the softmax temperature T of the "
            + "soft term, > 0",
            Recorded.RUN,
            s -> s.regularization().distillation().active() ? s.regularization().distillation().temperature() : null),
    DISTILL_WEIGHT("distill-weight", "W", "0.5", Kind.NUMBER, "--teacher: the soft term's share W of the loss, in [0, 1] "
            + "(1: the teachers alone)",
            Recorded.RUN,
            s -> s.regularization().distillation().active() ? s.regularization().distillation().weight() : null),
    SCHEDULE("schedule", "constant|step|cosine", "constant", Kind.CHOICE, "learning-rate schedule over the steps",
            Recorded.RUN, s -> s.schedule().kind().id()),
    WARMUP("warmup", "STEPS", "0", Kind.INTEGER, "linear warm-up of the learning rate over the first STEPS steps",
            Recorded.RUN, s -> s.schedule().warmup()),
    DECAY_EVERY("decay-every", "STEPS", "1000", Kind.INTEGER, "step schedule: multiply the rate by --decay-rate every STEPS "
            + "steps", Recorded.RUN, s -> stepSchedule(s) ? s.schedule().decayEvery() : null),
    DECAY_RATE("decay-rate", "R", "0.5", Kind.NUMBER, "step schedule: the factor",
            Recorded.RUN, s -> stepSchedule(s) ? s.schedule().decayRate() : null),
    VALIDATION("validation", "N", "0", Kind.INTEGER, "hold N training rows out (with --seed) and evaluate them every epoch",
            Recorded.RUN, s -> s.evaluation().validation()),
    EVAL_EVERY("eval-every", "N", "0", Kind.INTEGER, "evaluate validation/test every N steps (0: full batch every "
            + "--log-every, mini-batch at epoch ends only)", Recorded.MODEL, s -> s.evaluation().evalEvery()),
    EARLY_STOPPING("early-stopping", "P", "0", Kind.INTEGER, "stop after P evaluations without a better validation loss and "
            + "keep the best weights (0: off; needs --validation)", Recorded.RUN, s -> s.evaluation().earlyStopping()),
    LOCAL_STEPS("local-steps", "K", "1", Kind.INTEGER, "mini-batch steps each task takes alone before the models are averaged",
            Recorded.RUN, s -> s.loop().miniBatch() ? s.loop().localSteps() : null),
    ENGINE("engine", "collective|jobs|auto", "auto", Kind.CHOICE, "how the steps reach Spark: jobs (a Spark job per "
            + "step), collective (one barrier stage per segment of steps, whose tasks sum among themselves over TCP; "
            + "gradient steps with --local-steps 1, not lbfgs or cg) or auto (collective when the cluster can run a "
            + "barrier stage of all the partitions and the steps allow it, else jobs, saying why); the same bits on "
            + "both", Recorded.NO, null),
    KERNEL("kernel", "simd|float|sparse|ojalgo", "simd", Kind.CHOICE, "gradient kernel: simd (zero pixels skipped, Vector "
            + "API), float (the same with the first layer in single precision: faster at large H), sparse (simd in plain "
            + "loops, bit-identical) or ojalgo (dense ojAlgo products, the reference)",
            Recorded.RUN, s -> s.network().kernel().id()),
    INIT("init", "he|xavier|seed", "he", Kind.CHOICE, "weight initialisation: he, xavier (scaled uniform) or seed (the "
            + "notebooks' U(-0.5,0.5))", Recorded.RUN, s -> s.network().init().id()),
    SEED("seed", "N", "1", Kind.LONG, "seed of initialisation, holdout and every other random choice",
            Recorded.RUN, s -> s.loop().seed()),
    PARTITIONS("partitions", "N", "auto", Kind.TEXT, "partitions of the cached data (auto: Spark's default parallelism, one "
            + "task per core, or for files a multiple of it that keeps partitions below 500 000 rows)",
            Recorded.RUN, s -> s.data().partitions() == 0 ? "auto" : s.data().partitions()),
    LOG_EVERY("log-every", "N", "10", Kind.INTEGER, "a progress line and a history.csv row every N steps",
            Recorded.MODEL, s -> s.loop().logEvery()),
    ON_BAD_ROW("on-bad-row", "fail|skip", "fail", Kind.CHOICE, "a malformed row stops with file:line (fail) or is dropped "
            + "and counted (skip)", Recorded.RUN, s -> s.data().onBadRow().id()),
    CHECKPOINT_DIR("checkpoint-dir", "PATH", null, Kind.TEXT, "write checkpoints (weights, optimiser state, position, "
            + "history) to this directory, on any Hadoop file system; first-order optimisers only", Recorded.NO, null),
    CHECKPOINT_EVERY("checkpoint-every", "K", "100", Kind.INTEGER, "steps between checkpoints", Recorded.NO, null),
    RESUME("resume", null, "false", Kind.FLAG, "continue from the newest intact checkpoint in --checkpoint-dir (from the "
            + "beginning if there is none); the other options must be those of the interrupted run", Recorded.NO, null),
    FORMAT("format", "FMT", "auto", Kind.CHOICE, "the input's format: auto (by name and content), csv, libsvm, parquet or "
            + "idx (train's --test is always detected)", Recorded.NO, null),
    ROTATION("rotation", "DEG", "10", Kind.NUMBER, "--augment-on-the-fly: maximum rotation in degrees",
            Recorded.RUN, s -> fly(s) ? s.augment().distortion().rotation() : null),
    SCALE("scale", "S", "0.1", Kind.NUMBER, "--augment-on-the-fly: maximum relative scaling per axis",
            Recorded.RUN, s -> fly(s) ? s.augment().distortion().scale() : null),
    SHEAR("shear", "S", "0.15", Kind.NUMBER, "--augment-on-the-fly: maximum shear factor",
            Recorded.RUN, s -> fly(s) ? s.augment().distortion().shear() : null),
    SHIFT("shift", "PX", "2", Kind.NUMBER, "--augment-on-the-fly: maximum translation in pixels per axis",
            Recorded.RUN, s -> fly(s) ? s.augment().distortion().shift() : null),
    ALPHA("alpha", "PX", "2.5", Kind.NUMBER, "--augment-on-the-fly: elastic distortion, largest displacement in pixels (0: "
            + "none; with --elastic-scale simard, the field's factor)",
            Recorded.RUN, s -> fly(s) ? s.augment().distortion().alpha() : null),
    SIGMA("sigma", "PX", "4", Kind.NUMBER, "--augment-on-the-fly: elastic smoothness, the Gaussian's width in pixels",
            Recorded.RUN, s -> fly(s) ? s.augment().distortion().sigma() : null),
    ELASTIC_SCALE("elastic-scale", "peak|simard", "peak", Kind.CHOICE, "--augment-on-the-fly: what --alpha means: peak "
            + "(the largest displacement, in pixels) or simard (Simard et al. 2003: the factor of the field smoothed by "
            + "a normalised Gaussian; their --alpha 34 --sigma 4 moves pixels by up to 2.6-4.2 px, median 3.3)",
            Recorded.RUN, s -> fly(s) ? s.augment().distortion().elastic().id() : null),
    AUGMENT_ON_THE_FLY("augment-on-the-fly", null, "false", Kind.FLAG, "every epoch, train on fresh distortions of the rows "
            + "(--rotation ... --sigma as for augment), made inside the gradient tasks and never stored; not with lbfgs/cg",
            Recorded.RUN, s -> s.augment().onTheFly()),
    STORAGE_LEVEL("storage-level", "LEVEL", "MEMORY_AND_DISK", Kind.TEXT, "Spark storage level of the cached blocks",
            Recorded.MODEL, s -> s.data().storageLevel()),
    MIRROR("mirror", "URL[,URL]", null, Kind.TEXT, "MNIST mirror(s) to download from when the default data is missing "
            + "(instead of the built-in list)", Recorded.NO, null);

    /** How a value is written, and so the parameter of its builder method. */
    public enum Kind {
        /** A path, a name or a list: {@code String}. */
        TEXT,
        /** {@code int}. */
        INTEGER,
        /** {@code long}. */
        LONG,
        /** {@code double}. */
        NUMBER,
        /** One of a few names: {@code String}, parsed by the builder. */
        CHOICE,
        /** On when given: {@code boolean}. */
        FLAG
    }

    private final String name;
    private final String label;
    private final String defaultValue;
    private final Kind kind;
    /**
     * Where a run records an option's value: in model.json's {@code training} and in the checkpoints' fingerprint (a
     * resume with another value is refused: it would take other steps), in model.json only, or nowhere (where the
     * run's output goes, how it reaches Spark: the same bits either way).
     */
    public enum Recorded {
        /** Not recorded: {@code --out}, {@code --engine}, the checkpoint options, {@code --format}, {@code --mirror}. */
        NO,
        /**
         * In model.json only, left out of the fingerprint, so a resume may change it: when the log lines and evaluations
         * come, where the blocks are cached. (With {@code --early-stopping} the evaluations' cadence decides where a
         * run stops; a resume that changes it is not refused, as it never was.)
         */
        MODEL,
        /** In model.json and in the fingerprint of the run's checkpoints. */
        RUN
    }

    private final String help;
    private final Recorded recorded;
    /** The option's value in a validated spec, as recorded; {@code null} where it does not apply (momentum for adam). */
    private final Function<TrainingSpec, Object> value;

    TrainOption(String name, String label, String defaultValue, Kind kind, String help, Recorded recorded,
                Function<TrainingSpec, Object> value) {
        this.name = name;
        this.label = label;
        this.defaultValue = defaultValue;
        this.kind = kind;
        this.help = help;
        this.recorded = recorded;
        this.value = value;
    }

    private static boolean adam(TrainingSpec s) {
        return s.optimizer().kind() == Optimizer.Kind.ADAM || s.optimizer().kind() == Optimizer.Kind.ADAMW;
    }

    private static boolean stepSchedule(TrainingSpec s) {
        return s.schedule().kind() == LearningRateSchedule.Kind.STEP;
    }

    private static boolean fly(TrainingSpec s) {
        return s.augment().onTheFly();
    }

    public Recorded recorded() {
        return recorded;
    }

    /**
     * What a run of {@code spec} records (model.json's {@code training}, under the options' names, in their order): each
     * recorded option's value where it applies. The run puts in what only it knows: the data's source, the partitions
     * and teachers it used, the rows it trained on.
     */
    public static Map<String, Object> recorded(TrainingSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (TrainOption o : values()) {
            Object v = o.recorded == Recorded.NO ? null : o.value.apply(spec);
            if (v != null) {
                m.put(o.key(), v);
            }
        }
        return m;
    }

    /** The recorded options that the checkpoints' fingerprint leaves out ({@link Recorded#MODEL}). */
    public static Set<String> outsideFingerprint() {
        Set<String> keys = new LinkedHashSet<>();
        for (TrainOption o : values()) {
            if (o.recorded == Recorded.MODEL) {
                keys.add(o.key());
            }
        }
        return keys;
    }

    /** The name without dashes: the defaults file's key. */
    public String key() {
        return name;
    }

    /** {@code --name}. */
    public String flag() {
        return "--" + name;
    }

    /** The builder method's name: {@code batchSize} for {@code batch-size}. */
    public String method() {
        StringBuilder m = new StringBuilder();
        for (String part : name.split("-")) {
            m.append(m.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return m.toString();
    }

    /** The value's placeholder in usage ({@code N}, {@code PATH}), {@code null} for a flag. */
    public String label() {
        return label;
    }

    /** The default as written, {@code null} for none. */
    public String defaultValue() {
        return defaultValue;
    }

    public Kind kind() {
        return kind;
    }

    public String help() {
        return help;
    }

    /** The option named {@code key} ({@code batch-size} or {@code --batch-size}), or {@code null}. */
    public static TrainOption byKey(String key) {
        String k = key.startsWith("--") ? key.substring(2) : key;
        return Arrays.stream(values()).filter(o -> o.name.equals(k)).findFirst().orElse(null);
    }

    /** Every option's key. */
    public static List<String> keys() {
        return Arrays.stream(values()).map(TrainOption::key).toList();
    }
}
