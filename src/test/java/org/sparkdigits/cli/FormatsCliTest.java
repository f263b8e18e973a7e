package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TestFormats;

/** Every command that reads digits reads CSV, LIBSVM, Parquet and IDX, detected or named with --format. */
@Tag("spark-layer")
class FormatsCliTest {

    @TempDir
    Path dir;

    /** The evaluation figures without the title line (which names the data). */
    private static String figures(CliRun r) {
        return r.out().substring(r.out().indexOf(" rows, accuracy"));
    }

    @Tag("slow")
    @Test
    void theRealMnistIdxFilesAreTheRowsOfTheCsvFiles() throws IOException {
        SparkTestSession.get();
        Path model = dir.resolve("m");
        CliRun t = CliRun.of("train", "--data", TestCsv.mnist("idx/train-images-idx3-ubyte.gz").toString(), "--test",
                TestCsv.mnist("idx/t10k-images-idx3-ubyte.gz").toString(), "--iterations", "20", "--log-every", "10",
                "--out", model.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("(60000 rows)") && t.out().contains("(10000 rows)"), t.out());
        Path csvModel = dir.resolve("c");
        CliRun c = CliRun.of("train", "--data", TestCsv.mnist("mnist_train.csv.gz").toString(), "--iterations", "20",
                "--log-every", "10", "--out", csvModel.toString());
        assertEquals(0, c.code(), c.err());
        assertArrayEquals(Files.readAllBytes(model.resolve("model.safetensors")), Files.readAllBytes(csvModel.resolve("model.safetensors")),
                "the same 60 000 rows from IDX and CSV train the same model");
        CliRun onIdx = CliRun.of("evaluate", "--model", model.toString(), "--data", TestCsv.mnist("idx/t10k-images-idx3-ubyte.gz").toString());
        CliRun onCsv = CliRun.of("evaluate", "--model", model.toString(), "--data", TestCsv.mnist("mnist_test.csv.gz").toString());
        assertEquals(0, onIdx.code(), onIdx.err());
        assertTrue(onCsv.out().contains("10000 rows"), onCsv.out());
        assertEquals(figures(onCsv), figures(onIdx));
    }

    @Test
    void everyCommandReadsEveryFormat() throws IOException {
        SparkSession spark = SparkTestSession.get();
        List<String> rows = TestCsv.rows(240, 41, true);
        Path idx = TestFormats.idx(dir.resolve("idx"), "digits", rows, false);
        Path libsvm = TestCsv.write(dir.resolve("digits.txt"), TestFormats.libsvm(rows));
        Path parquet = TestFormats.parquet(spark, dir.resolve("pq"), rows, true);
        Path csv = TestCsv.write(dir.resolve("digits.csv"), rows);
        Path model = dir.resolve("model");
        CliRun t = CliRun.of("train", "--data", dir.resolve("idx").toString(), "--test", parquet.toString(), "--hidden", "16",
                "--iterations", "30", "--log-every", "10", "--out", model.toString());
        assertEquals(0, t.code(), t.err());
        CliRun onCsv = CliRun.of("evaluate", "--model", model.toString(), "--data", csv.toString());
        CliRun onLibsvm = CliRun.of("evaluate", "--model", model.toString(), "--data", libsvm.toString(), "--format", "libsvm");
        CliRun onParquet = CliRun.of("evaluate", "--model", model.toString(), "--data", parquet.toString());
        CliRun onIdx = CliRun.of("evaluate", "--model", model.toString(), "--data", idx.toString(), "--format", "idx");
        for (CliRun r : List.of(onCsv, onLibsvm, onParquet, onIdx)) {
            assertEquals(0, r.code(), r.err());
            assertEquals(figures(onCsv), figures(r));
        }
        CliRun report = CliRun.of("report", "--model", model.toString(), "--data", parquet.toString());
        assertEquals(0, report.code(), report.err());
        assertTrue(Files.isRegularFile(model.resolve("report.html")));

        // predict: unlabelled Parquet and unlabelled IDX (no labels file) give the rows in input order
        Path unlabelledPq = TestFormats.parquet(spark, dir.resolve("upq"), rows, false);
        Path unlabelledIdx = TestFormats.idx(dir.resolve("uidx"), "digits", rows, false);
        Files.delete(dir.resolve("uidx/digits-labels-idx1-ubyte"));
        Path unlabelledCsv = TestCsv.write(dir.resolve("u.csv"), TestCsv.rows(240, 41, false));
        String expected = null;
        for (Path in : List.of(unlabelledCsv, unlabelledPq, unlabelledIdx)) {
            Path out = dir.resolve("pred-" + in.getFileName() + ".csv");
            CliRun p = CliRun.of("predict", "--model", model.toString(), "--data", in.toString(), "--out", out.toString());
            assertEquals(0, p.code(), p.err());
            String got = Files.readString(out);
            assertEquals(241, got.split("\n").length, got);
            if (expected == null) {
                expected = got;
            }
            assertEquals(expected, got, in.toString());
        }

        // a format named wrongly is an error on the first line; an unknown name is a usage error
        CliRun wrong = CliRun.of("evaluate", "--model", model.toString(), "--data", libsvm.toString(), "--format", "csv");
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("digits.txt:1: looks like LIBSVM (label index:value ...), not CSV"), wrong.err());
        CliRun unknown = CliRun.of("train", "--data", csv.toString(), "--format", "json");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--format must be auto, csv, libsvm, parquet or idx, got 'json'"), unknown.err());
    }
}
