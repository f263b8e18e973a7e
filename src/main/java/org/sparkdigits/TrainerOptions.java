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
     * @param values option names (with or without dashes) to values as written
     * @return this builder
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

    /**
     * {@link #defaults(Map, String)} of a properties file's settings.
     *
     * @param properties option names (with or without dashes) to values as written
     * @param source where the values come from, for messages (a file name)
     * @return this builder
     */
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
     * @param option the option
     * @param value its value as written on the command line
     * @return this builder
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

    /**
     * {@code --data PATH}: labelled training data for {@link DigitTrainer#fit()}.
     *
     * @param path {@code --data}: labelled digits (file, directory or glob; plain or .gz): CSV (header detected),
     *        LIBSVM, Parquet as augment writes or IDX (the images file; labels beside it)
     * @return this builder
     */
    public B data(String path) {
        return put(DATA, path);
    }

    /**
     * {@code --test PATH}: test data evaluated after training.
     *
     * @param path {@code --test}: test data (any format --data takes), evaluated after training
     * @return this builder
     */
    public B test(String path) {
        return put(TEST, path);
    }

    /**
     * {@code --holdout N}: rows held out of the training data and reported at the end.
     *
     * @param n {@code --holdout}: hold N training rows out (chosen with --seed) and report accuracy on them
     * @return this builder
     */
    public B holdout(int n) {
        return put(HOLDOUT, n);
    }

    /**
     * {@code --out PATH}: the model directory {@code fit} writes (any Hadoop file system).
     *
     * @param dir {@code --out}: the model directory to write, on any Hadoop file system (the library's fit writes one
     *        only when out(...) is given)
     * @return this builder
     */
    public B out(String dir) {
        return put(OUT, dir);
    }

    /**
     * {@code --hidden H}: hidden units, 1-4096.
     *
     * @param h {@code --hidden}: hidden units (1-4096)
     * @return this builder
     */
    public B hidden(int h) {
        return put(HIDDEN, h);
    }

    /**
     * {@code --activation relu|sigmoid}.
     *
     * @param name {@code --activation}: hidden-layer activation
     * @return this builder
     */
    public B activation(String name) {
        return put(ACTIVATION, name);
    }

    /**
     * {@code --lr RATE}: the schedule's base rate.
     *
     * @param rate {@code --lr}: learning rate (the schedule's base rate)
     * @return this builder
     */
    public B lr(double rate) {
        return put(LR, rate);
    }

    /**
     * {@code --iterations N}: full-batch steps (iterations of lbfgs and cg).
     *
     * @param n {@code --iterations}: full-batch steps (iterations of lbfgs and cg)
     * @return this builder
     */
    public B iterations(int n) {
        return put(ITERATIONS, n);
    }

    /**
     * {@code --batch-size B}: global rows per step, 0 for full batch.
     *
     * @param b {@code --batch-size}: global rows per mini-batch step
     * @return this builder
     */
    public B batchSize(int b) {
        return put(BATCH_SIZE, b);
    }

    /**
     * {@code --epochs E}: passes over the data with mini-batches.
     *
     * @param e {@code --epochs}: passes over the data with --batch-size
     * @return this builder
     */
    public B epochs(int e) {
        return put(EPOCHS, e);
    }

    /**
     * {@code --optimizer NAME}: sgd, momentum, nesterov, adam, adamw, lbfgs or cg.
     *
     * @param name {@code --optimizer}: sgd|momentum|nesterov|adam|adamw (any batch) or lbfgs|cg (full batch)
     * @return this builder
     */
    public B optimizer(String name) {
        return put(OPTIMIZER, name);
    }

    /**
     * {@code --momentum MU}.
     *
     * @param mu {@code --momentum}: momentum and nesterov: the velocity's decay, in [0, 1)
     * @return this builder
     */
    public B momentum(double mu) {
        return put(MOMENTUM, mu);
    }

    /**
     * {@code --beta1 B1}.
     *
     * @param b {@code --beta1}: adam/adamw: decay of the first moment, in [0, 1)
     * @return this builder
     */
    public B beta1(double b) {
        return put(BETA1, b);
    }

    /**
     * {@code --beta2 B2}.
     *
     * @param b {@code --beta2}: adam/adamw: decay of the second moment, in [0, 1)
     * @return this builder
     */
    public B beta2(double b) {
        return put(BETA2, b);
    }

    /**
     * {@code --eps E}.
     *
     * @param e {@code --eps}: adam/adamw: added to the root of the second moment
     * @return this builder
     */
    public B eps(double e) {
        return put(EPS, e);
    }

    /**
     * {@code --l2 LAMBDA}.
     *
     * @param lambda {@code --l2}: L2 penalty (lambda/2)|W|^2 on the weights, not the biases
     * @return this builder
     */
    public B l2(double lambda) {
        return put(L2, lambda);
    }

    /**
     * {@code --dropout P}.
     *
     * @param p {@code --dropout}: drop each hidden unit with probability P in every training step (inverted dropout;
     *        not with lbfgs/cg); gradcheck: check the network with one step's masks
     * @return this builder
     */
    public B dropout(double p) {
        return put(DROPOUT, p);
    }

    /**
     * {@code --label-smoothing EPS}: train against {@code (1 - EPS)·one-hot + EPS/10}.
     *
     * @param epsilon {@code --label-smoothing}: train against (1-EPS)*one-hot + EPS/10 instead of the one-hot labels
     *        (the reported training loss is the smoothed one; evaluations use the plain one)
     * @return this builder
     */
    public B labelSmoothing(double epsilon) {
        return put(LABEL_SMOOTHING, epsilon);
    }

    /**
     * {@code --teacher DIR[,DIR...]}: distil from these model directories (written by {@code train}); given again,
     * the lists add up.
     *
     * @param dirs {@code --teacher}: distil from these model directories (written by train; 784-H-10 of any H): train
     *        against (1-W)*the labels' cross-entropy + W*T^2*the cross-entropy of the student's softmax(z/T) against
     *        the teachers' averaged softmax(z/T), the teachers evaluated on the same (distorted) rows; the reported
     *        training loss is that mix, evaluations use the plain one
     * @return this builder
     */
    public B teacher(String dirs) {
        return put(TEACHER, appended(TEACHER, dirs));
    }

    /**
     * {@code --teacher}'s directories, each a model directory.
     *
     * @param dirs the teachers' model directories
     * @return this builder
     */
    public B teachers(List<String> dirs) {
        return teacher(String.join(",", dirs));
    }

    /**
     * {@code --distill-temperature T}: the softmax temperature of the teachers' and the student's soft outputs.
     *
     * @param temperature {@code --distill-temperature}: --teacher: the softmax temperature T of the soft term, &gt; 0
     * @return this builder
     */
    public B distillTemperature(double temperature) {
        return put(DISTILL_TEMPERATURE, temperature);
    }

    /**
     * {@code --distill-weight W}: the share of the teachers' term in the loss, in [0, 1].
     *
     * @param weight {@code --distill-weight}: --teacher: the soft term's share W of the loss, in [0, 1] (1: the
     *        teachers alone)
     * @return this builder
     */
    public B distillWeight(double weight) {
        return put(DISTILL_WEIGHT, weight);
    }

    /**
     * {@code --ema DECAY}: keep a moving average of the weights, which evaluations and the trained model use (0:
     * off).
     *
     * @param decay {@code --ema}: keep an exponential moving average of the weights (Polyak averaging, decay
     *        min(DECAY, (1+t)/(10+t)) at step t; e.g. 0.999): evaluations and the saved model use it; 0: off; not with
     *        lbfgs/cg
     * @return this builder
     */
    public B ema(double decay) {
        return put(EMA, decay);
    }

    /**
     * {@code --schedule constant|step|cosine}.
     *
     * @param name {@code --schedule}: learning-rate schedule over the steps
     * @return this builder
     */
    public B schedule(String name) {
        return put(SCHEDULE, name);
    }

    /**
     * {@code --warmup STEPS}.
     *
     * @param steps {@code --warmup}: linear warm-up of the learning rate over the first STEPS steps
     * @return this builder
     */
    public B warmup(int steps) {
        return put(WARMUP, steps);
    }

    /**
     * {@code --decay-every STEPS}.
     *
     * @param steps {@code --decay-every}: step schedule: multiply the rate by --decay-rate every STEPS steps
     * @return this builder
     */
    public B decayEvery(int steps) {
        return put(DECAY_EVERY, steps);
    }

    /**
     * {@code --decay-rate R}.
     *
     * @param r {@code --decay-rate}: step schedule: the factor
     * @return this builder
     */
    public B decayRate(double r) {
        return put(DECAY_RATE, r);
    }

    /**
     * {@code --validation N}: rows held out of the training data and evaluated during training.
     *
     * @param n {@code --validation}: hold N training rows out (with --seed) and evaluate them every epoch
     * @return this builder
     */
    public B validation(int n) {
        return put(VALIDATION, n);
    }

    /**
     * The same as {@link #validation(int)}.
     *
     * @param n rows held out of the training data for validation
     * @return this builder
     */
    public B validationRows(int n) {
        return validation(n);
    }

    /**
     * A validation set of its own, evaluated during training (instead of rows held out).
     *
     * @param frame labelled validation rows, in the training frame's layout
     * @return this builder
     */
    public B validation(Dataset<Row> frame) {
        validationFrame = frame;
        return self();
    }

    /**
     * A test set of its own, evaluated during training for information and at the end.
     *
     * @param frame labelled test rows, in the training frame's layout
     * @return this builder
     */
    public B testSet(Dataset<Row> frame) {
        testFrame = frame;
        return self();
    }

    /**
     * The DataFrames' label column (default {@code label}).
     *
     * @param name the label column's name
     * @return this builder
     */
    public B labelCol(String name) {
        labelCol = name;
        return self();
    }

    /**
     * The DataFrames' pixel column (default: {@code pixels}, {@code features} or {@code pixel0 .. pixel783}).
     *
     * @param name the pixels column's name
     * @return this builder
     */
    public B pixelsCol(String name) {
        pixelsCol = name;
        return self();
    }

    /**
     * Told of every step, evaluation and epoch.
     *
     * @param l called on the driver as training goes
     * @return this builder
     */
    public B listener(TrainingListener l) {
        listener = l == null ? TrainingListener.NONE : l;
        return self();
    }

    /**
     * {@code --eval-every N}.
     *
     * @param n {@code --eval-every}: evaluate validation/test every N steps (0: full batch every --log-every,
     *        mini-batch at epoch ends only)
     * @return this builder
     */
    public B evalEvery(int n) {
        return put(EVAL_EVERY, n);
    }

    /**
     * {@code --early-stopping P}.
     *
     * @param patience {@code --early-stopping}: stop after P evaluations without a better validation loss and keep the
     *        best weights (0: off; needs --validation)
     * @return this builder
     */
    public B earlyStopping(int patience) {
        return put(EARLY_STOPPING, patience);
    }

    /**
     * {@code --local-steps K}.
     *
     * @param k {@code --local-steps}: mini-batch steps each task takes alone before the models are averaged
     * @return this builder
     */
    public B localSteps(int k) {
        return put(LOCAL_STEPS, k);
    }

    /**
     * {@code --engine collective|jobs|auto}: how the synchronous steps reach Spark: {@code jobs} (the default) a
     * Spark job per step, {@code collective} a barrier stage per segment of steps whose tasks sum among themselves
     * (mini-batch steps with {@code --local-steps 1}, on a cluster that runs all the partitions' tasks at once),
     * {@code auto} collective where the run and the cluster allow it, else jobs.
     *
     * @param name {@code --engine}: how the steps reach Spark: jobs (a Spark job per step), collective (one barrier
     *        stage per segment of steps, whose tasks sum among themselves over TCP; gradient steps with --local-steps
     *        1, not lbfgs or cg) or auto (collective when the cluster can run a barrier stage of all the partitions
     *        and the steps allow it, else jobs, saying why); the same bits on both
     * @return this builder
     */
    public B engine(String name) {
        return put(ENGINE, name);
    }

    /**
     * {@code --kernel simd|float|sparse|ojalgo}.
     *
     * @param name {@code --kernel}: gradient kernel: simd (zero pixels skipped, Vector API), float (the same with the
     *        first layer in single precision: faster at large H), sparse (simd in plain loops, bit-identical) or
     *        ojalgo (dense ojAlgo products, the reference)
     * @return this builder
     */
    public B kernel(String name) {
        return put(KERNEL, name);
    }

    /**
     * {@code --init he|xavier|seed}.
     *
     * @param name {@code --init}: weight initialisation: he, xavier (scaled uniform) or seed (the notebooks'
     *        U(-0.5,0.5))
     * @return this builder
     */
    public B init(String name) {
        return put(INIT, name);
    }

    /**
     * {@code --seed N}.
     *
     * @param s {@code --seed}: seed of initialisation, holdout and every other random choice
     * @return this builder
     */
    public B seed(long s) {
        return put(SEED, s);
    }

    /**
     * {@code --partitions N}: 1-100 000.
     *
     * @param n partitions of the cached data, or 0 for auto
     * @return this builder
     */
    public B partitions(int n) {
        return put(PARTITIONS, n);
    }

    /**
     * {@code --partitions auto|N}: {@code auto} (the default) is Spark's default parallelism, or a multiple of it.
     *
     * @param n partitions of the cached data, or 0 for auto
     * @return this builder
     */
    public B partitions(String n) {
        if (n.trim().equalsIgnoreCase("auto")) {
            return put(PARTITIONS, null);
        }
        return partitions(Check.integer(PARTITIONS.flag(), n));
    }

    /**
     * {@code --log-every N}.
     *
     * @param n {@code --log-every}: a progress line and a history.csv row every N steps
     * @return this builder
     */
    public B logEvery(int n) {
        return put(LOG_EVERY, n);
    }

    /**
     * {@code --on-bad-row fail|skip}.
     *
     * @param mode {@code --on-bad-row}: a malformed row stops with file:line (fail) or is dropped and counted (skip)
     * @return this builder
     */
    public B onBadRow(String mode) {
        return put(ON_BAD_ROW, mode);
    }

    /**
     * {@code --checkpoint-dir PATH}.
     *
     * @param dir {@code --checkpoint-dir}: write checkpoints (weights, optimiser state, position, history) to this
     *        directory, on any Hadoop file system
     * @return this builder
     */
    public B checkpointDir(String dir) {
        return put(CHECKPOINT_DIR, dir);
    }

    /**
     * {@code --checkpoint-every K}.
     *
     * @param k {@code --checkpoint-every}: steps between checkpoints
     * @return this builder
     */
    public B checkpointEvery(int k) {
        return put(CHECKPOINT_EVERY, k);
    }

    /**
     * {@code --resume}.
     *
     * @param on {@code --resume}: continue from the newest intact checkpoint in --checkpoint-dir (from the beginning
     *        if there is none)
     * @return this builder
     */
    public B resume(boolean on) {
        return put(RESUME, on);
    }

    /**
     * {@code --format auto|csv|libsvm|parquet|idx}: the format of {@code data}.
     *
     * @param name {@code --format}: the input's format: auto (by name and content), csv, libsvm, parquet or idx
     *        (train's --test is always detected)
     * @return this builder
     */
    public B format(String name) {
        return put(FORMAT, name);
    }

    /**
     * {@code --rotation DEG}.
     *
     * @param degrees {@code --rotation}: --augment-on-the-fly: maximum rotation in degrees
     * @return this builder
     */
    public B rotation(double degrees) {
        return put(ROTATION, degrees);
    }

    /**
     * {@code --scale S}.
     *
     * @param s {@code --scale}: --augment-on-the-fly: maximum relative scaling per axis
     * @return this builder
     */
    public B scale(double s) {
        return put(SCALE, s);
    }

    /**
     * {@code --shear S}.
     *
     * @param s {@code --shear}: --augment-on-the-fly: maximum shear factor
     * @return this builder
     */
    public B shear(double s) {
        return put(SHEAR, s);
    }

    /**
     * {@code --shift PX}.
     *
     * @param pixels {@code --shift}: --augment-on-the-fly: maximum translation in pixels per axis
     * @return this builder
     */
    public B shift(double pixels) {
        return put(SHIFT, pixels);
    }

    /**
     * {@code --alpha PX}.
     *
     * @param pixels {@code --alpha}: --augment-on-the-fly: elastic distortion, largest displacement in pixels (0:
     *        none; with --elastic-scale simard, the field's factor)
     * @return this builder
     */
    public B alpha(double pixels) {
        return put(ALPHA, pixels);
    }

    /**
     * {@code --sigma PX}.
     *
     * @param pixels {@code --sigma}: --augment-on-the-fly: elastic smoothness, the Gaussian's width in pixels
     * @return this builder
     */
    public B sigma(double pixels) {
        return put(SIGMA, pixels);
    }

    /**
     * {@code --elastic-scale peak|simard}: what {@link #alpha(double)} means.
     *
     * @param name {@code --elastic-scale}: --augment-on-the-fly: what --alpha means: peak (the largest displacement,
     *        in pixels) or simard (Simard et al. 2003: the factor of the field smoothed by a normalised Gaussian;
     *        their --alpha 34 --sigma 4 moves pixels by up to 2.6-4.2 px, median 3.3)
     * @return this builder
     */
    public B elasticScale(String name) {
        return put(ELASTIC_SCALE, name);
    }

    /**
     * {@code --augment-on-the-fly}.
     *
     * @param on {@code --augment-on-the-fly}: every epoch, train on fresh distortions of the rows (--rotation ...
     *        --sigma as for augment), made inside the gradient tasks and never stored
     * @return this builder
     */
    public B augmentOnTheFly(boolean on) {
        return put(AUGMENT_ON_THE_FLY, on);
    }

    /**
     * {@code --storage-level LEVEL}.
     *
     * @param level {@code --storage-level}: Spark storage level of the cached blocks
     * @return this builder
     */
    public B storageLevel(String level) {
        return put(STORAGE_LEVEL, level);
    }

    /**
     * {@code --mirror URL[,URL]}: where the default data is downloaded from when missing.
     *
     * @param urls {@code --mirror}: MNIST mirror(s) to download from when the default data is missing (instead of the
     *        built-in list)
     * @return this builder
     */
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
