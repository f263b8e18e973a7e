package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The real MNIST (from {@code -Dmnist.dir}, default ../shared/mnist; the test fails, naming the path, if
 * it is missing): training with the defaults reaches the original notebook's 88.1% test accuracy.
 */
@Tag("slow")
class MnistAccuracyTest {

    /** Test digits turned into photos for predict --image. */
    private static final int PHOTOS = 50;

    @TempDir
    Path dir;

    @Test
    void theDefaultsReachTheNotebooksAccuracyOnTheRealMnist() throws Exception {
        SparkTestSession.get();
        Path train = TestCsv.mnist("mnist_train.csv.gz");   // Kaggle layout, with a header
        Path test = TestCsv.mnist("mnist_test.csv.gz");     // no header
        Path model = dir.resolve("model");
        CliRun r = CliRun.of("train", "--data", train.toString(), "--test", test.toString(), "--out", model.toString(),
                "--defaults", "conf/train.properties", "--log-every", "100");
        assertEquals(0, r.code(), r.err());
        JsonNode metrics = new ObjectMapper().readTree(model.resolve("metrics.json").toFile());
        double accuracy = metrics.get("test_accuracy").asDouble();
        System.out.printf("real MNIST, defaults: test accuracy %.4f, %.0f ms/iteration, load %.1f s, train %.1f s%n",
                accuracy, metrics.get("ms_per_iteration").asDouble(), metrics.get("load_seconds").asDouble(),
                metrics.get("train_seconds").asDouble());
        assertEquals(500, metrics.get("iterations").asInt());
        assertEquals(60_000, metrics.get("train_rows").asInt());
        assertEquals(10_000, metrics.get("test_rows").asInt());
        assertTrue(accuracy >= 0.881, "test accuracy " + accuracy + " is below the notebook's 0.881");

        // The saved model gives the same figures when loaded again.
        CliRun eval = CliRun.of("evaluate", "--model", model.toString(), "--data", test.toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains(String.format(java.util.Locale.ROOT, "10000 rows, accuracy %.4f", accuracy)), eval.out());

        Path predictions = dir.resolve("predictions.csv");
        CliRun predict = CliRun.of("predict", "--model", model.toString(), "--data", test.toString(), "--out", predictions.toString());
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = Files.readAllLines(predictions);
        assertEquals(10_001, lines.size());
        assertEquals("1,7", lines.get(1), "the first test digit is a 7");

        // the same digits as photos: printed large, dark on light, off-centre, some as JPEG
        org.sparkdigits.core.block.DigitBlock digits = org.sparkdigits.format.InputFiles.firstRows(test.toString(), PHOTOS);
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (int i = 0; i < PHOTOS; i++) {
            byte[] px = java.util.Arrays.copyOfRange(digits.pixels(), i * 784, (i + 1) * 784);
            java.awt.image.BufferedImage photo = org.sparkdigits.image.DigitImageTest.photo(px, 7 + i % 5,
                    13 * i % (500 - 28 * (7 + i % 5)), 9 * i % (420 - 28 * (7 + i % 5)));   // on the 500 x 420 sheet
            String format = i % 3 == 0 ? "jpg" : "png";
            javax.imageio.ImageIO.write(photo, format, photos.resolve(String.format("digit-%02d.%s", i, format)).toFile());
        }
        Path strip = dir.resolve("seen.png");
        CliRun images = CliRun.of("predict", "--model", model.toString(), "--image", photos.toString(), "--show", strip.toString());
        assertEquals(0, images.code(), images.err());
        List<String> out = images.out().lines().filter(l -> l.contains("digit-")).toList();
        assertEquals(PHOTOS, out.size(), images.out());
        int sameAsRows = 0;
        int right = 0;
        for (int i = 0; i < PHOTOS; i++) {
            String line = out.get(i);
            assertTrue(line.contains(String.format("digit-%02d", i)), line);
            int predicted = Integer.parseInt(line.replaceFirst("^.*?: (\\d) \\(probability.*$", "$1"));
            sameAsRows += predicted == Integer.parseInt(lines.get(i + 1).split(",")[1]) ? 1 : 0;
            right += predicted == digits.label(i) ? 1 : 0;
        }
        System.out.printf("photographed test digits: %d of %d predicted as the CSV rows are, %d right%n", sameAsRows, PHOTOS,
                right);
        // the photo round trip (printed 7-11x larger, then found, scaled and centred again) is not exact, and
        // this H=10 model is a weak one: most, not all, must agree
        assertTrue(sameAsRows >= 0.84 * PHOTOS, sameAsRows + " of " + PHOTOS + " photos predicted as their CSV rows");
        java.awt.image.BufferedImage seen = javax.imageio.ImageIO.read(strip.toFile());
        assertEquals(PHOTOS * (28 * PredictCommand.SHOW_SCALE + PredictCommand.SHOW_GAP) - PredictCommand.SHOW_GAP, seen.getWidth());
        assertEquals(28 * PredictCommand.SHOW_SCALE, seen.getHeight());
    }

