package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TestFormats;

/**
 * Ordinary paths work: every format and every command under a directory whose name has spaces, {@code %}, {@code #},
 * {@code <>}, {@code [ ]} and letters beyond ASCII (once "unexpected input file file:/.../sp%20ace/a%20b.csv"); a
 * scheme this Spark cannot read is one line naming the package that brings it.
 */
class OrdinaryPathsTest {

    @TempDir
    Path tmp;

    @Test
    void everyFormatAndCommandWorksUnderAnAwkwardDirectory() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path dir = Files.createDirectories(tmp.resolve("My Documents/100% sure #1 <new> [x] café"));
        List<String> rows = TestCsv.rows(200, 47, true);
        Path csv = TestCsv.write(dir.resolve("digits 50% #2 [a].csv"), rows);
        Path libsvm = TestCsv.write(dir.resolve("digits (svm) #3.libsvm"), TestFormats.libsvm(rows));
        Path parquet = TestFormats.parquet(spark, dir.resolve("parquet dir #4"), rows, true);
        Path idx = TestFormats.idx(dir.resolve("idx ü"), "my digits", rows, true);

        byte[] first = null;
        for (Path data : List.of(csv, libsvm, parquet, idx)) {
            Path model = dir.resolve("model of " + data.getFileName());
            CliRun t = CliRun.of("train", "--data", data.toString(), "--iterations", "10", "--partitions", "2",
                    "--out", model.toString());
            assertEquals(0, t.code(), data + "\n" + t.err());
            byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
            if (first == null) {
                first = weights;
            }
            assertArrayEquals(first, weights, "the same rows in " + data.getFileName() + " train the same model");
        }
        Path model = dir.resolve("model of " + csv.getFileName());
        for (Path data : List.of(csv, libsvm, parquet, idx)) {
            CliRun e = CliRun.of("evaluate", "--model", model.toString(), "--data", data.toString());
            assertEquals(0, e.code(), data + "\n" + e.err());
            assertTrue(e.out().contains("200 rows, accuracy"), e.out());
            Path out = dir.resolve("predictions of " + data.getFileName() + ".csv");
            CliRun p = CliRun.of("predict", "--model", model.toString(), "--data", data.toString(), "--out", out.toString());
            assertEquals(0, p.code(), data + "\n" + p.err());
            assertEquals(201, Files.readAllLines(out).size());
        }
        CliRun report = CliRun.of("report", "--model", model.toString(), "--data", parquet.toString());
        assertEquals(0, report.code(), report.err());
        assertTrue(Files.isRegularFile(model.resolve("report.html")));

        for (String format : List.of("parquet", "csv")) {
            Path out = dir.resolve("augmented " + format + " #5");
            CliRun a = CliRun.of("augment", "--data", csv.toString(), "--copies", "1", "--format", format, "--out",
                    out.toString(), "--preview", dir.resolve("preview " + format + ".png").toString());
            assertEquals(0, a.code(), a.err());
            CliRun t = CliRun.of("train", "--data", out.toString(), "--iterations", "3", "--out",
                    dir.resolve("model of augmented " + format).toString());
            assertEquals(0, t.code(), t.err());
            assertTrue(t.out().contains("(400 rows)"), t.out());
        }
        // augment's CSV files are named .csv
        try (Stream<Path> files = Files.list(dir.resolve("augmented csv #5"))) {
            List<String> parts = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("part-")).toList();
            assertTrue(!parts.isEmpty() && parts.stream().allMatch(n -> n.endsWith(".csv")), parts.toString());
        }
    }

    @Test
    void aSchemeWithoutItsFileSystemNamesThePackage() {
        SparkTestSession.get();
        CliRun s3 = CliRun.of("train", "--data", "s3a://my-bucket/mnist_train.csv", "--out", tmp.resolve("m").toString());
        assertEquals(2, s3.code(), s3.err());
        String version = org.apache.hadoop.util.VersionInfo.getVersion();
        assertTrue(s3.err().contains("this Spark has no file system for s3a://: add --packages org.apache.hadoop:hadoop-aws:"
                + version), s3.err());
        assertEquals(1, s3.err().lines().count(), s3.err());
        CliRun gs = CliRun.of("evaluate", "--model", "gs://bucket/model", "--data", "gs://bucket/test.csv");
        assertEquals(2, gs.code(), gs.err());
        assertTrue(gs.err().contains("this Spark has no file system for gs://: add --packages com.google.cloud.bigdataoss:gcs-connector"),
                gs.err());
        CliRun typo = CliRun.of("train", "--data", "hfds://nn/x.csv", "--out", tmp.resolve("m").toString());
        assertEquals(2, typo.code(), typo.err());
        assertTrue(typo.err().contains("this Spark has no file system for 'hfds:'"), typo.err());
    }
}
