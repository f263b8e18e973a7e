package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/** {@code augment}: deterministic whatever the partitioning, Parquet and CSV output, a preview, and training on it. */
class AugmentTest {

    @TempDir
    Path dir;

    @Test
    void theOutputDoesNotDependOnThePartitioningAndTrainsAModel() throws IOException {
        var spark = SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("digits.csv"), 150, 12, true);
        for (String p : List.of("1", "4")) {
            CliRun r = CliRun.of("augment", "--data", data.toString(), "--copies", "2", "--format", "csv", "--files", "2",
                    "--partitions", p, "--seed", "9", "--out", dir.resolve("csv-" + p).toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("wrote 450 rows (150 inputs x 3)"), r.out());
        }
        assertEquals(contents(dir.resolve("csv-1")), contents(dir.resolve("csv-4")), "1 and 4 partitions: the same files");
        CliRun other = CliRun.of("augment", "--data", data.toString(), "--copies", "2", "--format", "csv", "--files", "2",
                "--partitions", "4", "--seed", "10", "--out", dir.resolve("csv-seed10").toString());
        assertEquals(0, other.code(), other.err());
        assertFalse(contents(dir.resolve("csv-4")).equals(contents(dir.resolve("csv-seed10"))), "another seed, other variants");

        // Parquet: a label and a 784-byte pixel column; the originals are among the rows
        Path preview = dir.resolve("preview.png");
        CliRun pq = CliRun.of("augment", "--data", data.toString(), "--copies", "3", "--out", dir.resolve("pq").toString(),
                "--preview", preview.toString());
        assertEquals(0, pq.code(), pq.err());
        Dataset<Row> frame = spark.read().parquet(dir.resolve("pq").toString());
        assertEquals(List.of("label", "pixels"), List.of(frame.columns()));
        assertEquals(600, frame.count());
        assertEquals(784, ((byte[]) frame.first().getAs("pixels")).length);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(preview.toFile());
        assertEquals(9 * 28 * 3, img.getWidth());
        assertEquals(8 * 28 * 3, img.getHeight());

        // the CSV output is training data as it is
        CliRun train = CliRun.of("train", "--data", dir.resolve("csv-4").toString(), "--iterations", "5", "--log-every", "5",
                "--out", dir.resolve("model").toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("(450 rows)"), train.out());
    }

    @Test
    void badUsageIsRefused() throws IOException {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("d.csv"), 20, 3, true);
        Path exists = Files.createDirectories(dir.resolve("exists"));
        String[][] cases = {
                {"augment", "--data", data.toString()},
                {"augment", "--data", data.toString(), "--out", dir.resolve("x").toString(), "--copies", "0", "--no-original"},
                {"augment", "--data", data.toString(), "--out", dir.resolve("x").toString(), "--format", "json"},
                {"augment", "--data", data.toString(), "--out", dir.resolve("x").toString(), "--rotation", "500"},
                {"augment", "--data", data.toString(), "--out", exists.toString()}};
        String[] messages = {"augment needs --out DIR", "--copies 0 with --no-original would write nothing",
                "--format must be parquet or csv, got 'json'", "--rotation must be", "exists: augment writes a new directory"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains(messages[i]), r.err());
        }
    }

    /** The part files' contents in part order (their names carry a random id). */
    private static List<String> contents(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().map(f -> {
                try {
                    return f.getFileName().toString().substring(0, 10) + ":" + Files.readString(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
