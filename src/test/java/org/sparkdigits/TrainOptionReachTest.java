package org.sparkdigits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparkdigits.train.Setting;
import org.sparkdigits.train.TrainingSpec;

/**
 * Every option of {@link TrainOption} reaches the command line ({@code train --help}), the builder and the validated
 * {@link TrainingSpec} (set to another value, with the options it needs, through the command line's path
 * {@link DigitTrainer.Builder#set} and a defaults file's, the spec differs from the one without it), and model.json's
 * {@code training} and the checkpoints' fingerprint under its own name, as it was set, as its {@link Setting.Recorded}
 * says. An option declared but read by nothing fails here; so does one without a sample.
 */
@Tag("spark-layer")
class TrainOptionReachTest {

    /** A value other than the default, and the options it needs beside it. */
    private record Sample(String value, Map<TrainOption, String> needs) {
        Sample(String value) {
            this(value, Map.of());
        }
    }

    private static final Map<TrainOption, Sample> SAMPLES = new EnumMap<>(TrainOption.class);

    static {
        Map<TrainOption, String> miniBatch = Map.of(TrainOption.BATCH_SIZE, "32");
        Map<TrainOption, String> teacher = Map.of(TrainOption.TEACHER, "teacher-model");
        Map<TrainOption, String> augment = Map.of(TrainOption.AUGMENT_ON_THE_FLY, "true");
        Map<TrainOption, String> checkpoints = Map.of(TrainOption.CHECKPOINT_DIR, "ck");
        SAMPLES.put(TrainOption.DATA, new Sample("x.csv"));
        SAMPLES.put(TrainOption.TEST, new Sample("t.csv"));
        SAMPLES.put(TrainOption.HOLDOUT, new Sample("5"));
        SAMPLES.put(TrainOption.OUT, new Sample("some-model"));
        SAMPLES.put(TrainOption.HIDDEN, new Sample("11"));
        SAMPLES.put(TrainOption.ACTIVATION, new Sample("sigmoid"));
        SAMPLES.put(TrainOption.LR, new Sample("0.2"));
        SAMPLES.put(TrainOption.ITERATIONS, new Sample("7"));
        SAMPLES.put(TrainOption.BATCH_SIZE, new Sample("32"));
        SAMPLES.put(TrainOption.EPOCHS, new Sample("3", miniBatch));
        SAMPLES.put(TrainOption.OPTIMIZER, new Sample("adam"));
        SAMPLES.put(TrainOption.MOMENTUM, new Sample("0.5", Map.of(TrainOption.OPTIMIZER, "nesterov")));
        Map<TrainOption, String> adam = Map.of(TrainOption.OPTIMIZER, "adamw");
        SAMPLES.put(TrainOption.BETA1, new Sample("0.5", adam));
        SAMPLES.put(TrainOption.BETA2, new Sample("0.5", adam));
        SAMPLES.put(TrainOption.EPS, new Sample("1e-6", adam));
        SAMPLES.put(TrainOption.EMA, new Sample("0.9"));
        SAMPLES.put(TrainOption.L2, new Sample("0.1"));
        SAMPLES.put(TrainOption.DROPOUT, new Sample("0.2"));
        SAMPLES.put(TrainOption.LABEL_SMOOTHING, new Sample("0.1"));
        SAMPLES.put(TrainOption.TEACHER, new Sample("teacher-model"));
        SAMPLES.put(TrainOption.DISTILL_TEMPERATURE, new Sample("3", teacher));
        SAMPLES.put(TrainOption.DISTILL_WEIGHT, new Sample("0.3", teacher));
        SAMPLES.put(TrainOption.SCHEDULE, new Sample("cosine"));
        SAMPLES.put(TrainOption.WARMUP, new Sample("5"));
        Map<TrainOption, String> step = Map.of(TrainOption.SCHEDULE, "step");
        SAMPLES.put(TrainOption.DECAY_EVERY, new Sample("7", step));
        SAMPLES.put(TrainOption.DECAY_RATE, new Sample("0.3", step));
        SAMPLES.put(TrainOption.VALIDATION, new Sample("5"));
        SAMPLES.put(TrainOption.EVAL_EVERY, new Sample("3"));
        SAMPLES.put(TrainOption.EARLY_STOPPING, new Sample("2", Map.of(TrainOption.VALIDATION, "5")));
        SAMPLES.put(TrainOption.LOCAL_STEPS, new Sample("2", miniBatch));
        SAMPLES.put(TrainOption.ENGINE, new Sample("jobs"));
        SAMPLES.put(TrainOption.KERNEL, new Sample("float"));
        SAMPLES.put(TrainOption.INIT, new Sample("xavier"));
        SAMPLES.put(TrainOption.SEED, new Sample("9"));
        SAMPLES.put(TrainOption.PARTITIONS, new Sample("3"));
        SAMPLES.put(TrainOption.LOG_EVERY, new Sample("3"));
        SAMPLES.put(TrainOption.ON_BAD_ROW, new Sample("skip"));
        SAMPLES.put(TrainOption.CHECKPOINT_DIR, new Sample("ck"));
        SAMPLES.put(TrainOption.CHECKPOINT_EVERY, new Sample("7", checkpoints));
        SAMPLES.put(TrainOption.RESUME, new Sample("true", checkpoints));
        SAMPLES.put(TrainOption.FORMAT, new Sample("csv"));
        SAMPLES.put(TrainOption.ROTATION, new Sample("5", augment));
        SAMPLES.put(TrainOption.SCALE, new Sample("0.2", augment));
        SAMPLES.put(TrainOption.SHEAR, new Sample("0.2", augment));
        SAMPLES.put(TrainOption.SHIFT, new Sample("1", augment));
        SAMPLES.put(TrainOption.ALPHA, new Sample("1", augment));
        SAMPLES.put(TrainOption.SIGMA, new Sample("3", augment));
        SAMPLES.put(TrainOption.ELASTIC_SCALE, new Sample("simard", augment));
        SAMPLES.put(TrainOption.AUGMENT_ON_THE_FLY, new Sample("true"));
        SAMPLES.put(TrainOption.STORAGE_LEVEL, new Sample("MEMORY_ONLY"));
        SAMPLES.put(TrainOption.MIRROR, new Sample("http://127.0.0.1:1/mnist"));
    }

