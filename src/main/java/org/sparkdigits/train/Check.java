package org.sparkdigits.train;

import org.sparkdigits.io.Echo;

/**
 * The checks of option values, each with the message the command line prints, naming the option: {@code --hidden
 * must be between 1 and 4096, got 0}, {@code --momentum must be in [0, 1), got 1}, {@code --lr must be a whole
 * number, got 'x'}. Every spec record validates its fields with these; the builder and the CLI share them.
 */
public final class Check {

    private Check() {
    }

    /** {@code value} in {@code [min, max]}. */
    public static int between(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", got " + value);
        }
        return (int) value;
    }

    /** A finite number {@code > 0}. */
    public static double positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + " must be a positive number, got " + format(value));
        }
        return value;
    }

    /** A finite number in a range such as {@code [0, 1)}. */
    public static double in(String option, double value, double min, boolean minInclusive, double max, boolean maxInclusive) {
        boolean ok = Double.isFinite(value) && (minInclusive ? value >= min : value > min)
                && (maxInclusive ? value <= max : value < max);
        if (!ok) {
            throw new IllegalArgumentException(option + " must be in " + (minInclusive ? "[" : "(") + format(min) + ", "
                    + format(max) + (maxInclusive ? "]" : ")") + ", got " + format(value));
        }
        return value;
    }

    /** A whole number written in {@code text}. */
    public static long wholeNumber(String option, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + Echo.value(text) + "'");
        }
    }

    /** A whole number written in {@code text} that fits an {@code int}. */
    public static int integer(String option, String text) {
        long n = wholeNumber(option, text);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + Echo.value(text) + "'");
        }
        return (int) n;
    }

    /** {@code true} or {@code false} written in {@code text}. */
    public static boolean flag(String option, String text) {
        String v = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(option + " is a flag: true or false, got '" + Echo.value(text) + "'");
        }
        return v.equals("true");
    }

    /** A number written in {@code text}. */
    public static double number(String option, String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, got '" + Echo.value(text) + "'");
        }
    }

    /** A value that is not blank. */
    public static String text(String option, String value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value (" + what + ")");
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(option + " is empty: give " + what);
        }
        return value;
    }

    /** {@code 1} for 1.0, {@code 0.05}, {@code inf}: as the user would have typed it. */
    public static String format(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return String.valueOf((long) d);
        }
        return String.valueOf(d);
    }
}
