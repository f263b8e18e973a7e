package org.sparkdigits.format;

import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.spark.load.DigitLoader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.io.InputException;
import org.sparkdigits.spark.load.DigitLoader;
import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TestFormats;

/** Every input format gives the same records; malformed files are named with the record and what is wrong. */
@Tag("spark-layer")
class DigitFormatTest {

    private final SparkSession spark = SparkTestSession.get();

    @TempDir
    Path dir;

    private List<InputFile> files(Path p, InputFormat format) {
        return InputFiles.resolve(p.toString(), spark.sparkContext().hadoopConfiguration(), "training data", format);
    }

    private static DigitLoader loader(SparkSession spark, OnBadRow mode) {
        return new DigitLoader(spark, mode, StorageLevel.MEMORY_ONLY());
    }

    private List<DigitBlock> shuffled(Path p, InputFormat format, int partitions) {
        LoadedData d = loader(spark, OnBadRow.FAIL).loadShuffled(files(p, format), partitions, "training data");
        List<DigitBlock> blocks = d.blocks().collect();
        d.unpersist();
        return blocks;
    }

    private static void assertSameBlocks(List<DigitBlock> expected, List<DigitBlock> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).labels(), actual.get(i).labels(), what + ": labels of block " + i);
            assertArrayEquals(expected.get(i).pixels(), actual.get(i).pixels(), what + ": pixels of block " + i);
        }
    }

    @Test
    void everyFormatGivesTheBlocksOfTheSameRowsInCsv() throws IOException {
        List<String> rows = TestCsv.rows(150, 3, true);
        Path csv = TestCsv.write(dir.resolve("rows.csv"), rows);
        Path libsvm = TestCsv.write(dir.resolve("rows.libsvm.gz"), TestFormats.libsvm(rows));
        Path libsvmNoExtension = TestCsv.write(dir.resolve("mnist8m-like"), TestFormats.libsvm(rows));
        Path idx = TestFormats.idx(dir.resolve("idx"), "train", rows, false);
        Path idxGz = TestFormats.idx(dir.resolve("idxgz"), "train", rows, true);
        Path parquet = TestFormats.parquet(spark, dir.resolve("pq"), rows, true);
        List<DigitBlock> expected = shuffled(csv, null, 3);
        assertEquals(150, expected.stream().mapToInt(DigitBlock::rows).sum());
        Object[][] cases = {{libsvm, null, InputFormat.LIBSVM}, {libsvmNoExtension, null, InputFormat.LIBSVM},
                {idx, null, InputFormat.IDX}, {idxGz, null, InputFormat.IDX}, {dir.resolve("idx"), null, InputFormat.IDX},
                {parquet, null, InputFormat.PARQUET}, {libsvmNoExtension, InputFormat.LIBSVM, InputFormat.LIBSVM}};
        for (Object[] c : cases) {
            Path p = (Path) c[0];
            List<InputFile> f = files(p, (InputFormat) c[1]);
            assertEquals(1, f.size(), p + ": the labels file beside the images is not data");
            assertEquals(c[2], f.get(0).format(), p.toString());
            assertTrue(f.get(0).labelled(), p.toString());
            assertSameBlocks(expected, shuffled(p, (InputFormat) c[1], 3), p.toString());
        }
    }

    @Test
    void inOrderLoadsKeepIdxAndParquetOrderAcrossChunks() throws IOException {
        int n = IdxFormat.CHUNK + 4000; // two chunks
        byte[] labels = new byte[n];
        byte[] images = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
            images[i * 784] = (byte) (i >>> 8);
            images[i * 784 + 1] = (byte) i;
        }
        Path img = TestFormats.idx(dir, "big", labels, images, false);
        LoadedData d = loader(spark, OnBadRow.FAIL).loadInOrder(files(img, null), "data");
        List<DigitBlock> parts = d.blocks().collect();   // in input order
        assertEquals(2, parts.size(), "one block per chunk");
        int i = 0;
        for (DigitBlock b : parts) {
            for (int r = 0; r < b.rows(); r++, i++) {
                assertEquals(i % 10, b.label(r));
                assertEquals((byte) (i >>> 8), b.pixels()[r * 784]);
                assertEquals((byte) i, b.pixels()[r * 784 + 1], "image " + i);
            }
        }
        assertEquals(n, i);
        d.unpersist();

        List<String> rows = TestCsv.rows(40, 5, true);
        LoadedData q = loader(spark, OnBadRow.FAIL).loadInOrder(files(TestFormats.parquet(spark, dir.resolve("u"), rows, false), null), "data");
        DigitBlock only = q.blocks().collect().get(0);
        assertNull(only.labels(), "Parquet without a label column is unlabelled");
        for (int r = 0; r < 40; r++) {
            assertArrayEquals(TestFormats.pixels(rows.get(r)), java.util.Arrays.copyOfRange(only.pixels(), r * 784, (r + 1) * 784));
        }
        q.unpersist();
    }

    private String loadError(Path p, OnBadRow mode) {
        return assertThrows(InputException.class,
                () -> loader(spark, mode).loadShuffled(files(p, null), 2, "training data")).getMessage();
    }

    private String resolveError(Path p, InputFormat format) {
        return assertThrows(InputException.class, () -> files(p, format)).getMessage();
    }

    @Test
    void malformedLibsvmIsNamedByFileAndLineAndCanBeSkipped() throws IOException {
        List<String> lines = new ArrayList<>(TestFormats.libsvm(TestCsv.rows(30, 7, true)));
        String[][] bad = {{"3 0:12 5:7", "index in '0:12' is not an integer 1-784 (LIBSVM indices are 1-based)"},
                {"3 1:300", "value in '1:300' is not an integer 0-255"},
                {"3 1:0.5", "value in '1:0.5' is not an integer 0-255"},
                {"3 9:1 4:2", "index 4 after 9 (indices must increase)"},
                {"11 1:1", "label '11' is not an integer 0-9"},
                {"3 785:1", "index in '785:1' is not an integer 1-784"},
                {"3 12", "'12' is not index:value"}};
        for (String[] b : bad) {
            List<String> copy = new ArrayList<>(lines);
            copy.add(4, b[0]);
            Path f = TestCsv.write(dir.resolve("bad" + Math.abs(b[0].hashCode()) + ".libsvm"), copy);
            String m = loadError(f, OnBadRow.FAIL);
            assertTrue(m.contains(f.getFileName() + ":5: " + b[1]), m);
        }
        List<String> two = new ArrayList<>(lines);
        two.add(2, "3 0:1");
        two.add(9, "12 1:1");
        Path f = TestCsv.write(dir.resolve("two.libsvm"), two);
        LoadedData d = loader(spark, OnBadRow.SKIP).loadShuffled(files(f, null), 2, "training data");
        assertEquals(30, d.rows());
        assertEquals(2L, d.skipped().values().iterator().next());
        d.unpersist();
        Path notLibsvm = TestCsv.write(dir.resolve("x.libsvm"), List.of("hello world"));
        assertTrue(resolveError(notLibsvm, null).contains("x.libsvm:1: not a LIBSVM digit row"), resolveError(notLibsvm, null));
    }

    @Test
    void malformedIdxIsNamedByFileAndImage() throws IOException {
        List<String> rows = TestCsv.rows(20, 9, true);
        // a label out of range
        byte[] labels = new byte[20];
        byte[] images = new byte[20 * 784];
        labels[6] = 12;
        Path img = TestFormats.idx(dir.resolve("a"), "t", labels, images, false);
        String m = loadError(img, OnBadRow.FAIL);
        assertTrue(m.contains("a/t-images-idx3-ubyte: image 7: label 12 (in ") && m.contains("a/t-labels-idx1-ubyte) is not 0-9"), m);
        // truncated uncompressed: caught from the file's length before any job
        Path t = TestFormats.idx(dir.resolve("b"), "t", rows, false);
        byte[] all = Files.readAllBytes(t);
        Files.write(t, java.util.Arrays.copyOf(all, all.length - 100));
        assertTrue(resolveError(t, null).contains("b/t-images-idx3-ubyte: truncated: " + (all.length - 100) + " bytes, but its header promises 20 images"),
                resolveError(t, null));
        // truncated gzip: found while reading
        Path g = TestFormats.idx(dir.resolve("c"), "t", rows, false);
        byte[] raw = Files.readAllBytes(g);
        Path gz = dir.resolve("c/t-images-idx3-ubyte.gz");
        TestFormats.write(gz, java.util.Arrays.copyOf(raw, raw.length - 784 * 3), true);
        Files.move(dir.resolve("c/t-labels-idx1-ubyte"), dir.resolve("c/t-labels-idx1-ubyte.gz.tmp"));
        TestFormats.write(dir.resolve("c/t-labels-idx1-ubyte.gz"), Files.readAllBytes(dir.resolve("c/t-labels-idx1-ubyte.gz.tmp")), true);
        Files.delete(dir.resolve("c/t-labels-idx1-ubyte.gz.tmp"));
        Files.delete(g);
        m = loadError(gz, OnBadRow.FAIL);
        assertTrue(m.contains("c/t-images-idx3-ubyte.gz: image 18: the data ends before the 20 images its header promises"), m);
        LoadedData skipped = loader(spark, OnBadRow.SKIP).loadShuffled(files(gz, null), 2, "training data");
        assertEquals(17, skipped.rows(), "the images before the end are kept");
        skipped.unpersist();
        // counts that disagree, a wrong magic number, a labels file given as data, no labels for training
        Path d = TestFormats.idx(dir.resolve("d"), "t", rows, false);
        TestFormats.write(dir.resolve("d/t-labels-idx1-ubyte"),
                java.nio.ByteBuffer.allocate(8 + 19).putInt(0x801).putInt(19).array(), false);
        assertTrue(resolveError(d, null).contains("holds 19 labels but ") && resolveError(d, null).contains("d/t-images-idx3-ubyte holds 20 images"), resolveError(d, null));
        Path e = dir.resolve("e-images-idx3-ubyte");
        TestFormats.write(e, java.nio.ByteBuffer.allocate(16).putInt(0x804).array(), false);
        assertTrue(resolveError(e, null).contains("magic number 0x804 is not that of an IDX images file (0x803)"), resolveError(e, null));
        Path lab = dir.resolve("a/t-labels-idx1-ubyte");
        assertTrue(resolveError(lab, null).contains("is an IDX labels file: give the images file"), resolveError(lab, null));
        Path alone = TestFormats.idx(dir.resolve("f"), "t", rows, false);
        Files.delete(dir.resolve("f/t-labels-idx1-ubyte"));
        assertTrue(loadError(alone, OnBadRow.FAIL).contains("has no labels file beside it (looked for "), loadError(alone, OnBadRow.FAIL));
    }

    @Test
    void malformedParquetIsNamedByFileAndRecordAndCanBeSkipped() throws IOException {
        List<String> rows = TestCsv.rows(12, 11, true);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            byte[] px = TestFormats.pixels(rows.get(i));
            out.add(RowFactory.create(i == 4 ? 12 : TestFormats.label(rows.get(i)), i == 8 ? new byte[783] : px));
        }
        StructType schema = new StructType().add("label", DataTypes.IntegerType).add("pixels", DataTypes.BinaryType);
        Path p = dir.resolve("bad");
        spark.createDataFrame(out, schema).coalesce(1).write().parquet(p.toString());
        String m = loadError(p, OnBadRow.FAIL);
        assertTrue(m.matches("(?s).*part-00000[^:]*\\.parquet: record 5: label 12 is not 0-9 \\(2 bad rows in all\\).*"), m);
        LoadedData d = loader(spark, OnBadRow.SKIP).loadShuffled(files(p, null), 2, "training data");
        assertEquals(10, d.rows());
        d.unpersist();
        Path strings = dir.resolve("strings");
        spark.createDataFrame(List.of(RowFactory.create(1, "x")),
                new StructType().add("label", DataTypes.IntegerType).add("pixels", DataTypes.StringType))
                .write().parquet(strings.toString());
        assertTrue(resolveError(strings, null).contains("Parquet input needs a pixels column (binary, 784 bytes)"),
                resolveError(strings, null));
        Path notParquet = TestCsv.write(dir.resolve("fake.parquet"), List.of("1,2,3"));
        assertTrue(resolveError(notParquet, null).contains("fake.parquet: not a readable Parquet file"), resolveError(notParquet, null));
    }

    @Test
    void mixedFormatsAndUnknownFormatNamesAreRefused() throws IOException {
        List<String> rows = TestCsv.rows(5, 1, true);
        TestCsv.write(dir.resolve("mix/a.csv"), rows);
        TestCsv.write(dir.resolve("mix/b.libsvm"), TestFormats.libsvm(rows));
        String m = resolveError(dir.resolve("mix"), null);
        assertTrue(m.contains("a.csv is csv but ") && m.contains("b.libsvm is libsvm: give files of one format"), m);
        assertThrows(IllegalArgumentException.class, () -> InputFormat.parse("json"));
        assertEquals(InputFormat.IDX, InputFormat.parse(" IDX "));
        assertNull(InputFormat.parse("auto"));
    }
}