    @Test
    void everyOptionHasASample() {
        Set<TrainOption> missing = new TreeSet<>(Set.of(TrainOption.values()));
        missing.removeAll(SAMPLES.keySet());
        assertEquals(Set.of(), missing, "give each new option a sample value here");
    }

    @Test
    void everyOptionReachesTheSpec() {
        SAMPLES.forEach((option, sample) -> {
            DigitTrainer.Builder without = DigitTrainer.builder();
            DigitTrainer.Builder with = DigitTrainer.builder();
            sample.needs().forEach((o, v) -> {
                without.set(o, v);
                with.set(o, v);
            });
            with.set(option, sample.value());
            TrainingSpec a = without.build().spec();
            TrainingSpec b = with.build().spec();
            assertNotEquals(a, b, option.flag() + " " + sample.value() + " changed nothing in the spec");
            // model.json's training (and, for RUN, the checkpoints' fingerprint) under the option's own name
            Map<String, Object> recorded = TrainOption.recorded(b);
            if (option.recorded() == Setting.Recorded.NO) {
                assertFalse(recorded.containsKey(option.key()), option.flag() + " is not recorded");
            } else {
                assertTrue(recorded.containsKey(option.key()), option.flag() + " is recorded: " + recorded.keySet());
                assertNotEquals(TrainOption.recorded(a).get(option.key()), recorded.get(option.key()),
                        option.flag() + " " + sample.value() + " is recorded as it was set");
            }
            // the log's options line names it exactly when it is recorded, and trains the same run again
            List<String> changed = List.of(TrainOption.changed(b).split(" "));
            assertEquals(option.recorded() != Setting.Recorded.NO, changed.contains(option.flag()),
                    option.flag() + " in the options line: " + changed);
            assertFalse(List.of(TrainOption.changed(a).split(" ")).contains(option.flag()), "not set: " + option.flag());
            assertEquals(TrainOption.recorded(b), TrainOption.recorded(fromLine(TrainOption.changed(b))),
                    "the options line of " + option.flag() + " " + sample.value() + ": " + TrainOption.changed(b));
            assertEquals(option.recorded() == Setting.Recorded.MODEL, TrainOption.outsideFingerprint()
                    .contains(option.key()), option.flag() + " in the fingerprint exactly when RUN");
            if (option == TrainOption.DATA || option == TrainOption.HOLDOUT) {
                return;   // given (not from a defaults file), these also drop the default test file
            }
            // and the same value through the command line's path and the defaults file's path make the same spec
            TrainingSpec fromDefaults = DigitTrainer.builder().defaults(withNeeds(option, sample), "test").build().spec();
            assertEquals(b, fromDefaults, option.flag() + " from a defaults file");
        });
    }

