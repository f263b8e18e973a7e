package org.sparkdigits;

import java.util.Arrays;
import java.util.List;

/**
 * Every option of training, the one place its default lives: its name ({@code --batch-size} on the command line, the
 * key {@code batch-size} in a defaults file such as {@code conf/train.properties}, the builder method
 * {@code batchSize(...)}, whose parameter its {@link Kind} gives), its default and its help. The builder starts from
 * these defaults, the command line declares its options and shows its usage from them, and a defaults file overrides
 * them. Nothing here knows the builder: {@code DigitTrainer.Builder#set} finds the method by name.
 */
public enum TrainOption {
    DATA("data", "PATH", "data/mnist_train.csv", Kind.TEXT, "labelled digits (file, directory or glob; plain or .gz): CSV "
            + "(header detected), LIBSVM, Parquet as augment writes or IDX (the images file; labels beside it)"),
    TEST("test", "PATH", "data/mnist_test.csv", Kind.TEXT, "test data (any format --data takes), evaluated after training; "
            + "used by default only when --data is not given"),
    HOLDOUT("holdout", "N", "0", Kind.INTEGER, "hold N training rows out (chosen with --seed) and report accuracy on them"),
    OUT("out", "PATH", "model", Kind.TEXT, "the model directory to write, on any Hadoop file system (the library's fit "
            + "writes one only when out(...) is given)"),
    HIDDEN("hidden", "H", "10", Kind.INTEGER, "hidden units (1-4096)"),
    ACTIVATION("activation", "relu|sigmoid", "relu", Kind.CHOICE, "hidden-layer activation"),
    LR("lr", "RATE", "0.1", Kind.NUMBER, "learning rate (the schedule's base rate)"),
    ITERATIONS("iterations", "N", "500", Kind.INTEGER, "full-batch steps (iterations of lbfgs and cg)"),
    BATCH_SIZE("batch-size", "B", "0", Kind.INTEGER, "global rows per mini-batch step; 0 = full batch"),
    EPOCHS("epochs", "E", "10", Kind.INTEGER, "passes over the data with --batch-size"),
    OPTIMIZER("optimizer", "NAME", "sgd", Kind.CHOICE, "sgd|momentum|nesterov|adam|adamw (any batch) or lbfgs|cg (full batch)"),
    MOMENTUM("momentum", "MU", "0.9", Kind.NUMBER, "momentum and nesterov: the velocity's decay, in [0, 1)"),
    BETA1("beta1", "B1", "0.9", Kind.NUMBER, "adam/adamw: decay of the first moment, in [0, 1)"),
    BETA2("beta2", "B2", "0.999", Kind.NUMBER, "adam/adamw: decay of the second moment, in [0, 1)"),
    EPS("eps", "E", "1e-8", Kind.NUMBER, "adam/adamw: added to the root of the second moment"),
    EMA("ema", "DECAY", "0", Kind.NUMBER, "keep an exponential moving average of the weights (Polyak averaging, decay "
            + "min(DECAY, (1+t)/(10+t)) at step t; e.g. 0.999): evaluations and the saved model use it; 0: off; not with "
            + "lbfgs/cg"),
    L2("l2", "LAMBDA", "0", Kind.NUMBER, "L2 penalty (lambda/2)|W|^2 on the weights, not the biases; adamw: decoupled "
            + "weight decay"),
    DROPOUT("dropout", "P", "0", Kind.NUMBER, "drop each hidden unit with probability P in every training step (inverted "
            + "dropout; not with lbfgs/cg); gradcheck: check the network with one step's masks"),
    LABEL_SMOOTHING("label-smoothing", "EPS", "0", Kind.NUMBER, "train against (1-EPS)*one-hot + EPS/10 instead of the "
            + "one-hot labels (the reported training loss is the smoothed one; evaluations use the plain one)"),
    TEACHER("teacher", "DIR[,DIR...]", null, Kind.TEXT, "distil from these model directories (written by train; 784-H-10 "
            + "of any H): train against (1-W)*the labels' cross-entropy + W*T^2*the cross-entropy of the student's "
            + "softmax(z/T) against the teachers' averaged softmax(z/T), the teachers evaluated on the same (distorted) "
            + "rows; the reported training loss is that mix, evaluations use the plain one"),
    DISTILL_TEMPERATURE("distill-temperature", "T", "2", Kind.NUMBER, "--teacher: the softmax temperature T of the "
            + "soft term, > 0"),
    DISTILL_WEIGHT("distill-weight", "W", "0.5", Kind.NUMBER, "--teacher: the soft term's share W of the loss, in [0, 1] "
            + "(1: the teachers alone)"),
    SCHEDULE("schedule", "constant|step|cosine", "constant", Kind.CHOICE, "learning-rate schedule over the steps"),
    WARMUP("warmup", "STEPS", "0", Kind.INTEGER, "linear warm-up of the learning rate over the first STEPS steps"),
    DECAY_EVERY("decay-every", "STEPS", "1000", Kind.INTEGER, "step schedule: multiply the rate by --decay-rate every STEPS "
            + "steps"),
    DECAY_RATE("decay-rate", "R", "0.5", Kind.NUMBER, "step schedule: the factor"),
    VALIDATION("validation", "N", "0", Kind.INTEGER, "hold N training rows out (with --seed) and evaluate them every epoch"),
    EVAL_EVERY("eval-every", "N", "0", Kind.INTEGER, "evaluate validation/test every N steps (0: full batch every "
            + "--log-every, mini-batch at epoch ends only)"),
    EARLY_STOPPING("early-stopping", "P", "0", Kind.INTEGER, "stop after P evaluations without a better validation loss and "
            + "keep the best weights (0: off; needs --validation)"),
    LOCAL_STEPS("local-steps", "K", "1", Kind.INTEGER, "mini-batch steps each task takes alone before the models are averaged"),
    ENGINE("engine", "collective|jobs|auto", "auto", Kind.CHOICE, "how the steps reach Spark: jobs (a Spark job per "
            + "step), collective (one barrier stage per segment of steps, whose tasks sum among themselves over TCP; "
            + "gradient steps with --local-steps 1, not lbfgs or cg) or auto (collective when the cluster can run a "
            + "barrier stage of all the partitions and the steps allow it, else jobs, saying why); the same bits on "
            + "both"),
    KERNEL("kernel", "simd|float|sparse|ojalgo", "simd", Kind.CHOICE, "gradient kernel: simd (zero pixels skipped, Vector "
            + "API), float (the same with the first layer in single precision: faster at large H), sparse (simd in plain "
            + "loops, bit-identical) or ojalgo (dense ojAlgo products, the reference)"),
    INIT("init", "he|xavier|seed", "he", Kind.CHOICE, "weight initialisation: he, xavier (scaled uniform) or seed (the "
            + "notebooks' U(-0.5,0.5))"),
    SEED("seed", "N", "1", Kind.LONG, "seed of initialisation, holdout and every other random choice"),
    PARTITIONS("partitions", "N", "auto", Kind.TEXT, "partitions of the cached data (auto: Spark's default parallelism, one "
            + "task per core, or for files a multiple of it that keeps partitions below 500 000 rows)"),
    LOG_EVERY("log-every", "N", "10", Kind.INTEGER, "a progress line and a history.csv row every N steps"),
    ON_BAD_ROW("on-bad-row", "fail|skip", "fail", Kind.CHOICE, "a malformed row stops with file:line (fail) or is dropped "
            + "and counted (skip)"),
    CHECKPOINT_DIR("checkpoint-dir", "PATH", null, Kind.TEXT, "write checkpoints (weights, optimiser state, position, "
            + "history) to this directory, on any Hadoop file system; first-order optimisers only"),
    CHECKPOINT_EVERY("checkpoint-every", "K", "100", Kind.INTEGER, "steps between checkpoints"),
    RESUME("resume", null, "false", Kind.FLAG, "continue from the newest intact checkpoint in --checkpoint-dir (from the "
            + "beginning if there is none); the other options must be those of the interrupted run"),
    FORMAT("format", "FMT", "auto", Kind.CHOICE, "the input's format: auto (by name and content), csv, libsvm, parquet or "
            + "idx (train's --test is always detected)"),
    ROTATION("rotation", "DEG", "10", Kind.NUMBER, "--augment-on-the-fly: maximum rotation in degrees"),
    SCALE("scale", "S", "0.1", Kind.NUMBER, "--augment-on-the-fly: maximum relative scaling per axis"),
    SHEAR("shear", "S", "0.15", Kind.NUMBER, "--augment-on-the-fly: maximum shear factor"),
    SHIFT("shift", "PX", "2", Kind.NUMBER, "--augment-on-the-fly: maximum translation in pixels per axis"),
    ALPHA("alpha", "PX", "2.5", Kind.NUMBER, "--augment-on-the-fly: elastic distortion, largest displacement in pixels (0: "
            + "none; with --elastic-scale simard, the field's factor)"),
    SIGMA("sigma", "PX", "4", Kind.NUMBER, "--augment-on-the-fly: elastic smoothness, the Gaussian's width in pixels"),
    ELASTIC_SCALE("elastic-scale", "peak|simard", "peak", Kind.CHOICE, "--augment-on-the-fly: what --alpha means: peak "
            + "(the largest displacement, in pixels) or simard (Simard et al. 2003: the factor of the field smoothed by "
            + "a normalised Gaussian; their --alpha 34 --sigma 4 moves pixels by up to 2.6-4.2 px, median 3.3)"),
    AUGMENT_ON_THE_FLY("augment-on-the-fly", null, "false", Kind.FLAG, "every epoch, train on fresh distortions of the rows "
            + "(--rotation ... --sigma as for augment), made inside the gradient tasks and never stored; not with lbfgs/cg"),
    STORAGE_LEVEL("storage-level", "LEVEL", "MEMORY_AND_DISK", Kind.TEXT, "Spark storage level of the cached blocks"),
    MIRROR("mirror", "URL[,URL]", null, Kind.TEXT, "MNIST mirror(s) to download from when the default data is missing "
            + "(instead of the built-in list)");

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
    private final String help;

    TrainOption(String name, String label, String defaultValue, Kind kind, String help) {
        this.name = name;
        this.label = label;
        this.defaultValue = defaultValue;
        this.kind = kind;
        this.help = help;
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
