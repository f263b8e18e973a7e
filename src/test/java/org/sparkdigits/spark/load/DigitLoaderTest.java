package org.sparkdigits.spark.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.io.InputException;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

@Tag("spark-layer")
class DigitLoaderTest {

    private final SparkSession spark = SparkTestSession.get();

    @TempDir
    Path dir;

    private List<InputFile> files(Path p) {
        return InputFiles.resolve(p.toString(), spark.sparkContext().hadoopConfiguration(), "training data");
    }

    private DigitLoader loader(OnBadRow mode) {
        return new DigitLoader(spark, mode, StorageLevel.MEMORY_ONLY());
    }

    /** Every row of every block, as label followed by pixels, sorted: the content regardless of placement. */
    private static List<String> content(LoadedData d) {
        List<String> rows = new ArrayList<>();
        for (DigitBlock b : d.blocks().collect()) {
            for (int i = 0; i < b.rows(); i++) {
                rows.add(b.label(i) + ":" + Arrays.toString(Arrays.copyOfRange(b.pixels(), i * 784, (i + 1) * 784)));
            }
        }
        rows.sort(null);
        return rows;
    }

    @Test
    void loadsEveryRowOnceIntoTheRequestedPartitions() throws IOException {
        Path f = TestCsv.labelled(dir.resolve("train.csv.gz"), 250, 1, true);
        LoadedData d = loader(OnBadRow.FAIL).loadShuffled(files(f), 3, "training data");
        assertEquals(250, d.rows());
        assertEquals(3, d.blocks().getNumPartitions());
        List<String> expected = new ArrayList<>();
        for (String line : TestCsv.rows(250, 1, true)) {
            int[] v = Arrays.stream(line.split(",")).mapToInt(Integer::parseInt).toArray();
            byte[] px = new byte[784];
            for (int j = 0; j < 784; j++) {
                px[j] = (byte) v[j + 1];
            }
            expected.add(v[0] + ":" + Arrays.toString(px));
        }
        expected.sort(null);
        assertEquals(expected, content(d));
        d.unpersist();
    }

    @Test
    void blocksDoNotDependOnHowTheInputIsSplitIntoFiles() throws IOException {
        List<String> rows = TestCsv.rows(120, 2, true);
        Path one = TestCsv.write(dir.resolve("one/all.csv"), rows);
        TestCsv.write(dir.resolve("three/a.csv.gz"), rows.subList(0, 50));
        TestCsv.write(dir.resolve("three/b.csv"), rows.subList(50, 90));
        TestCsv.write(dir.resolve("three/c.csv"), rows.subList(90, 120));
        List<DigitBlock> a = loader(OnBadRow.FAIL).loadShuffled(files(one), 4, "x").blocks().collect();
        List<DigitBlock> b = loader(OnBadRow.FAIL).loadShuffled(files(dir.resolve("three")), 4, "x").blocks().collect();
        for (int p = 0; p < 4; p++) {
            assertArrayEquals(a.get(p).pixels(), b.get(p).pixels(), "partition " + p);
            assertArrayEquals(a.get(p).labels(), b.get(p).labels(), "partition " + p);
        }
    }