    @Test
    void theDefaultsChangeNothing() {
        assertEquals("", TrainOption.changed(DigitTrainer.builder().build().spec()));
    }

    @Test
    void ownDataKeepsItsTestFileInTheLineAndPathsWithSpacesAreQuoted() {
        // the default test file goes with the default data only: given --data, the line must name it to train again
        TrainingSpec s = DigitTrainer.builder().data("x.csv").test("data/mnist_test.csv").build().spec();
        assertEquals("--data x.csv --test data/mnist_test.csv", TrainOption.changed(s));
        assertEquals(TrainOption.recorded(s), TrainOption.recorded(fromLine(TrainOption.changed(s))));
        assertEquals("--data x.csv", TrainOption.changed(DigitTrainer.builder().data("x.csv").build().spec()));
        assertEquals("--data 'my digits.csv'",
                TrainOption.changed(DigitTrainer.builder().data("my digits.csv").build().spec()));
    }

    /** The spec of a command line such as {@code --hidden 11 --augment-on-the-fly}. */
    private static TrainingSpec fromLine(String line) {
        DigitTrainer.Builder b = DigitTrainer.builder();
        String[] words = line.isEmpty() ? new String[0] : line.split(" ");
        for (int i = 0; i < words.length; i++) {
            TrainOption o = TrainOption.byKey(words[i]);
            assertNotNull(o, words[i]);
            b.set(o, o.kind() == Setting.Kind.FLAG ? "true" : words[++i]);
        }
        return b.build().spec();
    }

    /**
     * Of two wrong values, the one the command line always checked first is named, whichever was set first (each
     * case's first option is the one named).
     */
    @Test
    void ofTwoWrongValuesTheFirstCheckedIsNamed() {
        String[][] cases = {
                {"--hidden", "5000", "--optimizer", "lbfgs", "--batch-size", "10"},
                {"--lr", "0", "--rotation", "5"},
                {"--early-stopping", "2", "--epochs", "3"},
                {"--checkpoint-every", "5", "--partitions", "0"}};
        for (String[] c : cases) {
            DigitTrainer.Builder b = DigitTrainer.builder();
            for (int i = c.length - 2; i >= 0; i -= 2) {
                b.set(TrainOption.byKey(c[i]), c[i + 1]);
            }
            String m = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, b::build).getMessage();
            assertTrue(m.startsWith(c[0]) || m.contains(c[0] + " "), String.join(" ", c) + ": " + m);
        }
    }

    /** And every option is one of the command line's, shown by {@code train --help}. */
    @Test
    void everyOptionIsOnTheCommandLine() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, org.sparkdigits.cli.Main.run(new String[] {"train", "--help"}, print, print));
        String help = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        for (TrainOption o : TrainOption.values()) {
            assertTrue(help.contains(o.flag()), o.flag() + " in train --help");
        }
    }

    private static Map<String, String> withNeeds(TrainOption option, Sample sample) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        sample.needs().forEach((o, v) -> m.put(o.key(), v));
        m.put(option.key(), sample.value());
        return m;
    }
}
