package org.sparkdigits;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;

import org.sparkdigits.train.AugmentSpec;
import org.sparkdigits.train.Check;
import org.sparkdigits.train.CheckpointSpec;
import org.sparkdigits.train.DataSpec;
import org.sparkdigits.train.DistillationSpec;
import org.sparkdigits.train.EngineSpec;
import org.sparkdigits.train.EvaluationSpec;
import org.sparkdigits.train.LoopSpec;
import org.sparkdigits.train.NetworkSpec;
import org.sparkdigits.train.OptimizerSpec;
import org.sparkdigits.train.RegularizationSpec;
import org.sparkdigits.train.ScheduleSpec;
import org.sparkdigits.train.Setting;
import org.sparkdigits.train.TrainingSpec;

/**
 * Every option of training, gathered in the command line's order from the declarations in the spec records (a
 * {@link Setting} beside the field it sets: {@code NetworkSpec.HIDDEN} for {@code --hidden}, with its name, placeholder,
 * default, {@link Setting.Kind}, help, range, and where a run records it), each with the path from a {@link TrainingSpec}
 * to its record. The name is {@code --batch-size} on the command line, the key {@code batch-size} in a defaults file
 * such as {@code conf/train.properties} and the builder method {@code batchSize(...)}. The builder is a value map keyed
 * by these constants, starting from their defaults ({@code TrainerOptions}: a fluent method, the command line's value
 * and a defaults file's all go through the same constant); the command line declares its options and shows its usage
 * from them, model.json's {@code training} and the checkpoints' fingerprint are {@link #recorded(TrainingSpec)}, and
 * docs/cli.md is written from the command line.
 */
public enum TrainOption {
    DATA(TrainingSpec::data, DataSpec.DATA),
    TEST(TrainingSpec::data, DataSpec.TEST),
    HOLDOUT(TrainingSpec::evaluation, EvaluationSpec.HOLDOUT),
    OUT(TrainingSpec::data, DataSpec.OUT),
    HIDDEN(TrainingSpec::network, NetworkSpec.HIDDEN),
    ACTIVATION(TrainingSpec::network, NetworkSpec.ACTIVATION),
    LR(TrainingSpec::schedule, ScheduleSpec.LR),
    ITERATIONS(TrainingSpec::loop, LoopSpec.ITERATIONS),
    BATCH_SIZE(TrainingSpec::loop, LoopSpec.BATCH_SIZE),
    EPOCHS(TrainingSpec::loop, LoopSpec.EPOCHS),
    OPTIMIZER(TrainingSpec::optimizer, OptimizerSpec.OPTIMIZER),
    MOMENTUM(TrainingSpec::optimizer, OptimizerSpec.MOMENTUM),
    BETA1(TrainingSpec::optimizer, OptimizerSpec.BETA1),
    BETA2(TrainingSpec::optimizer, OptimizerSpec.BETA2),
    EPS(TrainingSpec::optimizer, OptimizerSpec.EPS),
    EMA(TrainingSpec::optimizer, OptimizerSpec.EMA),
    L2(TrainingSpec::regularization, RegularizationSpec.L2),
    DROPOUT(TrainingSpec::regularization, RegularizationSpec.DROPOUT),
    LABEL_SMOOTHING(TrainingSpec::regularization, RegularizationSpec.LABEL_SMOOTHING),
    TEACHER(s -> s.regularization().distillation(), DistillationSpec.TEACHER),
    DISTILL_TEMPERATURE(s -> s.regularization().distillation(), DistillationSpec.DISTILL_TEMPERATURE),
    DISTILL_WEIGHT(s -> s.regularization().distillation(), DistillationSpec.DISTILL_WEIGHT),
    SCHEDULE(TrainingSpec::schedule, ScheduleSpec.SCHEDULE),
    WARMUP(TrainingSpec::schedule, ScheduleSpec.WARMUP),
    DECAY_EVERY(TrainingSpec::schedule, ScheduleSpec.DECAY_EVERY),
    DECAY_RATE(TrainingSpec::schedule, ScheduleSpec.DECAY_RATE),
    VALIDATION(TrainingSpec::evaluation, EvaluationSpec.VALIDATION),
    EVAL_EVERY(TrainingSpec::evaluation, EvaluationSpec.EVAL_EVERY),
    EARLY_STOPPING(TrainingSpec::evaluation, EvaluationSpec.EARLY_STOPPING),
    LOCAL_STEPS(TrainingSpec::loop, LoopSpec.LOCAL_STEPS),
    ENGINE(TrainingSpec::engine, EngineSpec.ENGINE),
    KERNEL(TrainingSpec::network, NetworkSpec.KERNEL),
    INIT(TrainingSpec::network, NetworkSpec.INIT),
    SEED(TrainingSpec::loop, LoopSpec.SEED),
    PARTITIONS(TrainingSpec::data, DataSpec.PARTITIONS),
    LOG_EVERY(TrainingSpec::loop, LoopSpec.LOG_EVERY),
    ON_BAD_ROW(TrainingSpec::data, DataSpec.ON_BAD_ROW),
    CHECKPOINT_DIR(TrainingSpec::checkpoints, CheckpointSpec.CHECKPOINT_DIR),
    CHECKPOINT_EVERY(TrainingSpec::checkpoints, CheckpointSpec.CHECKPOINT_EVERY),
    RESUME(TrainingSpec::checkpoints, CheckpointSpec.RESUME),
    FORMAT(TrainingSpec::data, DataSpec.FORMAT),
    ROTATION(TrainingSpec::augment, AugmentSpec.ROTATION),
    SCALE(TrainingSpec::augment, AugmentSpec.SCALE),
    SHEAR(TrainingSpec::augment, AugmentSpec.SHEAR),
    SHIFT(TrainingSpec::augment, AugmentSpec.SHIFT),
    ALPHA(TrainingSpec::augment, AugmentSpec.ALPHA),
    SIGMA(TrainingSpec::augment, AugmentSpec.SIGMA),
    ELASTIC_SCALE(TrainingSpec::augment, AugmentSpec.ELASTIC_SCALE),
    AUGMENT_ON_THE_FLY(TrainingSpec::augment, AugmentSpec.AUGMENT_ON_THE_FLY),
    STORAGE_LEVEL(TrainingSpec::data, DataSpec.STORAGE_LEVEL),
    MIRROR(TrainingSpec::data, DataSpec.MIRROR);

