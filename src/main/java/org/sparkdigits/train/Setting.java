package org.sparkdigits.train;

import java.util.function.Function;

/**
 * One option of training, declared once, beside the field it sets in its spec record ({@code NetworkSpec.HIDDEN} for
 * {@code NetworkSpec.hidden}): its name ({@code --hidden} on the command line, {@code hidden} in a defaults file, the
 * builder's {@code hidden(...)}), the value's placeholder in usage, its default as written, its {@link Kind}, its help,
 * its range (the record checks its field with {@link #check(long)} or {@link #check(double)}, so the message names the
 * option), where a run records it ({@link Recorded}) and how to read it from the record. {@code TrainOption} gathers
 * them, in the command line's order; the command line, the defaults file, the builder, model.json's {@code training},
 * the checkpoints' fingerprint and docs/cli.md all come from there.
 *
 * @param <R> the spec record that holds the value
 */
public final class Setting<R> {

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

    /** The values a number may take: {@code [min, max]} for whole numbers, open or closed ends for others. */
    private record Range(double min, boolean minInclusive, double max, boolean maxInclusive, boolean whole,
                         boolean positive) {
    }

    private final String name;
    private final String label;
    private final String defaultValue;
    private final Kind kind;
    private final String help;
    private final Recorded recorded;
    private final Function<R, Object> value;
    private final Range range;

    private Setting(String name, String label, String defaultValue, Kind kind, String help, Recorded recorded,
                    Function<R, Object> value, Range range) {
        this.name = name;
        this.label = label;
        this.defaultValue = defaultValue;
        this.kind = kind;
        this.help = help;
        this.recorded = recorded;
        this.value = value;
        this.range = range;
    }

    /**
     * An option that a run does not record (add {@link #recorded} for one it does).
     *
     * @param name         the command line's name without dashes ({@code batch-size})
     * @param label        the value's placeholder in usage ({@code B}), {@code null} for a flag
     * @param defaultValue the default as written, {@code null} for none
     */
    public static <R> Setting<R> of(String name, String label, String defaultValue, Kind kind, String help) {
        return new Setting<>(name, label, defaultValue, kind, help, Recorded.NO, null, null);
    }

    /** The same, recorded as {@code recorded} says, read from its record by {@code value} ({@code null}: not applicable). */
    public Setting<R> recorded(Recorded recorded, Function<R, Object> value) {
        return new Setting<>(name, label, defaultValue, kind, help, recorded, value, range);
    }

    /** The same, for whole numbers in {@code [min, max]}. */
    public Setting<R> between(long min, long max) {
        return new Setting<>(name, label, defaultValue, kind, help, recorded, value,
                new Range(min, true, max, true, true, false));
    }

    /** The same, for finite numbers in a range such as {@code [0, 1)}. */
    public Setting<R> in(double min, boolean minInclusive, double max, boolean maxInclusive) {
        return new Setting<>(name, label, defaultValue, kind, help, recorded, value,
                new Range(min, minInclusive, max, maxInclusive, false, false));
    }

    /** The same, for finite numbers {@code > 0}. */
    public Setting<R> positive() {
        return new Setting<>(name, label, defaultValue, kind, help, recorded, value,
                new Range(0, false, Double.POSITIVE_INFINITY, false, false, true));
    }

    /** {@code v} if it is in this option's whole-number range, else an error naming the option. */
    public int check(long v) {
        if (range == null || !range.whole()) {
            throw new IllegalStateException(flag() + " has no whole-number range");
        }
        return Check.between(flag(), v, (long) range.min(), (long) range.max());
    }

    /** {@code v} if it is in this option's range, else an error naming the option. */
    public double check(double v) {
        if (range == null || range.whole()) {
            throw new IllegalStateException(flag() + " has no range of numbers");
        }
        return range.positive() ? Check.positive(flag(), v)
                : Check.in(flag(), v, range.min(), range.minInclusive(), range.max(), range.maxInclusive());
    }

    /** {@code v} if it is a value (not blank), else an error naming the option and its placeholder. */
    public String checkText(String v) {
        return Check.text(flag(), v, label);
    }

    /** The value {@code record} holds for this option as a run records it, {@code null} where it does not apply. */
    public Object valueIn(R record) {
        return value == null ? null : value.apply(record);
    }

    public String name() {
        return name;
    }

    /** {@code --name}. */
    public String flag() {
        return "--" + name;
    }

    public String label() {
        return label;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public Kind kind() {
        return kind;
    }

    public String help() {
        return help;
    }

    public Recorded recorded() {
        return recorded;
    }

    @Override
    public String toString() {
        return flag();
    }
}
