package org.sparkdigits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.sparkdigits.cli.CliRun;

/**
 * A model trained by the command line once per test JVM, for the CLI tests that need a model to read (evaluate, predict,
 * export, report and their refusals): {@code train} on the 400 rows of {@link #trainingData} (generated, with the
 * Kaggle header, gzip-compressed), tested on the 100 of {@link #testData}, 30 full-batch iterations at {@code --lr 0.5}
 * on 3 partitions, a history row every 10 iterations: a 784-10-10 network above 80% on its test rows.
 * <p>
 * Each test class takes a copy of its own ({@link #copyTo}), made with the files' attributes (their modes are the ones
 * {@code train} gave them), so whatever a test writes into its model directory (report.html, redrawn charts) no other
 * test sees. The trained original lives in a temporary folder removed when the JVM ends.
 */
public final class TrainedModel {

    /** The training command's options after its --data, --test and --out. */
    public static final List<String> OPTIONS = List.of("--iterations", "30", "--lr", "0.5", "--log-every", "10",
            "--partitions", "3");

    private static Path original;

    private TrainedModel() {
    }

    /** Writes the rows the model is trained on to {@code dir/train.csv.gz}. */
    public static Path trainingData(Path dir) throws IOException {
        return TestCsv.labelled(dir.resolve("train.csv.gz"), 400, 21, true);
    }

    /** Writes the rows the model is tested on to {@code dir/test.csv} (labelled, no header). */
    public static Path testData(Path dir) throws IOException {
        return TestCsv.labelled(dir.resolve("test.csv"), 100, 22, false);
    }

    /** A copy of the trained model directory at {@code target} (which must not exist); trains the model on first use. */
    public static Path copyTo(Path target) throws IOException {
        Path from = original();
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return target;
    }

    private static synchronized Path original() throws IOException {
        if (original == null) {
            SparkTestSession.get();
            Path dir = Files.createTempDirectory("spark-digits-trained-model-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
            Path model = dir.resolve("model");
            List<String> args = new java.util.ArrayList<>(List.of("train", "--data", trainingData(dir).toString(),
                    "--test", testData(dir).toString(), "--out", model.toString()));
            args.addAll(OPTIONS);
            CliRun r = CliRun.of(args.toArray(String[]::new));
            if (r.code() != 0) {
                throw new AssertionError("the shared model's training ended with " + r.code() + ":\n" + r.err());
            }
            original = model;
        }
        return original;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
