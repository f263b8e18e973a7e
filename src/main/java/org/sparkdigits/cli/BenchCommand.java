package org.sparkdigits.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.sparkdigits.TrainOption;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.io.Outputs;
import org.sparkdigits.spark.SpeedBench;
import org.sparkdigits.train.Check;
import org.sparkdigits.train.TrainingSpec;

import picocli.CommandLine;

/** {@code bench}: the speed figures of this machine ({@link SpeedBench}), printed and optionally written as JSON. */
@CommandLine.Command(name = "bench", description = "speed figures of this machine: load, kernels, Spark's per-step "
        + "overhead, full-batch and mini-batch steps")
final class BenchCommand extends CliCommand {

    @CommandLine.Option(names = "--data", paramLabel = "PATH", description = "labelled digits (any format)")
    String data;

    @CommandLine.Option(names = "--repeats", paramLabel = "N", defaultValue = "3", description = "loads of --data timed "
            + "[default: ${DEFAULT-VALUE}]")
    int repeats;

    @CommandLine.Option(names = "--passes", paramLabel = "N", defaultValue = "60", description = "full-batch iterations timed "
            + "at H=10 (a third of them at H=128 and on ojalgo) [default: ${DEFAULT-VALUE}]")
    int passes;

    @CommandLine.Option(names = "--steps", paramLabel = "N", defaultValue = "2000", description = "mini-batch steps timed "
            + "(B=256, H=10) [default: ${DEFAULT-VALUE}]")
    int steps;

    @CommandLine.Option(names = "--jobs", paramLabel = "N", defaultValue = "300", description = "jobs timed per figure of "
            + "Spark's overhead (after 3N warm-up jobs) [default: ${DEFAULT-VALUE}]")
    int jobs;

    @CommandLine.Option(names = "--json", paramLabel = "FILE", description = "also write the figures as one JSON object")
    String json;

    @Override
    void declareOptions(CommandLine.Model.CommandSpec spec) {
        SharedOptions.declare(spec, List.of(TrainOption.FORMAT, TrainOption.SEED, TrainOption.PARTITIONS));
    }

    @Override
    public Integer call() {
        String path = need(data, "--data", "PATH");
        TrainingSpec settings = settings();
        SpeedBench.Settings s = Main.usage(() -> new SpeedBench.Settings(path, settings.data().format(),
                Check.between("--repeats", repeats, 1, 1000), Check.between("--passes", passes, 3, 100_000),
                Check.between("--steps", steps, 10, 1_000_000), Check.between("--jobs", jobs, 1, 1_000_000),
                settings.loop().seed(), settings.data().partitions()));
        Configuration conf = Main.hadoopConf();
        if (json != null) {
            Outputs.file("--json", need(json, "--json", "FILE"), conf, InputFiles.allPaths(path, conf, "data"), null);
        }
        Map<String, Object> figures = SpeedBench.run(Main.spark(), s, settings, out);
        if (json != null) {
            AtomicFiles.writeLines(Path.of(json), List.of(SpeedBench.toJson(figures)));
            out.println("figures written to " + json);
        }
        return Main.OK;
    }
}
