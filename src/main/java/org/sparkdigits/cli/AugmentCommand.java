package org.sparkdigits.cli;

import java.util.List;
import java.util.Locale;

import org.sparkdigits.TrainOption;
import org.sparkdigits.io.Echo;
import org.sparkdigits.spark.Augmentation;
import org.sparkdigits.train.TrainingSpec;

import picocli.CommandLine;

/** {@code augment}: a larger training set of distorted digits, written by a Spark job ({@link Augmentation}). */
@CommandLine.Command(name = "augment", description = "write distorted variants (affine and elastic) of every row: a larger "
        + "training set, as Parquet or CSV")
final class AugmentCommand extends CliCommand {

    @CommandLine.Option(names = "--data", paramLabel = "PATH", description = "labelled digits (any format, detected)")
    String data;

    @CommandLine.Option(names = "--out", paramLabel = "DIR", description = "the directory to write (it must not exist)")
    String target;

    @CommandLine.Option(names = "--copies", paramLabel = "K", defaultValue = "1", description = "distorted variants written "
            + "per input row [default: ${DEFAULT-VALUE}]")
    int copies;

    @CommandLine.Option(names = "--no-original", description = "write only the variants, not the input rows")
    boolean noOriginal;

    @CommandLine.Option(names = "--format", paramLabel = "parquet|csv", defaultValue = "parquet", description = "the OUTPUT "
            + "format: parquet (label tinyint, pixels binary: 785 bytes a row) or csv (headerless lines) "
            + "[default: ${DEFAULT-VALUE}]")
    String format;

    @CommandLine.Option(names = "--files", paramLabel = "N", defaultValue = "0", description = "output files (0: one per "
            + "250 000 rows) [default: ${DEFAULT-VALUE}]")
    int files;

    @CommandLine.Option(names = "--preview", paramLabel = "PNG", description = "also write a grid of 8 input digits beside 8 "
            + "variants each")
    String preview;

    @Override
    void declareOptions(CommandLine.Model.CommandSpec spec) {
        SharedOptions.mixin(spec, "distortions", SharedOptions.DISTORTIONS);
        SharedOptions.declare(spec, List.of(TrainOption.SEED, TrainOption.PARTITIONS, TrainOption.ON_BAD_ROW));
    }

    @Override
    public Integer call() {
        if (target == null) {
            throw new UsageException("augment needs --out DIR (the directory to write)");
        }
        String f = format.trim().toLowerCase(Locale.ROOT);
        if (!f.equals("parquet") && !f.equals("csv")) {
            throw new UsageException("--format must be parquet or csv, got '" + Echo.value(format) + "'");
        }
        // the distortions are those train --augment-on-the-fly would draw with the same options
        TrainingSpec settings = Main.usage(builder().augmentOnTheFly(true)::build).spec();
        Augmentation.Variants variants = Main.usage(() -> new Augmentation.Variants(copies, !noOriginal,
                settings.augment().distortion()));
        Augmentation.Job job = Main.usage(() -> new Augmentation.Job(need(data, "--data", "PATH"),
                need(target, "--out", "DIR"), preview, variants, f.equals("csv"), files, settings.data().partitions(),
                settings.loop().seed(), settings.data().onBadRow()));
        Main.usage(() -> {
            Augmentation.checkOutputs(job, Main.hadoopConf());
            return job;
        });
        Augmentation.Written w = Augmentation.run(Main.spark(), job);
        out.printf(Locale.ROOT, "wrote %d rows (%d inputs x %d) to %s as %s in %.1f s: %.0f images/s%n", w.rows(), w.inputs(),
                w.perRow(), target, job.csv() ? "CSV" : "Parquet", w.seconds(), w.rows() / w.seconds());
        if (preview != null) {
            out.println("preview written to " + preview);
        }
        return Main.OK;
    }
}