    @Test
    void aBadRowStopsTheLoadNamingFileAndLine() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(TestCsv.header(true));
        lines.addAll(TestCsv.rows(40, 3, true));
        lines.set(17, lines.get(17).replaceFirst("^\\d", "11"));   // line 18: label 11
        lines.set(30, lines.get(30) + ",0");                       // line 31: 786 fields
        Path f = TestCsv.write(dir.resolve("bad.csv.gz"), lines);
        InputException e = assertThrows(InputException.class, () -> loader(OnBadRow.FAIL).loadShuffled(files(f), 2, "training data"));
        assertEquals("training data: " + f.toUri().toString().replace("file:///", "file:/") + ":18: label is 11, not a digit 0-9"
                + " (2 bad rows in all); use --on-bad-row skip to drop bad rows", e.getMessage());
    }

    @Test
    void skipModeDropsAndCountsBadRowsPerFile() throws IOException {
        List<String> a = new ArrayList<>(TestCsv.rows(30, 4, true));
        a.set(3, a.get(3).replace(",0,", ",x,"));
        a.set(9, "5,1,2");
        a.add(4, "");                                               // blank lines are not rows
        TestCsv.write(dir.resolve("in/a.csv"), a);
        TestCsv.labelled(dir.resolve("in/b.csv"), 20, 5, true);
        LoadedData d = loader(OnBadRow.SKIP).loadShuffled(files(dir.resolve("in")), 2, "training data");
        assertEquals(48, d.rows());
        assertEquals(2, d.skippedRows());
        assertEquals(1, d.skipped().size());
        assertTrue(d.skipped().keySet().iterator().next().endsWith("a.csv"));
    }

    @Test
    void lineNumbersAreRightInSplitsOfALargePlainFile() throws IOException {
        List<String> lines = new ArrayList<>(TestCsv.rows(400, 6, true));
        lines.set(377, lines.get(377).replaceFirst(",\\d+$", ",300"));
        Path f = TestCsv.write(dir.resolve("big.csv"), lines);
        String before = spark.conf().get("spark.sql.files.maxPartitionBytes");
        spark.conf().set("spark.sql.files.maxPartitionBytes", "65536");   // many splits of one file
        try {
            InputException e = assertThrows(InputException.class, () -> loader(OnBadRow.FAIL).loadInOrder(files(f), "data"));
            assertTrue(e.getMessage().contains("big.csv:378: pixel783 (field 785) is 300, outside 0-255"), e.getMessage());
            LoadedData ordered = loader(OnBadRow.SKIP).loadInOrder(files(f), "data");
            assertTrue(ordered.blockCount() > 5, "blocks: " + ordered.blockCount());
            assertEquals(399, ordered.rows());
        } finally {
            spark.conf().set("spark.sql.files.maxPartitionBytes", before);
        }
    }

    @Test
    void aTruncatedGzipIsNamed() throws IOException {
        Path good = TestCsv.labelled(dir.resolve("whole.csv.gz"), 200, 7, false);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.csv.gz");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        InputException e = assertThrows(InputException.class, () -> loader(OnBadRow.FAIL).loadShuffled(files(cut), 2, "training data"));
        assertTrue(e.getMessage().startsWith("training data: ") && e.getMessage().contains("cut.csv.gz: cannot read (truncated"),
                e.getMessage());
    }

    @Test
    void holdoutIsExactDisjointAndSeeded() throws IOException {
        Path f = TestCsv.labelled(dir.resolve("h.csv"), 300, 8, false);
        LoadedData.Split s1 = loader(OnBadRow.FAIL).loadShuffled(files(f), 3, "x").holdout(40, 9, StorageLevel.MEMORY_ONLY());
        LoadedData.Split s2 = loader(OnBadRow.FAIL).loadShuffled(files(f), 5, "x").holdout(40, 9, StorageLevel.MEMORY_ONLY());
        LoadedData.Split s3 = loader(OnBadRow.FAIL).loadShuffled(files(f), 3, "x").holdout(40, 10, StorageLevel.MEMORY_ONLY());
        assertEquals(40, s1.holdout().rows());
        assertEquals(260, s1.train().rows());
        assertEquals(content(s1.holdout()), content(s2.holdout()), "the holdout does not depend on partitioning");
        assertTrue(!content(s1.holdout()).equals(content(s3.holdout())), "another seed holds out other rows");
        List<String> union = new ArrayList<>(content(s1.train()));
        union.addAll(content(s1.holdout()));
        union.sort(null);
        assertEquals(content(loader(OnBadRow.FAIL).loadShuffled(files(f), 2, "x")), union);
        assertThrows(InputException.class, () -> loader(OnBadRow.FAIL).loadShuffled(files(f), 2, "x").holdout(300, 1, StorageLevel.MEMORY_ONLY()));
    }

    @Test
    void blocksAreTheSameWhenTheLoadsShuffleSpillsToDisk() throws Exception {
        // rows in several map tasks (three files), sorted by key on the reduce side; there, with a threshold of 20
        // elements, Spark's sorter writes its runs to disk in the load's own shuffle format and merges them back
        TestCsv.labelled(dir.resolve("s/a.csv"), 150, 11, false);
        TestCsv.labelled(dir.resolve("s/b.csv.gz"), 100, 12, false);
        TestCsv.labelled(dir.resolve("s/c.csv"), 50, 13, false);
        List<DigitBlock> inMemory = loader(OnBadRow.FAIL).loadShuffled(files(dir.resolve("s")), 3, "x").blocks().collect();
        java.util.concurrent.atomic.AtomicLong spilled = new java.util.concurrent.atomic.AtomicLong();
        org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                if (end.taskMetrics() != null) {
                    spilled.addAndGet(end.taskMetrics().diskBytesSpilled());
                }
            }
        };
        org.apache.spark.SparkConf conf = org.apache.spark.SparkEnv.get().conf();
        String key = "spark.shuffle.spill.numElementsForceSpillThreshold";
        spark.sparkContext().addSparkListener(listener);
        List<DigitBlock> spilledBlocks;
        try {
            conf.set(key, "20");
            spilledBlocks = loader(OnBadRow.FAIL).loadShuffled(files(dir.resolve("s")), 3, "x").blocks().collect();
        } finally {
            conf.remove(key);
        }
        for (int i = 0; i < 100 && spilled.get() == 0; i++) {
            Thread.sleep(100); // the listener bus is asynchronous
        }
        spark.sparkContext().removeSparkListener(listener);
        assertTrue(spilled.get() > 0, "the sorter spilled");
        assertEquals(3, spilledBlocks.size());
        for (int p = 0; p < 3; p++) {
            assertEquals(inMemory.get(p).rows(), spilledBlocks.get(p).rows(), "partition " + p);
            assertArrayEquals(inMemory.get(p).pixels(), spilledBlocks.get(p).pixels(), "partition " + p);
            assertArrayEquals(inMemory.get(p).labels(), spilledBlocks.get(p).labels(), "partition " + p);
        }
    }
}
