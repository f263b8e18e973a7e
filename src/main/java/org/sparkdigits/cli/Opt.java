package org.sparkdigits.cli;

import java.util.EnumSet;
import java.util.Set;

/**
 * Every option of every command, with its default and help: the one place defaults are defined.
 * {@code conf/train.properties} may override a default (keys are option names without dashes); the
 * command line overrides both.
 */
public enum Opt {
    DATA("data", "PATH", "data/mnist_train.csv", "labelled digits (file, directory or glob; plain or .gz): CSV (header "
            + "detected), LIBSVM, Parquet as augment writes or IDX (the images file; labels beside it)",
            Cmd.TRAIN, Cmd.EVALUATE, Cmd.PREDICT, Cmd.GRADCHECK, Cmd.BENCH, Cmd.REPORT, Cmd.AUGMENT),
    TEST("test", "PATH", "data/mnist_test.csv", "test data (any format --data takes), evaluated after training", Cmd.TRAIN),
    HOLDOUT("holdout", "N", "0", "hold N training rows out (chosen with --seed) and report accuracy on them", Cmd.TRAIN),
    OUT("out", "PATH", "model", "train: model directory; predict: the ImageId,Label CSV to write", Cmd.TRAIN, Cmd.PREDICT, Cmd.AUGMENT),
    MODEL("model", "DIR", null, "model directory written by train", Cmd.EVALUATE, Cmd.PREDICT, Cmd.EXPORT, Cmd.REPORT),
    IMAGE("image", "PATH[,PATH]", null, "predict: photos or scans of single digits (PNG or JPEG, any size, dark on light "
            + "or light on dark): files and/or directories; prints each digit and its 10 probabilities (no Spark)", Cmd.PREDICT),
    SHOW("show", "FILE", null, "predict --image: also write the 28x28 image(s) the model saw as a PNG (side by side)",
            Cmd.PREDICT),
    ONNX("onnx", "FILE", null, "export: the ONNX file to write (opset 13; input pixels [N x 784] 0-255, "
            + "outputs probabilities [N x 10] and prediction [N])", Cmd.EXPORT),
    PRECISION("precision", "double|float", "double", "export: the ONNX graph's number type (double: the weights as "
            + "trained; float: float32 everywhere, what most runtimes prefer)", Cmd.EXPORT),
    HIDDEN("hidden", "H", "10", "hidden ReLU units (1-4096)", Cmd.TRAIN, Cmd.GRADCHECK),
    ACTIVATION("activation", "relu|sigmoid", "relu", "hidden-layer activation", Cmd.TRAIN, Cmd.GRADCHECK),
    LR("lr", "RATE", "0.1", "learning rate (the schedule's base rate)", Cmd.TRAIN),
    ITERATIONS("iterations", "N", "500", "full-batch steps (iterations of lbfgs and cg)", Cmd.TRAIN),
    BATCH_SIZE("batch-size", "B", "0", "global rows per mini-batch step; 0 = full batch", Cmd.TRAIN),
    EPOCHS("epochs", "E", "10", "passes over the data with --batch-size", Cmd.TRAIN),
    OPTIMIZER("optimizer", "NAME", "sgd", "sgd|momentum|nesterov|adam|adamw (any batch) or lbfgs|cg (full batch)",
            Cmd.TRAIN),
    MOMENTUM("momentum", "MU", "0.9", "momentum and nesterov: the velocity's decay, in [0, 1)", Cmd.TRAIN),
    BETA1("beta1", "B1", "0.9", "adam/adamw: decay of the first moment, in [0, 1)", Cmd.TRAIN),
    BETA2("beta2", "B2", "0.999", "adam/adamw: decay of the second moment, in [0, 1)", Cmd.TRAIN),
    EPS("eps", "E", "1e-8", "adam/adamw: added to the root of the second moment", Cmd.TRAIN),
    L2("l2", "LAMBDA", "0", "L2 penalty (lambda/2)|W|^2 on the weights, not the biases; adamw: decoupled weight decay",
            Cmd.TRAIN),
    DROPOUT("dropout", "P", "0", "drop each hidden unit with probability P in every training step (inverted dropout; "
            + "not with lbfgs/cg); gradcheck: check the network with one step's masks", Cmd.TRAIN, Cmd.GRADCHECK),
    SCHEDULE("schedule", "constant|step|cosine", "constant", "learning-rate schedule over the steps", Cmd.TRAIN),
    WARMUP("warmup", "STEPS", "0", "linear warm-up of the learning rate over the first STEPS steps", Cmd.TRAIN),
    DECAY_EVERY("decay-every", "STEPS", "1000", "step schedule: multiply the rate by --decay-rate every STEPS steps",
            Cmd.TRAIN),
    DECAY_RATE("decay-rate", "R", "0.5", "step schedule: the factor", Cmd.TRAIN),
    VALIDATION("validation", "N", "0", "hold N training rows out (with --seed) and evaluate them every epoch", Cmd.TRAIN),
    EVAL_EVERY("eval-every", "N", "0", "evaluate validation/test every N steps (0: full batch every --log-every, "
            + "mini-batch at epoch ends only)", Cmd.TRAIN),
    EARLY_STOPPING("early-stopping", "P", "0", "stop after P evaluations without a better validation loss and keep "
            + "the best weights (0: off; needs --validation)", Cmd.TRAIN),
    LOCAL_STEPS("local-steps", "K", "1", "mini-batch steps each task takes alone before the models are averaged",
            Cmd.TRAIN),
    KERNEL("kernel", "simd|float|sparse|ojalgo", "simd", "gradient kernel: simd (zero pixels skipped, Vector API), float "
            + "(the same with the first layer in single precision: faster at large H), sparse (simd in plain loops, "
            + "bit-identical) or ojalgo (dense ojAlgo products, the reference)", Cmd.TRAIN, Cmd.GRADCHECK),
    INIT("init", "he|xavier|seed", "he", "weight initialisation: he, xavier (scaled uniform) or seed (the notebooks' "
            + "U(-0.5,0.5))", Cmd.TRAIN, Cmd.GRADCHECK),
    SEED("seed", "N", "1", "seed of initialisation, holdout and every other random choice", Cmd.TRAIN, Cmd.GRADCHECK,
            Cmd.BENCH, Cmd.AUGMENT),
    PARTITIONS("partitions", "N", "auto", "partitions of the cached data (auto: Spark's default parallelism, one task per core)",
            Cmd.TRAIN, Cmd.BENCH, Cmd.AUGMENT),
    LOG_EVERY("log-every", "N", "10", "a progress line and a history.csv row every N steps", Cmd.TRAIN),
    ON_BAD_ROW("on-bad-row", "fail|skip", "fail", "a malformed row stops with file:line (fail) or is dropped and counted (skip)",
            Cmd.TRAIN, Cmd.EVALUATE, Cmd.PREDICT, Cmd.REPORT, Cmd.AUGMENT),
    CHECKPOINT_DIR("checkpoint-dir", "PATH", null, "write checkpoints (weights, optimiser state, position, history) to "
            + "this directory, on any Hadoop file system; first-order optimisers only", Cmd.TRAIN),
    CHECKPOINT_EVERY("checkpoint-every", "K", "100", "steps between checkpoints", Cmd.TRAIN),
    RESUME("resume", null, null, "continue from the newest intact checkpoint in --checkpoint-dir (from the beginning if "
            + "there is none); the other options must be those of the interrupted run", Cmd.TRAIN),
    COPIES("copies", "K", "1", "augment: distorted variants written per input row", Cmd.AUGMENT),
    NO_ORIGINAL("no-original", null, null, "augment: write only the variants, not the input rows", Cmd.AUGMENT),
    FORMAT("format", "FMT", "auto", "the input's format: auto (by name and content), csv, libsvm, parquet or idx "
            + "(train: of --data; --test is detected). augment: the OUTPUT format, parquet [default] (label tinyint, "
            + "pixels binary: 785 bytes a row) or csv (headerless lines); its input is detected",
            Cmd.TRAIN, Cmd.EVALUATE, Cmd.PREDICT, Cmd.REPORT, Cmd.BENCH, Cmd.AUGMENT),
    FILES("files", "N", "0", "augment: output files (0: one per 250 000 rows)", Cmd.AUGMENT),
    ROTATION("rotation", "DEG", "10", "augment, train --augment-on-the-fly: maximum rotation in degrees", Cmd.AUGMENT, Cmd.TRAIN),
    SCALE("scale", "S", "0.1", "augment, train --augment-on-the-fly: maximum relative scaling per axis", Cmd.AUGMENT, Cmd.TRAIN),
    SHEAR("shear", "S", "0.15", "augment, train --augment-on-the-fly: maximum shear factor", Cmd.AUGMENT, Cmd.TRAIN),
    SHIFT("shift", "PX", "2", "augment, train --augment-on-the-fly: maximum translation in pixels per axis", Cmd.AUGMENT, Cmd.TRAIN),
    ALPHA("alpha", "PX", "2.5", "augment, train --augment-on-the-fly: elastic distortion, largest displacement in pixels (0: none)", Cmd.AUGMENT, Cmd.TRAIN),
    SIGMA("sigma", "PX", "4", "augment, train --augment-on-the-fly: elastic smoothness, the Gaussian's width in pixels", Cmd.AUGMENT, Cmd.TRAIN),
    AUGMENT_ON_THE_FLY("augment-on-the-fly", null, null, "every epoch, train on fresh distortions of the rows "
            + "(--rotation ... --sigma as for augment), made inside the gradient tasks and never stored; not with lbfgs/cg",
            Cmd.TRAIN),
    PREVIEW("preview", "PNG", null, "augment: also write a grid of 8 input digits beside 8 variants each", Cmd.AUGMENT),
    STORAGE_LEVEL("storage-level", "LEVEL", "MEMORY_AND_DISK", "Spark storage level of the cached blocks", Cmd.TRAIN),
    ROWS("rows", "N", "8", "gradcheck: real rows taken from --data", Cmd.GRADCHECK),
    TOLERANCE("tolerance", "X", "1e-5", "gradcheck: largest relative error accepted (real rows give ~1e-7; a backprop bug 1e-2 to 1)", Cmd.GRADCHECK),
    REPEATS("repeats", "N", "3", "bench: loads of --data timed", Cmd.BENCH),
    PASSES("passes", "N", "60", "bench: full-batch iterations timed at H=10 (a third of them at H=128 and on ojalgo)",
            Cmd.BENCH),
    STEPS("steps", "N", "2000", "bench: mini-batch steps timed (B=256, H=10)", Cmd.BENCH),
    JOBS("jobs", "N", "300", "bench: jobs timed per figure of Spark's overhead (after 3N warm-up jobs)", Cmd.BENCH),
    JSON("json", "FILE", null, "bench: also write the figures as one JSON object to FILE", Cmd.BENCH),
    DIR("dir", "DIR", "data", "download: where to write mnist_train.csv and mnist_test.csv", Cmd.DOWNLOAD),
    MIRROR("mirror", "URL[,URL]", null, "MNIST mirror(s) to use instead of the built-in list (train: when the default data is missing)",
            Cmd.DOWNLOAD, Cmd.TRAIN),
    DEFAULTS("defaults", "FILE", null, "properties file of defaults (submit.sh passes conf/train.properties)",
            Cmd.TRAIN, Cmd.EVALUATE, Cmd.PREDICT, Cmd.GRADCHECK, Cmd.DOWNLOAD, Cmd.BENCH, Cmd.EXPORT, Cmd.REPORT, Cmd.AUGMENT),
    VERBOSE("verbose", null, null, "show stack traces and Spark's warnings", Cmd.TRAIN, Cmd.EVALUATE, Cmd.PREDICT,
            Cmd.GRADCHECK, Cmd.DOWNLOAD, Cmd.BENCH, Cmd.EXPORT, Cmd.REPORT, Cmd.AUGMENT);