    private final Setting<?> setting;
    /** The option's value in a validated spec, as recorded; {@code null} where it does not apply (momentum for adam). */
    private final Function<TrainingSpec, Object> value;

    <R> TrainOption(Function<TrainingSpec, R> part, Setting<R> setting) {
        this.setting = setting;
        this.value = s -> setting.valueIn(part.apply(s));
    }

    /** The declaration, in its spec record. */
    public Setting<?> setting() {
        return setting;
    }

    public Setting.Recorded recorded() {
        return setting.recorded();
    }

    /**
     * What a run of {@code spec} records (model.json's {@code training}, under the options' names, in their order): each
     * recorded option's value where it applies. The run puts in what only it knows: the data's source, the partitions
     * and teachers it used, the rows it trained on.
     */
    public static Map<String, Object> recorded(TrainingSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (TrainOption o : values()) {
            Object v = o.recorded() == Setting.Recorded.NO ? null : o.value.apply(spec);
            if (v != null) {
                m.put(o.key(), v);
            }
        }
        return m;
    }

    /**
     * The recorded options whose value in {@code spec} is not their default, as the command line writes them
     * ({@code --hidden 128 --batch-size 128 --optimizer adamw --augment-on-the-fly}), in the command line's order; empty
     * for the defaults. The log's account of a run's settings, and a command line that trains it again.
     */
    public static String changed(TrainingSpec spec) {
        StringJoiner line = new StringJoiner(" ");
        for (TrainOption o : values()) {
            Object v = o.recorded() == Setting.Recorded.NO ? null : o.value.apply(spec);
            if (v != null && !o.isDefault(v)) {
                line.add(o.kind() == Setting.Kind.FLAG ? o.flag() : o.flag() + " " + written(v));
            }
        }
        return line.toString();
    }

    private boolean isDefault(Object v) {
        String d = defaultValue();
        if (d == null) {
            return false;
        }
        return switch (kind()) {
            case INTEGER, LONG -> v instanceof Number n && n.longValue() == Long.parseLong(d);
            case NUMBER -> v instanceof Number n && n.doubleValue() == Double.parseDouble(d);
            case FLAG -> v.equals(Boolean.parseBoolean(d));
            default -> written(v).equalsIgnoreCase(d);
        };
    }

    /** A recorded value as the command line takes it: {@code 0.05}, {@code 1} for 1.0, a list joined by commas. */
    private static String written(Object v) {
        if (v instanceof Double d) {
            return Check.format(d);
        }
        if (v instanceof java.util.Collection<?> c) {
            return String.join(",", c.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }

    /** The recorded options that the checkpoints' fingerprint leaves out ({@link Recorded#MODEL}). */
    public static Set<String> outsideFingerprint() {
        Set<String> keys = new LinkedHashSet<>();
        for (TrainOption o : values()) {
            if (o.recorded() == Setting.Recorded.MODEL) {
                keys.add(o.key());
            }
        }
        return keys;
    }

    /** The name without dashes: the defaults file's key. */
    public String key() {
        return setting.name();
    }

    /** {@code --name}. */
    public String flag() {
        return setting.flag();
    }

    /** The builder method's name: {@code batchSize} for {@code batch-size}. */
    public String method() {
        StringBuilder m = new StringBuilder();
        for (String part : setting.name().split("-")) {
            m.append(m.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return m.toString();
    }

    /** The value's placeholder in usage ({@code N}, {@code PATH}), {@code null} for a flag. */
    public String label() {
        return setting.label();
    }

    /** The default as written, {@code null} for none. */
    public String defaultValue() {
        return setting.defaultValue();
    }

    public Setting.Kind kind() {
        return setting.kind();
    }

    public String help() {
        return setting.help();
    }

    /** The option named {@code key} ({@code batch-size} or {@code --batch-size}), or {@code null}. */
    public static TrainOption byKey(String key) {
        String k = key.startsWith("--") ? key.substring(2) : key;
        return Arrays.stream(values()).filter(o -> o.key().equals(k)).findFirst().orElse(null);
    }

    /** Every option's key. */
    public static List<String> keys() {
        return Arrays.stream(values()).map(TrainOption::key).toList();
    }
}
