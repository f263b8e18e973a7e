package org.sparkdigits.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.sparkdigits.io.Echo;
import org.sparkdigits.io.InputException;
import org.sparkdigits.download.MnistDownloader;

/**
 * The application: {@code train}, {@code evaluate}, {@code predict}, {@code gradcheck}, {@code download}.
 * Launched by {@code submit.sh} through spark-submit. Only {@link #main} exits; {@link #run} returns
 * the exit code: 0 success, 1 failure, 2 bad input or usage.
 */
public final class Main {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        System.exit(code);
    }

    /** Runs a command; a Spark session is created only if there is none already (tests share one). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
            out.print(Args.usage(defaultsFrom(args)));
            return OK;
        }
        quietSpark(verbose);
        try {
            Opt.Cmd cmd = Args.command(args[0]);
            Args a = Args.parse(cmd, Arrays.copyOfRange(args, 1, args.length));
            switch (cmd) {
                case GRADCHECK:
                    return GradcheckCommand.run(a, out);
                case DOWNLOAD:
                    new MnistDownloader(mirrors(a)).download(Path.of(a.required(Opt.DIR)));
                    out.println("MNIST written to " + a.required(Opt.DIR));
                    return OK;
                case TRAIN:
                    TrainConfig cfg = TrainConfig.from(a);
                    TrainCommand.prepare(cfg, hadoopConf());
                    return TrainCommand.run(cfg, spark(), out);
                case EVALUATE:
                    return EvaluateCommand.run(a, spark(), out);
                case PREDICT:
                    if (a.given(Opt.IMAGE)) {
                        return ImagePredictCommand.run(a, out);
                    }
                    PredictCommand.check(a, hadoopConf());
                    return PredictCommand.run(a, spark(), out);
                case BENCH:
                    BenchCommand.check(a, hadoopConf());
                    return BenchCommand.run(a, spark(), out);
                case EXPORT:
                    return ExportCommand.run(a, out);
                case REPORT:
                    return ReportCommand.run(a, spark(), out);
                case AUGMENT:
                    AugmentCommand.checkOutputs(a, hadoopConf());
                    return AugmentCommand.run(a, spark(), out);
                default:
                    throw new IllegalStateException(cmd.name());
            }
        } catch (UsageException e) {
            err.println("error: " + Echo.line(e.getMessage()));
            err.println("run ./submit.sh without arguments for usage");
            return BAD_INPUT;
        } catch (InputException e) {
            err.println("error: " + Echo.line(e.getMessage()));
            if (verbose) {
                e.printStackTrace(err);
            }
            return BAD_INPUT;
        } catch (MnistDownloader.DownloadException e) {
            err.println("error: " + Echo.line(e.getMessage()));
            return FAILED;
        } catch (Exception | Error e) { // Spark's SparkException is checked but undeclared
            InputException input = findInput(e);
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
    }

    /** {@code --mirror} (comma-separated, repeatable), else the built-in list. */
    static List<String> mirrors(Args a) {
        String m = a.string(Opt.MIRROR);
        return m == null ? MnistDownloader.DEFAULT_MIRRORS
                : Arrays.stream(m.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
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

    private static SparkSession spark() {
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

    private static java.util.Map<Opt, String> defaultsFrom(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--defaults")) {
                try {
                    return Args.readDefaults(Path.of(args[i + 1]));
                } catch (UsageException e) {
                    return java.util.Map.of();
                }
            }
        }
        return java.util.Map.of();
    }
}
