package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    void parquetTrainsExactlyAsTheSameRowsInCsv() throws IOException {
        var spark = SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("rows.csv"), 120, 21, true);
        for (String format : List.of("csv", "parquet")) {
            CliRun a = CliRun.of("augment", "--data", data.toString(), "--copies", "1", "--seed", "4", "--format", format,
                    "--out", dir.resolve("aug-" + format).toString());
            assertEquals(0, a.code(), a.err());
            CliRun t = CliRun.of("train", "--data", dir.resolve("aug-" + format).toString(), "--iterations", "8",
                    "--partitions", "3", "--log-every", "4", "--out", dir.resolve("model-" + format).toString());
            assertEquals(0, t.code(), t.err());
            assertTrue(t.out().contains("(240 rows)"), t.out());
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("model-csv/model.safetensors")),
                Files.readAllBytes(dir.resolve("model-parquet/model.safetensors")), "the same rows, the same blocks, the same model");

        // bad Parquet: a label out of range, a short pixels value, a wrong schema
        Dataset<Row> good = spark.read().parquet(dir.resolve("aug-parquet").toString());
        Path badLabel = dir.resolve("bad-label");
        good.withColumn("label", org.apache.spark.sql.functions.lit((byte) 12)).write().parquet(badLabel.toString());
        Path shortPixels = dir.resolve("short-pixels");
        good.withColumn("pixels", org.apache.spark.sql.functions.lit(new byte[5])).write().parquet(shortPixels.toString());
        Path noPixels = dir.resolve("no-pixels");
        good.select("label").write().parquet(noPixels.toString());
        String[][] cases = {{badLabel.toString(), ": record 1: label 12 is not 0-9"},
                {shortPixels.toString(), ": record 1: 5 pixel bytes (784 expected)"},
                {noPixels.toString(), "Parquet input needs a pixels column (binary, 784 bytes)"}};
        for (String[] c : cases) {
            CliRun r = CliRun.of("train", "--data", c[0], "--iterations", "2", "--out", dir.resolve("never").toString());
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[1]) && r.err().contains(Path.of(c[0]).getFileName().toString()), r.err());
            assertFalse(Files.exists(dir.resolve("never")));
        }
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
