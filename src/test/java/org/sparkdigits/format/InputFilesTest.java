package org.sparkdigits.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.io.InputException;
import org.sparkdigits.testing.TestCsv;

@Tag("spark-layer")
class InputFilesTest {

    private final Configuration conf = new Configuration();

    @TempDir
    Path dir;

    private String message(String spec) {
        return assertThrows(InputException.class, () -> InputFiles.resolve(spec, conf, "training data")).getMessage();
    }

    @Test
    void resolvesFilesDirectoriesAndGlobs() throws IOException {
        TestCsv.labelled(dir.resolve("b.csv"), 3, 1, true);
        TestCsv.labelled(dir.resolve("a.csv.gz"), 3, 2, false);
        Files.writeString(dir.resolve("_SUCCESS"), "");
        List<InputFile> all = InputFiles.resolve(dir.toString(), conf, "x");
        assertEquals(2, all.size());
        assertTrue(all.get(0).path().endsWith("a.csv.gz"));
        assertFalse(all.get(0).header());
        assertTrue(all.get(1).header());
        assertEquals(1, all.get(1).index());
        assertEquals(1, InputFiles.resolve(dir + "/*.gz", conf, "x").size());
        assertTrue(InputFiles.resolve(dir.resolve("b.csv").toString(), conf, "x").get(0).labelled());
    }

    @Test
    void reportsMissingEmptyAndMalformedFiles() throws IOException {
        assertEquals("training data: " + dir + "/nope.csv: no such file or directory", message(dir + "/nope.csv"));
        Files.writeString(dir.resolve("empty.csv"), "");
        assertTrue(message(dir + "/empty.csv").endsWith("empty.csv: file is empty"));
        Files.writeString(dir.resolve("header-only.csv"), TestCsv.header(true) + "\n");
        assertTrue(message(dir + "/header-only.csv").endsWith("has a header line but no data rows"));
        Files.writeString(dir.resolve("narrow.csv"), "1,2,3\n");
        assertTrue(message(dir + "/narrow.csv").endsWith("narrow.csv:1: expected 785 fields (label + 784 pixels) or 784 (pixels only), found 3"));
        Files.writeString(dir.resolve("fake.csv.gz"), "this is not gzip");
        assertTrue(message(dir + "/fake.csv.gz").contains("fake.csv.gz: cannot read"), message(dir + "/fake.csv.gz"));
        Files.createDirectories(dir.resolve("void"));
        assertTrue(message(dir + "/void").contains("holds no data files"));
    }

    @Test
    void refusesToMixLabelledAndUnlabelledFiles() throws IOException {
        TestCsv.labelled(dir.resolve("a.csv"), 2, 1, false);
        TestCsv.write(dir.resolve("b.csv"), TestCsv.rows(2, 1, false));
        assertTrue(message(dir.toString()).contains("has label column but"));
    }

    @Test
    void autoPartitionsKeepPartitionsBelowHalfAMillionRows() throws IOException {
        Configuration conf = new Configuration();
        java.util.function.LongFunction<List<InputFile>> idx = n -> List.of(new InputFile("x", 0, false, true, InputFormat.IDX, "y", n));
        assertEquals(2, InputFiles.autoPartitions(idx.apply(60_000), conf, 2));
        assertEquals(2, InputFiles.autoPartitions(idx.apply(1_000_000), conf, 2));
        assertEquals(4, InputFiles.autoPartitions(idx.apply(1_980_000), conf, 2));
        assertEquals(18, InputFiles.autoPartitions(idx.apply(8_100_000), conf, 2));
        assertEquals(3, InputFiles.autoPartitions(idx.apply(10), conf, 3));
        // text: estimated from the size, 1000 bytes a row (250 if compressed)
        Path text = Files.write(dir.resolve("t.csv"), new byte[3_000_000]);
        assertEquals(2, InputFiles.autoPartitions(List.of(new InputFile(text.toString(), 0, false, true)), conf, 2));
    }
}
