package org.sparkdigits.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.sparkdigits.io.Echo;

/**
 * A parsed command line: the command and the value of each option, layered as built-in default,
 * then the defaults file, then what the user typed. Typed getters validate and say exactly what is wrong.
 */
public final class Args {

    private final Opt.Cmd command;
    private final Map<Opt, String> values;
    private final Map<Opt, Boolean> given;

    private Args(Opt.Cmd command, Map<Opt, String> values, Map<Opt, Boolean> given) {
        this.command = command;
        this.values = values;
        this.given = given;
    }

    public static Opt.Cmd command(String name) {
        for (Opt.Cmd c : Opt.Cmd.values()) {
            if (c.id().equals(name)) {
                return c;
            }
        }
        throw new UsageException("unknown command '" + Echo.value(name) + "'; commands: " + String.join(", ",
                java.util.Arrays.stream(Opt.Cmd.values()).map(Opt.Cmd::id).toList()));
    }

    /** Parses {@code args} (after the command name) for {@code command}. */
    public static Args parse(Opt.Cmd command, String[] args) {
        Map<Opt, String> typed = new EnumMap<>(Opt.class);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + Echo.value(a) + "' (options start with --)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Opt o = Opt.byName(name);
            if (o == null || !o.commands.contains(command)) {
                throw new UsageException("unknown option --" + Echo.value(name) + " for " + command.id()
                        + " (run without arguments for usage)");
            }
            if (o.takesValue()) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(o.flag() + " needs a value (" + o.arg + ")");
                    }
                    value = args[++i];
                }
            } else {
                if (value != null) {
                    throw new UsageException(o.flag() + " takes no value");
                }
                value = "true";
            }
            if (o == Opt.MIRROR && typed.containsKey(o)) {
                value = typed.get(o) + "," + value;
            } else if (typed.containsKey(o)) {
                throw new UsageException(o.flag() + " given twice (" + Echo.value(typed.get(o)) + " and " + Echo.value(value)
                        + "): give it once");
            }
            typed.put(o, value);
        }
        Map<Opt, String> values = new EnumMap<>(Opt.class);
        for (Opt o : Opt.values()) {
            if (o.defaultFor(command) != null) {
                values.put(o, o.defaultFor(command));
            }
        }
        if (typed.containsKey(Opt.DEFAULTS)) {
            readDefaults(Path.of(typed.get(Opt.DEFAULTS))).forEach((o, v) -> {
                if (o.defaultFor(command) != null) {
                    values.put(o, v);
                }
            });
        }
        values.putAll(typed);
        Map<Opt, Boolean> given = new EnumMap<>(Opt.class);
        typed.keySet().forEach(o -> given.put(o, true));
        return new Args(command, values, given);
    }

    /** Reads a defaults file: {@code option-name = value} lines, for options of any command. */
    static Map<Opt, String> readDefaults(Path file) {
        Properties p = new Properties();
        if (Files.exists(file) && (!Files.isRegularFile(file) || sizeOf(file) > MAX_DEFAULTS)) {
            throw new UsageException("--defaults " + file + ": not a defaults file (" + (Files.isRegularFile(file)
                    ? "larger than " + MAX_DEFAULTS + " bytes" : "not a regular file") + ")");
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UsageException("--defaults " + file + ": cannot read (" + org.sparkdigits.io.HadoopFs.describe(e) + ")");
        }
        Map<Opt, String> out = new EnumMap<>(Opt.class);
        for (String key : p.stringPropertyNames()) {
            Opt o = Opt.byName(key.trim());
            if (o == null || !o.takesValue() || o == Opt.DEFAULTS) {
                throw new UsageException(file + ": unknown setting '" + Echo.value(key) + "'");
            }
            out.put(o, p.getProperty(key).trim());
        }
        return out;
    }

    /** A defaults file is a few lines; anything larger is not one. */
    static final long MAX_DEFAULTS = 1 << 20;

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    public Opt.Cmd command() {
        return command;
    }

    public boolean given(Opt o) {
        return given.getOrDefault(o, false);
    }

    public boolean flag(Opt o) {
        return "true".equals(values.get(o));
    }

    /** The value, or {@code null} if it has neither a default nor was given. */
    public String string(Opt o) {
        return values.get(o);
    }

    public String required(Opt o) {
        String v = values.get(o);
        if (v != null && v.isBlank()) {
            throw new UsageException(o.flag() + " is empty: give " + (o.arg == null ? "a value" : o.arg));
        }
        if (v == null) {
            throw new UsageException(command.id() + " needs " + o.flag() + " " + o.arg);
        }
        return v;
    }

    public int integer(Opt o, int min, int max) {
        String v = required(o);
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new UsageException(o.flag() + " must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(o.flag() + " must be a whole number, got '" + Echo.value(v) + "'");
        }
    }

    public long longValue(Opt o) {
        String v = required(o);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(o.flag() + " must be a whole number, got '" + Echo.value(v) + "'");
        }
    }

    /** A finite number {@code > 0}. */
    public double positive(Opt o) {
        String v = required(o);
        try {
            double d = Double.parseDouble(v.trim());
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new UsageException(o.flag() + " must be a positive number, got " + Echo.value(v));
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException(o.flag() + " must be a number, got '" + Echo.value(v) + "'");
        }
    }

    /** A finite number in a range, e.g. {@code [0, 1)}. */
    public double number(Opt o, double min, boolean minInclusive, double max, boolean maxInclusive) {
        String v = required(o);
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(o.flag() + " must be a number, got '" + Echo.value(v) + "'");
        }
        boolean ok = Double.isFinite(d) && (minInclusive ? d >= min : d > min) && (maxInclusive ? d <= max : d < max);
        if (!ok) {
            throw new UsageException(o.flag() + " must be in " + (minInclusive ? "[" : "(") + fmt(min) + ", "
                    + fmt(max) + (maxInclusive ? "]" : ")") + ", got " + Echo.value(v));
        }
        return d;
    }

    private static String fmt(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** Usage text of every command and option with its effective default. */
    public static String usage(Map<Opt, String> defaults) {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: ./submit.sh COMMAND [spark-submit options] [options]\n\n");
        sb.append("Trains a 784-H-10 ReLU/softmax network on MNIST-style CSV data on Apache Spark.\n\ncommands:\n");
        for (Opt.Cmd c : Opt.Cmd.values()) {
            sb.append(String.format("  %-10s %s%n", c.id(), c.help));
        }
        for (Opt.Cmd c : Opt.Cmd.values()) {
            sb.append("\n").append(c.id()).append(" options:\n");
            for (Opt o : Opt.values()) {
                if (!o.commands.contains(c) || o == Opt.DEFAULTS) {
                    continue;
                }
                String left = o.flag() + (o.arg == null ? "" : " " + o.arg);
                String def = o.defaultFor(c) == null ? null : defaults.getOrDefault(o, o.defaultFor(c));
                sb.append(String.format("  %-28s %s%s%n", left, o.help, def == null ? "" : " [default: " + def + "]"));
            }
        }
        sb.append("\nspark-submit options pass through (--master [default local[*]], --conf K=V, --driver-memory, ...).\n");
        sb.append("Exit codes: 0 success, 1 failure (or gradcheck above tolerance), 2 bad input or usage.\n");
        return sb.toString();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
