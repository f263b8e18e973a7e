package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/**
 * Nothing is accepted silently and every message names the right thing: a first row that is not exactly a header is
 * data, an option given twice is refused, echoed values are cut and their control characters escaped.
 */
class MessagesTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void spark() {
        SparkTestSession.get();
    }

    private static String error(int code, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(code, r.code(), String.join(" ", args) + "\n" + r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), r.err());
        return errors.get(0);
    }

    private static Path withFirstLine(String name, String first, int rows) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(first);
        lines.addAll(TestCsv.rows(rows, 61, true));
        return TestCsv.write(dir.resolve(name), lines);
    }

    private static String label(String row, String label) {
        return label + row.substring(row.indexOf(','));
    }

    @Test
    void aFirstRowThatIsNotExactlyAHeaderIsABadRow() throws IOException {
        String row = TestCsv.rows(1, 60, true).get(0);
        Path x = withFirstLine("x.csv", label(row, "x"), 50);
        assertTrue(error(2, "train", "--data", x.toString(), "--out", dir.resolve("mx").toString())
                .contains("x.csv:1: field 1 (label) is 'x', not an integer"));
        Path nan = withFirstLine("nan.csv", label(row, "NaN"), 50);
        assertTrue(error(2, "train", "--data", nan.toString(), "--out", dir.resolve("mn").toString())
                .contains("nan.csv:1: field 1 (label) is 'NaN', not an integer"));
        Path out = dir.resolve("skipped");
        CliRun skip = CliRun.of("train", "--data", x.toString(), "--out", out.toString(), "--on-bad-row", "skip",
                "--iterations", "2");
        assertEquals(0, skip.code(), skip.err());
        var metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(1, metrics.get("skipped_rows").asInt());
        assertEquals(50, metrics.get("train_rows").asInt());
    }

    @Test
    void theCommonHeaderLayoutsAreHeaders() throws IOException {
        StringBuilder rc = new StringBuilder("label");
        for (int j = 0; j < 784; j++) {
            rc.append(',').append(j / 28 + 1).append('x').append(j % 28 + 1);
        }
        for (String header : List.of(rc.toString(), TestCsv.header(true), "\uFEFF" + TestCsv.header(true).toUpperCase())) {
            Path f = withFirstLine("h" + header.length() + header.charAt(1) + ".csv", header, 40);
            Path out = dir.resolve("m-" + f.getFileName());
            CliRun r = CliRun.of("train", "--data", f.toString(), "--out", out.toString(), "--iterations", "2");
            assertEquals(0, r.code(), r.err());
            assertEquals(40, new ObjectMapper().readTree(out.resolve("metrics.json").toFile()).get("train_rows").asInt());
        }
    }

    @Test
    void optionsGivenTwiceAndEmptyValuesAreRefused() throws IOException {
        Path data = TestCsv.labelled(dir.resolve("d.csv"), 20, 3, true);
        assertTrue(error(2, "train", "--data", data.toString(), "--hidden", "10", "--hidden", "20")
                .contains("--hidden given twice (10 and 20): give it once"));
        assertTrue(error(2, "train", "--data", data.toString(), "--verbose", "--verbose").contains("--verbose given twice"));
        assertTrue(error(2, "train", "--data", "", "--test", data.toString()).contains("--data is empty: give PATH"));
        assertTrue(error(2, "train", "--data", data.toString(), "--out", "").contains("--out is empty: give PATH"));
        String unknown = error(2, "trian");
        for (String c : List.of("train", "evaluate", "predict", "gradcheck", "download", "bench", "export", "report", "augment")) {
            assertTrue(unknown.contains(c), unknown);
        }
    }

    @Test
    void messagesNameTheOptionAndTheProblem() throws IOException {
        Path data = TestCsv.labelled(dir.resolve("twenty.csv"), 20, 3, true);
        assertTrue(error(2, "train", "--data", data.toString(), "--validation", "20", "--out", dir.resolve("v").toString())
                .contains("--validation 20 must be between 1 and 19 (the training data has 20 rows)"));
        Path one = TestCsv.labelled(dir.resolve("one.csv"), 1, 3, true);
        String v1 = error(2, "train", "--data", one.toString(), "--validation", "1", "--out", dir.resolve("v1").toString());
        assertTrue(v1.contains("--validation 1 needs at least 2 rows of training data, to keep some to train on (the "
                + "training data has 1 row)"), v1);
        Path blank = Files.writeString(dir.resolve("blank.csv"), "\n\n  \n\n");
        assertTrue(error(2, "train", "--data", blank.toString(), "--out", dir.resolve("b").toString())
                .contains("blank.csv: no data rows (only blank lines)"));
    }

    @Test
    void aHistoryWithANumberThatIsNotFiniteIsNamedByLine() throws IOException {
        Path data = TestCsv.labelled(dir.resolve("h.csv"), 40, 5, true);
        Path model = dir.resolve("inf-model");
        assertEquals(0, CliRun.of("train", "--data", data.toString(), "--out", model.toString(), "--iterations", "3",
                "--hidden", "4").code());
        Path history = model.resolve("history.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(history));
        String[] f = lines.get(2).split(",", -1);
        f[2] = "Infinity";
        lines.set(2, String.join(",", f));
        Files.write(history, lines);
        String e = error(2, "report", "--model", model.toString(), "--data", data.toString());
        assertTrue(e.contains("history.csv:3: loss is Infinity, not a finite number"), e);
    }

    @Test
    void aDivergenceNamesTheSettingsInPlay() throws IOException {
        Path data = TestCsv.labelled(dir.resolve("div.csv"), 60, 6, true);
        String e = error(1, "train", "--data", data.toString(), "--out", dir.resolve("div").toString(), "--iterations", "20",
                "--hidden", "8", "--optimizer", "sgd", "--lr", "1e30", "--l2", "0.5", "--label-smoothing", "0.1");
        assertTrue(e.contains("the loss became ") && e.contains("with --lr 1e+30 (this step's rate), --optimizer sgd, "
                + "--l2 0.5, --label-smoothing 0.1: lower --lr first; if it still diverges, the other settings named here "
                + "are the suspects"), e);
    }

    @Test
    void echoedValuesAreCutAndEscaped() throws IOException {
        String row = TestCsv.rows(1, 62, true).get(0);
        String hostile = "\u001B[31mred\u0007";
        Path esc = withFirstLine("esc.csv", label(row, hostile), 20);
        String e = error(2, "train", "--data", esc.toString(), "--out", dir.resolve("e").toString());
        assertTrue(e.contains("'\\x1B[31mred\\x07'"), e);
        assertFalse(e.contains("\u001B") || e.contains("\u0007"), e);

        String token = "9".repeat(30_000) + "A".repeat(30_000);
        Path big = withFirstLine("big.csv", "1," + token + row.substring(row.indexOf(',', 2)), 20);
        String b = error(2, "train", "--data", big.toString(), "--out", dir.resolve("g").toString());
        assertTrue(b.length() < 400, () -> b.length() + " characters: " + b.substring(0, 200));
        assertTrue(b.contains("big.csv:1: field 2 (pixel0) is '" + "9".repeat(40) + "...'"), b);

        String opt = error(2, "train", "--hid\u001Bden", "3");
        assertTrue(opt.contains("unknown option --hid\\x1Bden"), opt);
        String value = error(2, "train", "--hidden", "1" + "x".repeat(5000));
        assertTrue(value.length() < 200, value);
    }
}