    /** The commands. */
    public enum Cmd {
        TRAIN("train the network and write a model directory"),
        EVALUATE("accuracy, loss, confusion matrix, per-class precision and recall of a model on labelled data"),
        PREDICT("write ImageId,Label predictions (Kaggle layout) for data with or without labels"),
        GRADCHECK("finite-difference check of the backprop gradient"),
        DOWNLOAD("download MNIST from a public mirror, verify it and write the two CSVs"),
        BENCH("speed figures of this machine: load, kernels, Spark's per-step overhead, full-batch and mini-batch steps"),
        EXPORT("write a model as an ONNX graph that ONNX Runtime (and other ONNX consumers) load"),
        REPORT("redraw a model's loss, accuracy, confusion and samples charts on labelled data and write report.html"),
        AUGMENT("write distorted variants (affine and elastic) of every row: a larger training set, as Parquet or CSV");

        final String help;

        Cmd(String help) {
            this.help = help;
        }

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    final String name;
    final String arg;
    final String defaultValue;
    final String help;
    final Set<Cmd> commands;

    Opt(String name, String arg, String defaultValue, String help, Cmd first, Cmd... rest) {
        this.name = name;
        this.arg = arg;
        this.defaultValue = defaultValue;
        this.help = help;
        this.commands = EnumSet.of(first, rest);
    }

    public String flag() {
        return "--" + name;
    }

    /** The built-in default of this option for {@code cmd}: {@code --data} has one for train only. */
    String defaultFor(Cmd cmd) {
        if (this == DATA && cmd != Cmd.TRAIN) {
            return null;
        }
        if (this == FORMAT && cmd == Cmd.AUGMENT) {
            return "parquet";
        }
        return defaultValue;
    }

    boolean takesValue() {
        return arg != null;
    }

    static Opt byName(String name) {
        for (Opt o : values()) {
            if (o.name.equals(name)) {
                return o;
            }
        }
        return null;
    }
}
