package org.sparkdigits.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.augment.FreshDistortions;
import org.sparkdigits.core.Activation;
import org.sparkdigits.core.Initializer;
import org.sparkdigits.core.Kernel;
import org.sparkdigits.core.LearningRateSchedule;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Optimizer;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.io.Echo;
import org.sparkdigits.spark.OnBadRow;
import org.sparkdigits.spark.SparkTrainer;

/**
 * Everything {@code train} needs, validated before Spark starts (except what needs the data: a batch
 * larger than the data is refused right after loading). Defaults live in {@link Opt}.
 *
 * @param data        training data path (file, directory or glob)
 * @param test        test data path, or {@code null} for none
 * @param holdout     rows held out of the training data for a final report (0: none)
 * @param validation  rows held out for evaluation during training and early stopping (0: none)
 * @param out         model directory
 * @param defaultData whether the default data/ files are used (and so may be downloaded)
 * @param partitions  partitions of the cached data, 0 for Spark's default parallelism (one task per core)
 * @param mirrors     where to download MNIST from when the default data is missing
 * @param format      the training data's format, {@code null} to detect it (the test set's is always detected)
 */
public record TrainConfig(String data, String test, int holdout, int validation, String out, boolean defaultData,
                          int hidden, Initializer init, long seed, int partitions, OnBadRow onBadRow,
                          String storageLevel, List<String> mirrors, SparkTrainer.Settings training,
                          String checkpointDir, int checkpointEvery, boolean resume, InputFormat format) {

    public static TrainConfig from(Args a) {
        boolean defaultData = !a.given(Opt.DATA);
        String test = a.given(Opt.TEST) || (defaultData && !a.given(Opt.HOLDOUT)) ? a.required(Opt.TEST) : null;
        String partitions = a.required(Opt.PARTITIONS);
        int p = "auto".equals(partitions.trim()) ? 0 : a.integer(Opt.PARTITIONS, 1, 100_000);
        Initializer init = parse(() -> Initializer.parse(a.required(Opt.INIT)), "--init: ");
        Activation activation = parse(() -> Activation.parse(a.required(Opt.ACTIVATION)), "--activation: ");
        Kernel kernel = parse(() -> Kernel.parse(a.required(Opt.KERNEL)), "--kernel: ");
        Optimizer.Kind kind = parse(() -> Optimizer.Kind.parse(a.required(Opt.OPTIMIZER)), "--optimizer: ");
        LearningRateSchedule.Kind schedule = parse(() -> LearningRateSchedule.Kind.parse(a.required(Opt.SCHEDULE)), "--schedule: ");
        OnBadRow onBad = parse(() -> OnBadRow.parse(a.required(Opt.ON_BAD_ROW)), "");
        String level = a.required(Opt.STORAGE_LEVEL).trim().toUpperCase(Locale.ROOT);
        try {
            StorageLevel.fromString(level);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--storage-level must be a Spark storage level such as MEMORY_AND_DISK, "
                    + "MEMORY_ONLY, MEMORY_AND_DISK_SER or DISK_ONLY, got '" + Echo.value(a.string(Opt.STORAGE_LEVEL)) + "'");
        }
        int batch = a.integer(Opt.BATCH_SIZE, 0, Integer.MAX_VALUE);
        int validation = a.integer(Opt.VALIDATION, 0, Integer.MAX_VALUE);
        int earlyStopping = a.integer(Opt.EARLY_STOPPING, 0, Integer.MAX_VALUE);
        int localSteps = a.integer(Opt.LOCAL_STEPS, 1, 1_000_000);
        int logEvery = a.integer(Opt.LOG_EVERY, 1, Integer.MAX_VALUE);
        int evalEvery = a.integer(Opt.EVAL_EVERY, 0, Integer.MAX_VALUE);
        if (kind.fullBatchOnly() && batch > 0) {
            throw new UsageException("--optimizer " + kind.id() + " is a full-batch method: drop --batch-size (or use sgd, "
                    + "momentum, nesterov, adam or adamw)");
        }
        if (localSteps > 1 && batch == 0) {
            throw new UsageException("--local-steps " + localSteps + " needs mini-batches: give --batch-size too");
        }
        if (earlyStopping > 0 && validation == 0) {
            throw new UsageException("--early-stopping needs a validation set: give --validation N");
        }
        if (a.given(Opt.EPOCHS) && batch == 0) {
            throw new UsageException("--epochs counts passes of mini-batch training: give --batch-size too "
                    + "(full batch uses --iterations)");
        }
        String checkpointDir = a.given(Opt.CHECKPOINT_DIR) ? a.required(Opt.CHECKPOINT_DIR) : null;
        int checkpointEvery = a.integer(Opt.CHECKPOINT_EVERY, 1, Integer.MAX_VALUE);
        boolean resume = a.given(Opt.RESUME);
        if (resume && checkpointDir == null) {
            throw new UsageException("--resume needs --checkpoint-dir (where the checkpoints are)");
        }
        if (a.given(Opt.CHECKPOINT_EVERY) && checkpointDir == null) {
            throw new UsageException("--checkpoint-every needs --checkpoint-dir");
        }
        if (checkpointDir != null && kind.fullBatchOnly()) {
            throw new UsageException("--checkpoint-dir: checkpoints are for sgd, momentum, nesterov, adam and adamw; "
                    + kind.id() + " keeps line-search state that is not checkpointed");
        }
        double l2 = a.number(Opt.L2, 0, true, Double.POSITIVE_INFINITY, false);
        double dropout = a.number(Opt.DROPOUT, 0, true, 1, false);
        if (dropout > 0 && kind.fullBatchOnly()) {
            throw new UsageException("--dropout draws new masks every step, which the line search of --optimizer "
                    + kind.id() + " cannot follow: use sgd, momentum, nesterov, adam or adamw");
        }
        boolean onTheFly = a.given(Opt.AUGMENT_ON_THE_FLY);
        if (onTheFly && kind.fullBatchOnly()) {
            throw new UsageException("--augment-on-the-fly draws new distortions every epoch, which the line search of "
                    + "--optimizer " + kind.id() + " cannot follow: use sgd, momentum, nesterov, adam or adamw");
        }
        for (Opt o : new Opt[] {Opt.ROTATION, Opt.SCALE, Opt.SHEAR, Opt.SHIFT, Opt.ALPHA, Opt.SIGMA}) {
            if (a.given(o) && !onTheFly) {
                throw new UsageException(o.flag() + " sets the distortions of --augment-on-the-fly: give that too");
            }
        }
        FreshDistortions fresh = onTheFly ? new FreshDistortions(AugmentCommand.distortion(a), a.longValue(Opt.SEED)) : null;
        SparkTrainer.Settings training = new SparkTrainer.Settings(activation, kernel,
                new Optimizer.Settings(kind, a.number(Opt.MOMENTUM, 0, true, 1, false), a.number(Opt.BETA1, 0, true, 1, false),
                        a.number(Opt.BETA2, 0, true, 1, false), a.number(Opt.EPS, 0, false, 1, true), l2),
                schedule, a.positive(Opt.LR), a.integer(Opt.WARMUP, 0, Integer.MAX_VALUE),
                a.integer(Opt.DECAY_EVERY, 1, Integer.MAX_VALUE), a.number(Opt.DECAY_RATE, 0, false, 1, true), l2,
                dropout, batch, a.integer(Opt.EPOCHS, 1, 1_000_000), a.integer(Opt.ITERATIONS, 1, 10_000_000), logEvery,
                evalEvery, earlyStopping, localSteps, a.longValue(Opt.SEED), fresh);
        return new TrainConfig(a.required(Opt.DATA), test, a.integer(Opt.HOLDOUT, 0, Integer.MAX_VALUE), validation,
                a.required(Opt.OUT), defaultData, a.integer(Opt.HIDDEN, 1, NetworkShape.MAX_HIDDEN), init,
                a.longValue(Opt.SEED), p, onBad, level, Main.mirrors(a), training, checkpointDir, checkpointEvery, resume,
                parse(() -> InputFormat.parse(a.required(Opt.FORMAT)), ""));
    }

    private static <T> T parse(java.util.function.Supplier<T> parser, String prefix) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(prefix + e.getMessage());
        }
    }

    public StorageLevel sparkStorageLevel() {
        return StorageLevel.fromString(storageLevel);
    }

    public int iterations() {
        return training.iterations();
    }

    public double learningRate() {
        return training.learningRate();
    }

    /** The settings as written to model.json ({@code training}). */
    public Map<String, Object> asJson(int actualPartitions) {
        SparkTrainer.Settings t = training;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("test", test);
        m.put("holdout", holdout);
        m.put("validation", validation);
        m.put("kernel", t.kernel().id());
        m.put("optimizer", t.optimizer().kind().id());
        m.put("batch", t.miniBatch() ? t.batchSize() : "full");
        if (t.miniBatch()) {
            m.put("epochs", t.epochs());
            m.put("local_steps", t.localSteps());
        } else {
            m.put("iterations", t.iterations());
        }
        m.put("learning_rate", t.learningRate());
        m.put("schedule", t.schedule().id());
        m.put("warmup", t.warmup());
        if (t.schedule() == LearningRateSchedule.Kind.STEP) {
            m.put("decay_every", t.decayEvery());
            m.put("decay_rate", t.decayRate());
        }
        switch (t.optimizer().kind()) {
            case MOMENTUM, NESTEROV -> m.put("momentum", t.optimizer().momentum());
            case ADAM, ADAMW -> {
                m.put("beta1", t.optimizer().beta1());
                m.put("beta2", t.optimizer().beta2());
                m.put("eps", t.optimizer().eps());
            }
            default -> { }
        }
        m.put("l2", t.l2());
        m.put("dropout", t.dropout());
        if (t.augment() != null) {
            var d = t.augment().distortion();
            Map<String, Object> aug = new LinkedHashMap<>();
            aug.put("rotation", d.rotation());
            aug.put("scale", d.scale());
            aug.put("shear", d.shear());
            aug.put("shift", d.shift());
            aug.put("alpha", d.alpha());
            aug.put("sigma", d.sigma());
            m.put("augment_on_the_fly", aug);
        } else {
            m.put("augment_on_the_fly", false);
        }
        m.put("early_stopping", t.earlyStopping());
        m.put("init", init.id());
        m.put("seed", seed);
        m.put("partitions", actualPartitions);
        m.put("on_bad_row", onBadRow.id());
        m.put("storage_level", storageLevel);
        return m;
    }
}
