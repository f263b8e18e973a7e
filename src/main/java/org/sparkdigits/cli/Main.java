package org.sparkdigits.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.sparkdigits.checkpoint.YarnAttempt;
import org.sparkdigits.download.MnistDownloader;
import org.sparkdigits.io.Echo;
import org.sparkdigits.io.InputException;

import picocli.CommandLine;

/**
 * The command line: {@code train}, {@code evaluate}, {@code predict}, {@code gradcheck}, {@code download}, {@code bench},
 * {@code export}, {@code report}, {@code augment}, one picocli {@code @Command} each, every one mapping its options to
 * the library and printing. Launched by {@code submit.sh} through spark-submit. Only {@link #main} exits; {@link #run}
 * returns the exit code: 0 success, 1 failure, 2 bad input or usage.
 */
public final class Main {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    /**
     * The first argument of a check of the command line alone, before Spark: {@code submit.sh} runs
     * {@code Main --check-only COMMAND ARGS...} in a plain JVM first, so usage, help, the version and option errors
     * answer at once instead of after Spark's start.
     */
    static final String CHECK_ONLY = "--check-only";
    /** The exit code of {@link #CHECK_ONLY} when it answered (usage, --help, --version): nothing is left to run. */
    static final int ANSWERED = 3;

    private static final String HINT = "run ./submit.sh without arguments for usage";
    /** What to do when MNIST cannot be downloaded (offline, or every mirror failing): the end of that error line. */
    static final String DOWNLOAD_HINT = "; to get MNIST without these mirrors: give --mirror URL (a folder serving the "
            + "four IDX files train-images-idx3-ubyte.gz ...; the option may repeat), or run ./submit.sh download --mirror "
            + "URL, or train on files you have with --data FILE --test FILE";
    /** The defaults of the command being run (a defaults file over the built-in ones). */
    private static DefaultValues current = DefaultValues.builtIn();

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(CHECK_ONLY)) {
            System.exit(check(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        int code = run(args, System.out, System.err);
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        if (YarnAttempt.ofThisDriver().isPresent()) {
            // the driver inside YARN's ApplicationMaster (cluster deploy mode): the ApplicationMaster reports the final
            // status when main returns or throws; an exit before it would be reported as a failure (and retried)
            if (code != 0) {
                throw new IllegalStateException("spark-digits " + (args.length > 0 ? args[0] : "") + " failed (exit code "
                        + code + "): the driver's log above says why");
            }
            return;
        }
        System.exit(code);
    }

    /** The commands, in the order usage lists them. */
    private static List<CliCommand> commands() {
        return List.of(new TrainCommand(), new EvaluateCommand(), new PredictCommand(), new GradcheckCommand(),
                new DownloadCommand(), new BenchCommand(), new ExportCommand(), new ReportCommand(), new AugmentCommand());
    }

    /** The command tree with its defaults, converters and settings. */
    static CommandLine commandLine(DefaultValues defaults) {
        CommandLine root = new CommandLine(new Root());
        for (CliCommand c : commands()) {
            root.addSubcommand(c);
            c.declareOptions(root.getSubcommands().get(c.getClass().getAnnotation(CommandLine.Command.class).name())
                    .getCommandSpec());
        }
        root.registerConverter(Integer.class, v -> integer(v));
        root.registerConverter(int.class, v -> integer(v));
        root.registerConverter(Long.class, v -> whole(v));
        root.registerConverter(long.class, v -> whole(v));
        root.registerConverter(Double.class, v -> number(v));
        root.registerConverter(double.class, v -> number(v));
        root.setOverwrittenOptionsAllowed(true);   // refused with our own message (refuseRepeats)
        root.setDefaultValueProvider(defaults);
        root.setCaseInsensitiveEnumValuesAllowed(true);
        root.setUsageHelpWidth(110);
        HelpLayout.install(root);
        return root;
    }

    /** Runs a command; a Spark session is created only if there is none already (tests share one). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        try {
            return dispatch(args, out, verbose);
        } catch (UsageException e) {
            err.println("error: " + Echo.line(e.getMessage()));
            err.println(HINT);
            return BAD_INPUT;
        } catch (Exception | Error e) { // Spark's SparkException is checked but undeclared
            return failure(e, err, verbose);
        }
    }

    /** The version, the usage, or the command {@code args} name, run: its exit code. */
    private static int dispatch(String[] args, PrintStream out, boolean verbose) throws Exception {
        if (args.length > 0 && args[0].equals("--version")) {
            out.println(version());
            return OK;
        }
        if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
            // the usage always prints: with a defaults file that cannot be used, the built-in defaults
            DefaultValues shown;
            try {
                shown = defaultsFrom(args);
                shown.checkKeys(optionKeys(commandLine(shown)));
            } catch (UsageException e) {
                shown = DefaultValues.builtIn();
            }
            current = shown;
            out.print(usage(commandLine(shown)));
            return OK;
        }
        current = defaultsFrom(args);
        CommandLine root = commandLine(current);
        current.checkKeys(optionKeys(root));
        quietSpark(verbose);
        CommandLine.ParseResult parsed = parse(root, args);
        CommandLine sub = parsed.subcommand().commandSpec().commandLine();
        if (sub.isUsageHelpRequested()) {
            sub.usage(out);
            return OK;
        }
        CliCommand command = sub.getCommand();
        command.out = out;
        return command.call();
    }

    /**
     * What a command's failure prints, one line (the stack trace with {@code --verbose}), and its exit code: bad input
     * (an {@link InputException}, also as the cause of Spark's) is {@value #BAD_INPUT}, anything else {@value #FAILED}.
     */
    private static int failure(Throwable e, PrintStream err, boolean verbose) {
        if (e instanceof MnistDownloader.DownloadException d) {
            // offline or every mirror failing: the line ends with what to do (not for a write that failed)
            String m = String.valueOf(d.getMessage());
            err.println("error: " + Echo.line(m) + (m.startsWith("could not download") ? DOWNLOAD_HINT : ""));
            return FAILED;
        }
        InputException input = e instanceof InputException i ? i : findInput(e);
        if (input != null) {
            err.println("error: " + Echo.line(input.getMessage()));
            if (verbose) {
                e.printStackTrace(err);
            }
            return BAD_INPUT;
        }
        err.println("error: " + Echo.line(oneLine(e)));
        if (verbose) {
            e.printStackTrace(err);
        } else {
            err.println("(run again with --verbose for the stack trace)");
        }
        return FAILED;
    }

    /**
     * What {@link #run} does before it needs Spark, in a JVM that loads none of Spark's classes: the usage, a command's
     * --help or the version is printed ({@link #ANSWERED}); a usage error is printed as {@code run} prints it
     * ({@link #BAD_INPUT}); a command line that {@code run} would take returns {@link #OK} and prints nothing. Anything
     * else is left for {@code run} to report (OK too), so a valid command line runs exactly as without the check.
     */
    static int check(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length > 0 && args[0].equals("--version")
                    || args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
                int code = run(args, out, err);
                return code == OK ? ANSWERED : code;
            }
            current = defaultsFrom(args);
            CommandLine root = commandLine(current);
            current.checkKeys(optionKeys(root));
            CommandLine sub = parse(root, args).subcommand().commandSpec().commandLine();
            if (sub.isUsageHelpRequested()) {
                sub.usage(out);
                return ANSWERED;
            }
            ((CliCommand) sub.getCommand()).check();
            return OK;
        } catch (UsageException e) {
            err.println("error: " + Echo.line(e.getMessage()));
            err.println(HINT);
            return BAD_INPUT;
        } catch (Exception | Error e) {
            return OK;   // the run reports it, with --verbose's stack trace
        }
    }

    /** Parses {@code args}, turning picocli's errors into the command line's own one-line messages. */
    private static CommandLine.ParseResult parse(CommandLine root, String[] args) {
        CommandLine sub = root.getSubcommands().get(args[0]);
        if (sub == null) {
            throw new UsageException("unknown command '" + Echo.value(args[0]) + "'; commands: "
                    + String.join(", ", root.getSubcommands().keySet()) + suggestion(root.getSubcommands().keySet(), args[0]));
        }
        refuseRepeats(sub.getCommandSpec(), Arrays.copyOfRange(args, 1, args.length));
        try {
            CommandLine.ParseResult r = root.parseArgs(args);
            if (!r.hasSubcommand()) {
                throw new UsageException("no command given");
            }
            return r;
        } catch (CommandLine.UnmatchedArgumentException e) {
            String first = e.getUnmatched().get(0);
            if (!first.startsWith("-")) {
                throw new UsageException("unexpected argument '" + Echo.value(first) + "' (options start with --)");
            }
            String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
            List<String> suggestions = e.getSuggestions();
            throw new UsageException("unknown option " + Echo.value(name) + " for " + args[0]
                    + (suggestions.isEmpty() ? "" : "; did you mean " + suggestions.get(0) + "?"));   // HINT follows
        } catch (CommandLine.MissingParameterException e) {
            CommandLine.Model.ArgSpec a = e.getMissing().get(0);
            String flag = a instanceof CommandLine.Model.OptionSpec o ? o.longestName() : a.paramLabel();
            throw new UsageException(flag + " needs a value (" + a.paramLabel() + ")");
        } catch (CommandLine.ParameterException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof CommandLine.TypeConversionException || t instanceof IllegalArgumentException) {
                    String m = t.getMessage();
                    String flag = e.getArgSpec() instanceof CommandLine.Model.OptionSpec o ? o.longestName() : "";
                    throw new UsageException(m.startsWith("--") ? m : flag + " " + m);
                }
            }
            throw new UsageException(e.getMessage());
        }
    }

    /** "--hidden given twice (10 and 20)": an option of {@code spec} written twice (only --mirror may repeat). */
    private static void refuseRepeats(CommandLine.Model.CommandSpec spec, String[] args) {
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                continue;
            }
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            CommandLine.Model.OptionSpec o = spec.findOption(name);
            if (o == null || name.equals("--mirror")) {
                continue;
            }
            boolean flag = o.arity().max() == 0;
            String value = flag ? "" : a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length ? args[i + 1] : "";
            if (seen.containsKey(name)) {
                throw new UsageException(name + " given twice" + (flag ? "" : " (" + Echo.value(seen.get(name)) + " and "
                        + Echo.value(value) + ")") + ": give it once");
            }
            seen.put(name, value);
            if (!flag && !a.contains("=")) {
                i++;
            }
        }
    }

    private static String suggestion(Set<String> names, String typed) {
        for (String n : names) {
            if (n.length() > 2 && (n.startsWith(typed.substring(0, Math.min(2, typed.length()))) && Math.abs(n.length()
                    - typed.length()) <= 2)) {
                return "; did you mean " + n + "?";
            }
        }
        return "";
    }

    /** The value of {@code parser}, or a usage error (exit 2) with its message. */
    static <T> T usage(Supplier<T> parser) {
        return usage(parser, "");
    }

    /** The same with {@code prefix} before the message ("--init: unknown init 'x' ..."). */
    static <T> T usage(Supplier<T> parser, String prefix) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(prefix + e.getMessage());
        }
    }

    /** The defaults the command being run sees. */
    static DefaultValues defaults() {
        return current;
    }

    /** {@code --defaults FILE} from the raw arguments (the file decides the defaults the parser applies). */
    private static DefaultValues defaultsFrom(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--defaults") && i + 1 < args.length) {
                return DefaultValues.of(Path.of(args[i + 1]));
            }
            if (args[i].startsWith("--defaults=")) {
                return DefaultValues.of(Path.of(args[i].substring("--defaults=".length())));
            }
        }
        return DefaultValues.builtIn();
    }

    private static Set<String> optionKeys(CommandLine root) {
        Set<String> keys = new HashSet<>();
        for (CommandLine c : root.getSubcommands().values()) {
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                if (o.arity().max() > 0) {   // a flag is no default: --resume or --verbose belong on the command line
                    keys.add(o.longestName().substring(2));
                }
            }
        }
        return keys;
    }

    /** Every command and option with its default, as {@code ./submit.sh} alone prints them. */
    static String usage(CommandLine root) {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: ./submit.sh COMMAND [spark-submit options] [options]\n");
        sb.append("       ./submit.sh COMMAND --help     one command's options\n\n");
        sb.append("Trains a 784-H-10 ReLU/softmax network on MNIST-style digits on Apache Spark (").append(version())
                .append(").\n\ncommands:\n");
        Map<String, CommandLine> subs = root.getSubcommands();
        subs.forEach((name, c) -> sb.append(String.format(Locale.ROOT, "  %-10s %s%n", name,
                c.getCommandSpec().usageMessage().description()[0])));
        // each command's options as its --help lists them
        subs.forEach((name, c) -> sb.append("\n").append(name).append(" options:\n")
                .append(HelpLayout.optionList(c.getCommandSpec())));
        sb.append("\nspark-submit options pass through (--master [default local[*]], --conf K=V, --driver-memory, ...).\n");
        sb.append("Exit codes: 0 success, 1 failure (or gradcheck above tolerance), 2 bad input or usage.\n");
        return sb.toString();
    }

    /** "spark-digits 0.1.0 (Spark 4.2.0, Scala 2.13, Java 17)". */
    static String version() {
        String v = "unknown";
        try (InputStream in = Main.class.getResourceAsStream("/spark-digits.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                v = p.getProperty("version", v);
            }
        } catch (IOException e) {
            // the version stays unknown
        }
        return "spark-digits " + v + " (Spark " + sparkVersion() + ", Scala "
                + scala.util.Properties.versionNumberString() + ", Java " + System.getProperty("java.version") + ")";
    }

    /** Spark's version from its build information (the file {@code org.apache.spark.package} reads), loading no Spark class. */
    private static String sparkVersion() {
        try (InputStream in = Main.class.getClassLoader().getResourceAsStream("spark-version-info.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) {
                    return v.trim();
                }
            }
        } catch (IOException e) {
            // Spark's own answer below
        }
        return org.apache.spark.package$.MODULE$.SPARK_VERSION();
    }

    /**
     * The Hadoop configuration for checks made before Spark starts: the running session's, or one with the
     * {@code spark.hadoop.*} settings that spark-submit was given (as Spark itself would build it).
     */
    static Configuration hadoopConf() {
        if (SparkSession.getDefaultSession().isDefined()) {
            return SparkSession.getDefaultSession().get().sparkContext().hadoopConfiguration();
        }
        Configuration conf = new Configuration();
        for (scala.Tuple2<String, String> kv : new SparkConf().getAll()) {
            if (kv._1().startsWith("spark.hadoop.")) {
                conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
            }
        }
        return conf;
    }

    /** The Spark session: the running one, or a new one (local[*] unless spark-submit said otherwise). */
    static SparkSession spark() {
        if (SparkSession.getDefaultSession().isDefined()) {
            return SparkSession.getDefaultSession().get();
        }
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        MasterProbe.check(conf.get("spark.master"));
        conf.setIfMissing("spark.app.name", "spark-digits");
        // Our cached values are blocks of up to 65 536 rows (tens of MB each). Java serialization keeps every object
        // of a stream reachable until the stream is reset (every 100 objects by default): a spilled partition read
        // back from disk would stay whole in the heap while its blocks are used one by one. Reset after each block.
        conf.setIfMissing("spark.serializer.objectStreamReset", "1");
        // And when Spark reads a spilled partition back into free memory, it must check that memory after each block,
        // not after 16 (its default, meant for small records: 16 of our blocks can be 1.4 GB).
        conf.setIfMissing("spark.storage.unrollMemoryCheckPeriod", "1");
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** Spark's task-failure stack traces are noise when we report the failure ourselves; --verbose keeps them. */
    private static void quietSpark(boolean verbose) {
        Level level = verbose ? Level.WARN : Level.OFF;
        Configurator.setLevel("org.apache.spark.executor.Executor", level);
        Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", level);
        if (verbose) {
            Configurator.setLevel("org.apache.spark", Level.WARN);
        }
    }

    private static InputException findInput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InputException ie) {
                return ie;
            }
        }
        return null;
    }

    private static String oneLine(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("stopped SparkContext")) {
                return "the Spark application stopped (the master " + new SparkConf().get("spark.master", "?")
                        + " gave up on it or was lost; run again with --verbose for Spark's log)";
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        m = m.split("\n")[0];
        if (root != e && root.getMessage() != null) {
            m += " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage().split("\n")[0] + ")";
        }
        return m;
    }

    private static int integer(String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("must be a whole number, got '" + Echo.value(v) + "'");
        }
    }

    private static long whole(String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("must be a whole number, got '" + Echo.value(v) + "'");
        }
    }

    private static double number(String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("must be a number, got '" + Echo.value(v) + "'");
        }
    }

    /** The root of the command tree (its commands are added by {@link #commandLine}). */
    @CommandLine.Command(name = "./submit.sh", description = "Trains a 784-H-10 digit network on Apache Spark.")
    static final class Root {
    }
}