    @Test
    void aShortMiniBatchAdamRunReaches92PercentOnTheRealMnist() throws Exception {
        SparkTestSession.get();
        Path model = dir.resolve("adam");
        CliRun r = CliRun.of("train", "--data", TestCsv.mnist("mnist_train.csv.gz").toString(),
                "--test", TestCsv.mnist("mnist_test.csv.gz").toString(), "--out", model.toString(),
                "--hidden", "10", "--batch-size", "128", "--epochs", "3", "--optimizer", "adam", "--lr", "0.01",
                "--schedule", "cosine", "--warmup", "300", "--log-every", "500");
        assertEquals(0, r.code(), r.err());
        JsonNode metrics = new ObjectMapper().readTree(model.resolve("metrics.json").toFile());
        double accuracy = metrics.get("test_accuracy").asDouble();
        System.out.printf("real MNIST, mini-batch Adam, 3 epochs: test accuracy %.4f, %.1f ms/step, train %.1f s%n",
                accuracy, metrics.get("ms_per_iteration").asDouble(), metrics.get("train_seconds").asDouble());
        assertEquals(3 * 469, metrics.get("iterations").asInt());
        assertTrue(accuracy >= 0.92, "test accuracy " + accuracy + " is below 0.92");
    }

    /** The recipe for MLlib's 92.7% in seconds (docs/performance.md): 200 local SGD steps per Spark job. */
    @Test
    void localSgdStepsReachMllibsAccuracyOnTheRealMnist() throws Exception {
        SparkTestSession.get();
        Path model = dir.resolve("local-sgd");
        CliRun r = CliRun.of("train", "--data", TestCsv.mnist("mnist_train.csv.gz").toString(),
                "--test", TestCsv.mnist("mnist_test.csv.gz").toString(), "--out", model.toString(), "--partitions", "2",
                "--hidden", "10", "--batch-size", "32", "--epochs", "4", "--optimizer", "sgd", "--lr", "0.1",
                "--schedule", "cosine", "--local-steps", "200", "--log-every", "100000");
        assertEquals(0, r.code(), r.err());
        JsonNode metrics = new ObjectMapper().readTree(model.resolve("metrics.json").toFile());
        double accuracy = metrics.get("test_accuracy").asDouble();
        System.out.printf("real MNIST, local SGD (200 steps per job), 4 epochs: test accuracy %.4f, %.1f ms per round, train %.1f s%n",
                accuracy, metrics.get("ms_per_iteration").asDouble(), metrics.get("train_seconds").asDouble());
        assertEquals(4 * 1875, metrics.get("iterations").asInt());
        assertTrue(accuracy >= 0.927, "test accuracy " + accuracy + " is below MLlib's 0.927");
    }
}
