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
    /** {@code --data}, declared in {@link DataSpec#DATA}. */
    DATA(TrainingSpec::data, DataSpec.DATA),
    /** {@code --test}, declared in {@link DataSpec#TEST}. */
    TEST(TrainingSpec::data, DataSpec.TEST),
    /** {@code --holdout}, declared in {@link EvaluationSpec#HOLDOUT}. */
    HOLDOUT(TrainingSpec::evaluation, EvaluationSpec.HOLDOUT),
    /** {@code --out}, declared in {@link DataSpec#OUT}. */
    OUT(TrainingSpec::data, DataSpec.OUT),
    /** {@code --hidden}, declared in {@link NetworkSpec#HIDDEN}. */
    HIDDEN(TrainingSpec::network, NetworkSpec.HIDDEN),
    /** {@code --activation}, declared in {@link NetworkSpec#ACTIVATION}. */
    ACTIVATION(TrainingSpec::network, NetworkSpec.ACTIVATION),
    /** {@code --lr}, declared in {@link ScheduleSpec#LR}. */
    LR(TrainingSpec::schedule, ScheduleSpec.LR),
    /** {@code --iterations}, declared in {@link LoopSpec#ITERATIONS}. */
    ITERATIONS(TrainingSpec::loop, LoopSpec.ITERATIONS),
    /** {@code --batch-size}, declared in {@link LoopSpec#BATCH_SIZE}. */
    BATCH_SIZE(TrainingSpec::loop, LoopSpec.BATCH_SIZE),
    /** {@code --epochs}, declared in {@link LoopSpec#EPOCHS}. */
    EPOCHS(TrainingSpec::loop, LoopSpec.EPOCHS),
    /** {@code --optimizer}, declared in {@link OptimizerSpec#OPTIMIZER}. */
    OPTIMIZER(TrainingSpec::optimizer, OptimizerSpec.OPTIMIZER),
    /** {@code --momentum}, declared in {@link OptimizerSpec#MOMENTUM}. */
    MOMENTUM(TrainingSpec::optimizer, OptimizerSpec.MOMENTUM),
    /** {@code --beta1}, declared in {@link OptimizerSpec#BETA1}. */
    BETA1(TrainingSpec::optimizer, OptimizerSpec.BETA1),
    /** {@code --beta2}, declared in {@link OptimizerSpec#BETA2}. */
    BETA2(TrainingSpec::optimizer, OptimizerSpec.BETA2),
    /** {@code --eps}, declared in {@link OptimizerSpec#EPS}. */
    EPS(TrainingSpec::optimizer, OptimizerSpec.EPS),
    /** {@code --ema}, declared in {@link OptimizerSpec#EMA}. */
    EMA(TrainingSpec::optimizer, OptimizerSpec.EMA),
    /** {@code --l2}, declared in {@link RegularizationSpec#L2}. */
    L2(TrainingSpec::regularization, RegularizationSpec.L2),
    /** {@code --dropout}, declared in {@link RegularizationSpec#DROPOUT}. */
    DROPOUT(TrainingSpec::regularization, RegularizationSpec.DROPOUT),
    /** {@code --label-smoothing}, declared in {@link RegularizationSpec#LABEL_SMOOTHING}. */
    LABEL_SMOOTHING(TrainingSpec::regularization, RegularizationSpec.LABEL_SMOOTHING),
    /** {@code --teacher}, declared in {@link DistillationSpec#TEACHER}. */
    TEACHER(s -> s.regularization().distillation(), DistillationSpec.TEACHER),
    /** {@code --distill-temperature}, declared in {@link DistillationSpec#DISTILL_TEMPERATURE}. */
    DISTILL_TEMPERATURE(s -> s.regularization().distillation(), DistillationSpec.DISTILL_TEMPERATURE),
    /** {@code --distill-weight}, declared in {@link DistillationSpec#DISTILL_WEIGHT}. */
    DISTILL_WEIGHT(s -> s.regularization().distillation(), DistillationSpec.DISTILL_WEIGHT),
    /** {@code --schedule}, declared in {@link ScheduleSpec#SCHEDULE}. */
    SCHEDULE(TrainingSpec::schedule, ScheduleSpec.SCHEDULE),
    /** {@code --warmup}, declared in {@link ScheduleSpec#WARMUP}. */
    WARMUP(TrainingSpec::schedule, ScheduleSpec.WARMUP),
    /** {@code --decay-every}, declared in {@link ScheduleSpec#DECAY_EVERY}. */
    DECAY_EVERY(TrainingSpec::schedule, ScheduleSpec.DECAY_EVERY),
    /** {@code --decay-rate}, declared in {@link ScheduleSpec#DECAY_RATE}. */
    DECAY_RATE(TrainingSpec::schedule, ScheduleSpec.DECAY_RATE),
    /** {@code --validation}, declared in {@link EvaluationSpec#VALIDATION}. */
    VALIDATION(TrainingSpec::evaluation, EvaluationSpec.VALIDATION),
    /** {@code --eval-every}, declared in {@link EvaluationSpec#EVAL_EVERY}. */
    EVAL_EVERY(TrainingSpec::evaluation, EvaluationSpec.EVAL_EVERY),
    /** {@code --early-stopping}, declared in {@link EvaluationSpec#EARLY_STOPPING}. */
    EARLY_STOPPING(TrainingSpec::evaluation, EvaluationSpec.EARLY_STOPPING),
    /** {@code --local-steps}, declared in {@link LoopSpec#LOCAL_STEPS}. */
    LOCAL_STEPS(TrainingSpec::loop, LoopSpec.LOCAL_STEPS),
    /** {@code --engine}, declared in {@link EngineSpec#ENGINE}. */
    ENGINE(TrainingSpec::engine, EngineSpec.ENGINE),
    /** {@code --kernel}, declared in {@link NetworkSpec#KERNEL}. */
    KERNEL(TrainingSpec::network, NetworkSpec.KERNEL),
    /** {@code --init}, declared in {@link NetworkSpec#INIT}. */
    INIT(TrainingSpec::network, NetworkSpec.INIT),
    /** {@code --seed}, declared in {@link LoopSpec#SEED}. */
    SEED(TrainingSpec::loop, LoopSpec.SEED),
    /** {@code --partitions}, declared in {@link DataSpec#PARTITIONS}. */
    PARTITIONS(TrainingSpec::data, DataSpec.PARTITIONS),
    /** {@code --log-every}, declared in {@link LoopSpec#LOG_EVERY}. */
    LOG_EVERY(TrainingSpec::loop, LoopSpec.LOG_EVERY),
    /** {@code --on-bad-row}, declared in {@link DataSpec#ON_BAD_ROW}. */
    ON_BAD_ROW(TrainingSpec::data, DataSpec.ON_BAD_ROW),
    /** {@code --checkpoint-dir}, declared in {@link CheckpointSpec#CHECKPOINT_DIR}. */
    CHECKPOINT_DIR(TrainingSpec::checkpoints, CheckpointSpec.CHECKPOINT_DIR),
    /** {@code --checkpoint-every}, declared in {@link CheckpointSpec#CHECKPOINT_EVERY}. */
    CHECKPOINT_EVERY(TrainingSpec::checkpoints, CheckpointSpec.CHECKPOINT_EVERY),
    /** {@code --resume}, declared in {@link CheckpointSpec#RESUME}. */
    RESUME(TrainingSpec::checkpoints, CheckpointSpec.RESUME),
    /** {@code --format}, declared in {@link DataSpec#FORMAT}. */
    FORMAT(TrainingSpec::data, DataSpec.FORMAT),
    /** {@code --rotation}, declared in {@link AugmentSpec#ROTATION}. */
    ROTATION(TrainingSpec::augment, AugmentSpec.ROTATION),
    /** {@code --scale}, declared in {@link AugmentSpec#SCALE}. */
    SCALE(TrainingSpec::augment, AugmentSpec.SCALE),
    /** {@code --shear}, declared in {@link AugmentSpec#SHEAR}. */
    SHEAR(TrainingSpec::augment, AugmentSpec.SHEAR),
    /** {@code --shift}, declared in {@link AugmentSpec#SHIFT}. */
    SHIFT(TrainingSpec::augment, AugmentSpec.SHIFT),
    /** {@code --alpha}, declared in {@link AugmentSpec#ALPHA}. */
    ALPHA(TrainingSpec::augment, AugmentSpec.ALPHA),
    /** {@code --sigma}, declared in {@link AugmentSpec#SIGMA}. */
    SIGMA(TrainingSpec::augment, AugmentSpec.SIGMA),
    /** {@code --elastic-scale}, declared in {@link AugmentSpec#ELASTIC_SCALE}. */
    ELASTIC_SCALE(TrainingSpec::augment, AugmentSpec.ELASTIC_SCALE),
    /** {@code --augment-on-the-fly}, declared in {@link AugmentSpec#AUGMENT_ON_THE_FLY}. */
    AUGMENT_ON_THE_FLY(TrainingSpec::augment, AugmentSpec.AUGMENT_ON_THE_FLY),
    /** {@code --storage-level}, declared in {@link DataSpec#STORAGE_LEVEL}. */
    STORAGE_LEVEL(TrainingSpec::data, DataSpec.STORAGE_LEVEL),
    /** {@code --mirror}, declared in {@link DataSpec#MIRROR}. */
    MIRROR(TrainingSpec::data, DataSpec.MIRROR);

    private final Setting<?> setting;
    /** The option's value in a validated spec, as recorded; {@code null} where it does not apply (momentum for adam). */
    private final Function<TrainingSpec, Object> value;

    <R> TrainOption(Function<TrainingSpec, R> part, Setting<R> setting) {
        this.setting = setting;
        this.value = s -> setting.valueIn(part.apply(s));
    }

    /** {@return the declaration, in its spec record} */
    public Setting<?> setting() {
        return setting;
    }

    /** {@return where a run records this option} */
    public Setting.Recorded recorded() {
        return setting.recorded();
    }

    /**
     * What a run of {@code spec} records (model.json's {@code training}, under the options' names, in their order): each
     * recorded option's value where it applies. The run puts in what only it knows: the data's source, the partitions
     * and teachers it used, the rows it trained on.
     *
     * @param spec a validated spec
     * @return option names to recorded values, in the command line's order
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
     *
     * @param spec a validated spec
     * @return {@code --name value} pairs (a flag alone) separated by spaces
     */
    public static String changed(TrainingSpec spec) {
        StringJoiner line = new StringJoiner(" ");
        // the default test file goes with the default training data only: given --data, the line names --test too
        boolean ownData = spec.data().data() != null && !DATA.isDefault(spec.data().data());
        for (TrainOption o : values()) {
            Object v = o.recorded() == Setting.Recorded.NO ? null : o.value.apply(spec);
            if (v != null && (!o.isDefault(v) || (o == TEST && ownData))) {
                line.add(o.kind() == Setting.Kind.FLAG ? o.flag() : o.flag() + " " + quoted(written(v)));
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
            case CHOICE -> written(v).equalsIgnoreCase(d);
            case TEXT -> written(v).equals(d);
        };
    }

    /** {@code value}, in single quotes as a shell takes it when it holds a space or a quote. */
    private static String quoted(String value) {
        return value.matches("[^\\s'\"\\\\]+") ? value : "'" + value.replace("'", "'\\''") + "'";
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

    /** {@return the recorded options that the checkpoints' fingerprint leaves out ({@link Setting.Recorded#MODEL})} */
    public static Set<String> outsideFingerprint() {
        Set<String> keys = new LinkedHashSet<>();
        for (TrainOption o : values()) {
            if (o.recorded() == Setting.Recorded.MODEL) {
                keys.add(o.key());
            }
        }
        return keys;
    }

    /** {@return the name without dashes: the defaults file's key} */
    public String key() {
        return setting.name();
    }

    /** {@return {@code --name}} */
    public String flag() {
        return setting.flag();
    }

    /** {@return the builder method's name: {@code batchSize} for {@code batch-size}} */
    public String method() {
        StringBuilder m = new StringBuilder();
        for (String part : setting.name().split("-")) {
            m.append(m.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return m.toString();
    }

    /** {@return the value's placeholder in usage ({@code N}, {@code PATH}), {@code null} for a flag} */
    public String label() {
        return setting.label();
    }

    /** {@return the default as written, {@code null} for none} */
    public String defaultValue() {
        return setting.defaultValue();
    }

    /** {@return how the value is written, and so the builder method's parameter} */
    public Setting.Kind kind() {
        return setting.kind();
    }

    /** {@return the help, as {@code train --help} shows it} */
    public String help() {
        return setting.help();
    }

    /**
     * {@return the option named {@code key}, or {@code null}}
     *
     * @param key {@code batch-size} or {@code --batch-size}
     */
    public static TrainOption byKey(String key) {
        String k = key.startsWith("--") ? key.substring(2) : key;
        return Arrays.stream(values()).filter(o -> o.key().equals(k)).findFirst().orElse(null);
    }

    /** {@return every option's key, in the command line's order} */
    public static List<String> keys() {
        return Arrays.stream(values()).map(TrainOption::key).toList();
    }
}
