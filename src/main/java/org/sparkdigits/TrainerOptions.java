package org.sparkdigits;

import static org.sparkdigits.TrainOption.*;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkdigits.train.Setting;
import org.sparkdigits.augment.Distortion;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.optim.LearningRateSchedule;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.OnBadRow;
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
 * The options of a trainer as one value map keyed by {@link TrainOption}, each at its default until set, and the
 * validated {@link TrainingSpec} they make: what {@link DigitTrainer.Builder} is. A value reaches the map one way, from
 * a fluent method ({@code hidden(800)}), the command line or a defaults file ({@link #set(TrainOption, String)}, parsed
 * by the option's {@link Setting.Kind}), with no reflection; {@link #spec()} reads it back by the same constant.
 *
 * @param <B> the builder the fluent methods return
 */
abstract class TrainerOptions<B extends TrainerOptions<B>> {

    /** Every option's value: its default, or what was set last. */
    private final Map<TrainOption, Object> values = new EnumMap<>(TrainOption.class);
    /** The options set by a method, the command line or a defaults file after the defaults. */
    private final Set<TrainOption> given = EnumSet.noneOf(TrainOption.class);
    private Dataset<Row> validationFrame;
    private Dataset<Row> testFrame;
    private String labelCol;
    private String pixelsCol;
    private TrainingListener listener = TrainingListener.NONE;

    TrainerOptions() {
        for (TrainOption o : TrainOption.values()) {
            // out's default is the command line's: the library writes a model directory only when asked to
            if (o.defaultValue() != null && o != OUT) {
                set(o, o.defaultValue());
            }
        }
        given.clear();
    }

    /** This builder, for the fluent methods. */
    abstract B self();

    /**
     * Other defaults, as a defaults file writes them ({@code batch-size = 128}, the keys of {@link TrainOption}):
     * what this builder's methods set, before or after, overrides them.
     *
     * @param source the file's name, for messages
     * @throws IllegalArgumentException naming an unknown key or a bad value
     */
    public B defaults(Map<String, String> values, String source) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            TrainOption o = TrainOption.byKey(e.getKey().trim());
            if (o == null) {
                throw new IllegalArgumentException(source + ": unknown setting '" + org.sparkdigits.io.Echo.value(e.getKey())
                        + "' (the settings are " + String.join(", ", TrainOption.keys()) + ")");
            }
            if (!given.contains(o)) {
                set(o, e.getValue().trim());
                given.remove(o);
            }
        }
        return self();
    }

    /** {@link #defaults(Map, String)} of a properties file's settings. */
    public B defaults(Properties properties, String source) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String k : properties.stringPropertyNames()) {
            m.put(k, properties.getProperty(k));
        }
        return defaults(m, source);
    }

    /**
     * Sets {@code option} to a value as written on the command line or in a defaults file ({@code "128"} for
     * {@code batch-size}), parsed by its {@link Setting.Kind}: the same validation and messages as its method.
     *
     * @throws IllegalArgumentException naming the option, for a value that is not of its kind
     */
    public B set(TrainOption option, String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            throw new IllegalArgumentException(option.flag() + " is empty: give "
                    + (option.label() == null ? "true or false" : option.label()));
        }
        return switch (option) {
            case PARTITIONS -> partitions(v);
            case TEACHER -> teacher(value);
            case MIRROR -> mirror(value);
            default -> put(option, switch (option.kind()) {
                case TEXT, CHOICE -> value;
                case INTEGER -> Check.integer(option.flag(), v);
                case LONG -> Check.wholeNumber(option.flag(), v);
                case NUMBER -> Check.number(option.flag(), v);
                case FLAG -> Check.flag(option.flag(), v);
            });
        };
    }

    private B put(TrainOption option, Object value) {
        values.put(option, value);
        given.add(option);
        return self();
    }

    /** A list option given again adds to what was given (not to its default or a defaults file's). */
    private String appended(TrainOption option, String more) {
        String now = text(option);
        return now == null || !given.contains(option) ? more : now + "," + more;
    }

    private String text(TrainOption o) {
        return (String) values.get(o);
    }

    private int integer(TrainOption o) {
        return (Integer) values.get(o);
    }

    private long whole(TrainOption o) {
        return (Long) values.get(o);
    }

    private double number(TrainOption o) {
        return (Double) values.get(o);
    }

    private boolean flag(TrainOption o) {
        return (Boolean) values.get(o);
    }

    /** Whether {@code o} was set after the defaults. */
    boolean given(TrainOption o) {
        return given.contains(o);
    }

    Dataset<Row> validationFrame() {
        return validationFrame;
    }

    Dataset<Row> testFrame() {
        return testFrame;
    }

    String labelCol() {
        return labelCol;
    }

    String pixelsCol() {
        return pixelsCol;
    }

    TrainingListener listener() {
        return listener;
    }

    /** {@code --data PATH}: labelled training data for {@link DigitTrainer#fit()}. */
    public B data(String path) {
        return put(DATA, path);
    }

    /** {@code --test PATH}: test data evaluated after training. */
    public B test(String path) {
        return put(TEST, path);
    }

    /** {@code --holdout N}: rows held out of the training data and reported at the end. */
    public B holdout(int n) {
        return put(HOLDOUT, n);
    }

    /** {@code --out PATH}: the model directory {@code fit} writes (any Hadoop file system). */
    public B out(String dir) {
        return put(OUT, dir);
    }

    /** {@code --hidden H}: hidden units, 1-4096. */
    public B hidden(int h) {
        return put(HIDDEN, h);
    }

    /** {@code --activation relu|sigmoid}. */
    public B activation(String name) {
        return put(ACTIVATION, name);
    }

    /** {@code --lr RATE}: the schedule's base rate. */
    public B lr(double rate) {
        return put(LR, rate);
    }

    /** {@code --iterations N}: full-batch steps (iterations of lbfgs and cg). */
    public B iterations(int n) {
        return put(ITERATIONS, n);
    }

    /** {@code --batch-size B}: global rows per step, 0 for full batch. */
    public B batchSize(int b) {
        return put(BATCH_SIZE, b);
    }

    /** {@code --epochs E}: passes over the data with mini-batches. */
    public B epochs(int e) {
        return put(EPOCHS, e);
    }

    /** {@code --optimizer NAME}: sgd, momentum, nesterov, adam, adamw, lbfgs or cg. */
    public B optimizer(String name) {
        return put(OPTIMIZER, name);
    }

    /** {@code --momentum MU}. */
    public B momentum(double mu) {
        return put(MOMENTUM, mu);
    }

    /** {@code --beta1 B1}. */
    public B beta1(double b) {
        return put(BETA1, b);
    }

    /** {@code --beta2 B2}. */
    public B beta2(double b) {
        return put(BETA2, b);
    }

    /** {@code --eps E}. */
    public B eps(double e) {
        return put(EPS, e);
    }

    /** {@code --l2 LAMBDA}. */
    public B l2(double lambda) {
        return put(L2, lambda);
    }

    /** {@code --dropout P}. */
    public B dropout(double p) {
        return put(DROPOUT, p);
    }

    /** {@code --label-smoothing EPS}: train against {@code (1 - EPS)·one-hot + EPS/10}. */
    public B labelSmoothing(double epsilon) {
        return put(LABEL_SMOOTHING, epsilon);
    }

    /**
     * {@code --teacher DIR[,DIR...]}: distil from these model directories (written by {@code train}); given again,
     * the lists add up.
     */
    public B teacher(String dirs) {
        return put(TEACHER, appended(TEACHER, dirs));
    }

    /** {@code --teacher}'s directories, each a model directory. */
    public B teachers(List<String> dirs) {
        return teacher(String.join(",", dirs));
    }

    /** {@code --distill-temperature T}: the softmax temperature of the teachers' and the student's soft outputs. */
    public B distillTemperature(double temperature) {
        return put(DISTILL_TEMPERATURE, temperature);
    }

    /** {@code --distill-weight W}: the share of the teachers' term in the loss, in [0, 1]. */
    public B distillWeight(double weight) {
        return put(DISTILL_WEIGHT, weight);
    }

    /**
     * {@code --ema DECAY}: keep a moving average of the weights, which evaluations and the trained model use (0:
     * off).
     */
    public B ema(double decay) {
        return put(EMA, decay);
    }

    /** {@code --schedule constant|step|cosine}. */
    public B schedule(String name) {
        return put(SCHEDULE, name);
    }

    /** {@code --warmup STEPS}. */
    public B warmup(int steps) {
        return put(WARMUP, steps);
    }

    /** {@code --decay-every STEPS}. */
    public B decayEvery(int steps) {
        return put(DECAY_EVERY, steps);
    }

    /** {@code --decay-rate R}. */
    public B decayRate(double r) {
        return put(DECAY_RATE, r);
    }

    /** {@code --validation N}: rows held out of the training data and evaluated during training. */
    public B validation(int n) {
        return put(VALIDATION, n);
    }

    /** The same as {@link #validation(int)}. */
    public B validationRows(int n) {
        return validation(n);
    }

    /** A validation set of its own, evaluated during training (instead of rows held out). */
    public B validation(Dataset<Row> frame) {
        validationFrame = frame;
        return self();
    }

    /** A test set of its own, evaluated during training for information and at the end. */
    public B testSet(Dataset<Row> frame) {
        testFrame = frame;
        return self();
    }

    /** The DataFrames' label column (default {@code label}). */
    public B labelCol(String name) {
        labelCol = name;
        return self();
    }

    /** The DataFrames' pixel column (default: {@code pixels}, {@code features} or {@code pixel0 .. pixel783}). */
    public B pixelsCol(String name) {
        pixelsCol = name;
        return self();
    }

    /** Told of every step, evaluation and epoch. */
    public B listener(TrainingListener l) {
        listener = l == null ? TrainingListener.NONE : l;
        return self();
    }

    /** {@code --eval-every N}. */
    public B evalEvery(int n) {
        return put(EVAL_EVERY, n);
    }

    /** {@code --early-stopping P}. */
    public B earlyStopping(int patience) {
        return put(EARLY_STOPPING, patience);
    }

    /** {@code --local-steps K}. */
    public B localSteps(int k) {
        return put(LOCAL_STEPS, k);
    }

    /**
     * {@code --engine collective|jobs|auto}: how the synchronous steps reach Spark: {@code jobs} (the default) a
     * Spark job per step, {@code collective} a barrier stage per segment of steps whose tasks sum among themselves
     * (mini-batch steps with {@code --local-steps 1}, on a cluster that runs all the partitions' tasks at once),
     * {@code auto} collective where the run and the cluster allow it, else jobs.
     */
    public B engine(String name) {
        return put(ENGINE, name);
    }

    /** {@code --kernel simd|float|sparse|ojalgo}. */
    public B kernel(String name) {
        return put(KERNEL, name);
    }

    /** {@code --init he|xavier|seed}. */
    public B init(String name) {
        return put(INIT, name);
    }

    /** {@code --seed N}. */
    public B seed(long s) {
        return put(SEED, s);
    }

    /** {@code --partitions N}: 1-100 000. */
    public B partitions(int n) {
        return put(PARTITIONS, n);
    }

    /** {@code --partitions auto|N}: {@code auto} (the default) is Spark's default parallelism, or a multiple of it. */
    public B partitions(String n) {
        if (n.trim().equalsIgnoreCase("auto")) {
            return put(PARTITIONS, null);
        }
        return partitions(Check.integer(PARTITIONS.flag(), n));
    }

    /** {@code --log-every N}. */
    public B logEvery(int n) {
        return put(LOG_EVERY, n);
    }

    /** {@code --on-bad-row fail|skip}. */
    public B onBadRow(String mode) {
        return put(ON_BAD_ROW, mode);
    }

    /** {@code --checkpoint-dir PATH}. */
    public B checkpointDir(String dir) {
        return put(CHECKPOINT_DIR, dir);
    }

    /** {@code --checkpoint-every K}. */
    public B checkpointEvery(int k) {
        return put(CHECKPOINT_EVERY, k);
    }

    /** {@code --resume}. */
    public B resume(boolean on) {
        return put(RESUME, on);
    }

    /** {@code --format auto|csv|libsvm|parquet|idx}: the format of {@code data}. */
    public B format(String name) {
        return put(FORMAT, name);
    }

    /** {@code --rotation DEG}. */
    public B rotation(double degrees) {
        return put(ROTATION, degrees);
    }

    /** {@code --scale S}. */
    public B scale(double s) {
        return put(SCALE, s);
    }

    /** {@code --shear S}. */
    public B shear(double s) {
        return put(SHEAR, s);
    }

    /** {@code --shift PX}. */
    public B shift(double pixels) {
        return put(SHIFT, pixels);
    }

    /** {@code --alpha PX}. */
    public B alpha(double pixels) {
        return put(ALPHA, pixels);
    }

    /** {@code --sigma PX}. */
    public B sigma(double pixels) {
        return put(SIGMA, pixels);
    }

    /** {@code --elastic-scale peak|simard}: what {@link #alpha(double)} means. */
    public B elasticScale(String name) {
        return put(ELASTIC_SCALE, name);
    }

    /** {@code --augment-on-the-fly}. */
    public B augmentOnTheFly(boolean on) {
        return put(AUGMENT_ON_THE_FLY, on);
    }

    /** {@code --storage-level LEVEL}. */
    public B storageLevel(String level) {
        return put(STORAGE_LEVEL, level);
    }

    /** {@code --mirror URL[,URL]}: where the default data is downloaded from when missing. */
    public B mirror(String urls) {
        return put(MIRROR, appended(MIRROR, urls));
    }


    /**
     * The validated configuration of these options, record by record, in the order of the command line's checks (so
     * that of two wrong values the same one is named first).
     *
     * @throws IllegalArgumentException with the command line's message, naming the option, for the first value or
     *                                  combination that is not allowed
     */
    TrainingSpec spec() {
        NetworkSpec network = networkSpec();
        OptimizerSpec optimizer = optimizerSpec();
        ScheduleSpec schedule = scheduleSpec();
        RegularizationSpec regularization = regularizationSpec();
        TrainingSpec.checkBatches(optimizer.kind(), integer(BATCH_SIZE));
        LoopSpec loop = new LoopSpec(integer(BATCH_SIZE), integer(EPOCHS), integer(ITERATIONS), integer(LOCAL_STEPS),
                integer(LOG_EVERY), whole(SEED));
        EvaluationSpec evaluation = evaluationSpec();
        if (given(EPOCHS) && !loop.miniBatch()) {
            throw new IllegalArgumentException(EPOCHS.flag() + " counts passes of mini-batch training: give " + BATCH_SIZE.flag() + " too "
                    + "(full batch uses " + ITERATIONS.flag() + ")");
        }
        if (given(CHECKPOINT_EVERY) && text(CHECKPOINT_DIR) == null) {
            throw new IllegalArgumentException(CHECKPOINT_EVERY.flag() + " needs " + CHECKPOINT_DIR.flag());
        }
        DataSpec data = dataSpec();
        CheckpointSpec checkpoints = new CheckpointSpec(text(CHECKPOINT_DIR), integer(CHECKPOINT_EVERY), flag(RESUME));
        AugmentSpec augment = augmentSpec();
        return new TrainingSpec(network, optimizer, schedule, regularization, loop, evaluation, data, checkpoints,
                augment, new EngineSpec(Engine.parse(text(ENGINE))));
    }

    private NetworkSpec networkSpec() {
        return new NetworkSpec(integer(HIDDEN), parse(() -> Activation.parse(text(ACTIVATION)), ACTIVATION.flag() + ": "),
                parse(() -> Initializer.parse(text(INIT)), INIT.flag() + ": "), parse(() -> KernelKind.parse(text(KERNEL)), KERNEL.flag() + ": "));
    }

    private OptimizerSpec optimizerSpec() {
        return new OptimizerSpec(parse(() -> Optimizer.Kind.parse(text(OPTIMIZER)), OPTIMIZER.flag() + ": "), number(MOMENTUM),
                number(BETA1), number(BETA2), number(EPS), number(EMA));
    }

    private ScheduleSpec scheduleSpec() {
        return new ScheduleSpec(parse(() -> LearningRateSchedule.Kind.parse(text(SCHEDULE)), SCHEDULE.flag() + ": "), number(LR),
                integer(WARMUP), integer(DECAY_EVERY), number(DECAY_RATE));
    }

    private RegularizationSpec regularizationSpec() {
        String teacher = text(TEACHER);
        List<String> teachers = teacher == null ? List.of()
                : Arrays.stream(teacher.split(",", -1)).map(String::trim).toList();   // an empty entry is refused
        if (teachers.isEmpty()) {
            for (TrainOption d : List.of(DISTILL_TEMPERATURE, DISTILL_WEIGHT)) {
                if (given(d)) {
                    throw new IllegalArgumentException(d.flag() + " sets the distillation of " + TEACHER.flag() + ": give that too");
                }
            }
        }
        return new RegularizationSpec(number(L2), number(DROPOUT), number(LABEL_SMOOTHING),
                new DistillationSpec(teachers, number(DISTILL_TEMPERATURE), number(DISTILL_WEIGHT)));
    }

    private EvaluationSpec evaluationSpec() {
        int validation = integer(VALIDATION);
        EvaluationSpec eval = new EvaluationSpec(integer(HOLDOUT), validation, integer(EVAL_EVERY), integer(EARLY_STOPPING));
        if (validation > 0 && validationFrame != null) {
            throw new IllegalArgumentException("validationRows(" + validation + ") and validation(DataFrame) are two "
                    + "validation sets: give one");
        }
        if (integer(EARLY_STOPPING) > 0 && validation == 0 && validationFrame == null) {
            throw new IllegalArgumentException(EARLY_STOPPING.flag() + " needs a validation set: give " + VALIDATION.flag() + " N");
        }
        return eval;
    }

    private DataSpec dataSpec() {
        Integer partitions = (Integer) values.get(PARTITIONS);   // null: auto
        if (partitions != null) {
            Check.between(PARTITIONS.flag(), partitions, 1, 100_000);
        }
        boolean defaultData = !given(DATA);
        String testPath = given(TEST) || (defaultData && !given(HOLDOUT)) ? text(TEST) : null;
        String mirror = text(MIRROR);
        List<String> mirrors = mirror == null ? List.of()
                : Arrays.stream(mirror.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new DataSpec(text(DATA), testPath, parse(() -> InputFormat.parse(text(FORMAT)), ""),
                partitions == null ? 0 : partitions, text(STORAGE_LEVEL), parse(() -> OnBadRow.parse(text(ON_BAD_ROW)), ""),
                text(OUT), mirrors);
    }

    private AugmentSpec augmentSpec() {
        boolean on = flag(AUGMENT_ON_THE_FLY);
        for (TrainOption d : List.of(ROTATION, SCALE, SHEAR, SHIFT, ALPHA, SIGMA, ELASTIC_SCALE)) {
            if (given(d) && !on) {
                throw new IllegalArgumentException(d.flag() + " sets the distortions of " + AUGMENT_ON_THE_FLY.flag() + ": give that too");
            }
        }
        // the ranges are checked only where they are used: a defaults file's rotation for augment leaves train alone
        return new AugmentSpec(on, on ? AugmentSpec.distortion(number(ROTATION), number(SCALE), number(SHEAR), number(SHIFT),
                number(ALPHA), number(SIGMA), parse(() -> Distortion.ElasticScale.parse(text(ELASTIC_SCALE)),
                ELASTIC_SCALE.flag() + ": ")) : null);
    }

    private static <T> T parse(Supplier<T> parser, String prefix) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + e.getMessage(), e);
        }
    }
}
