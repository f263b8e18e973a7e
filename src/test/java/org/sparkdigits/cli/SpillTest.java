package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.Jvm;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TestFormats;

/** Training from cached blocks that live on disk, wholly (DISK_ONLY) or because they do not fit in the heap. */
class SpillTest {

    @TempDir
    Path dir;

    private static JsonNode metrics(Path model) throws IOException {
        return new ObjectMapper().readTree(model.resolve("metrics.json").toFile());
    }

    @Test
    void diskOnlyBlocksTrainTheSameModelAsBlocksInMemory() throws IOException {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("rows.csv"), 600, 17, true);
        for (String level : List.of("MEMORY_ONLY", "DISK_ONLY")) {
            for (String mode : List.of("full", "mini")) {
                List<String> args = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--storage-level", level,
                        "--hidden", "12", "--partitions", "3", "--log-every", "5", "--out", dir.resolve(level + mode).toString()));
                args.addAll(mode.equals("full") ? List.of("--iterations", "10")
                        : List.of("--batch-size", "64", "--epochs", "2", "--optimizer", "adam", "--lr", "0.01"));
                CliRun r = CliRun.of(args.toArray(String[]::new));
                assertEquals(0, r.code(), r.err());
            }
        }
        for (String mode : List.of("full", "mini")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("MEMORY_ONLY" + mode + "/model.safetensors")),
                    Files.readAllBytes(dir.resolve("DISK_ONLY" + mode + "/model.safetensors")), mode);
            JsonNode disk = metrics(dir.resolve("DISK_ONLY" + mode));
            JsonNode memory = metrics(dir.resolve("MEMORY_ONLY" + mode));
            assertEquals(0.0, disk.get("cache_memory_mb").asDouble(), disk.toString());
            assertTrue(disk.get("cache_disk_mb").asDouble() > 0.4, "600 rows of 785 bytes on disk: " + disk);
            assertEquals(0.0, memory.get("cache_disk_mb").asDouble(), memory.toString());
            assertTrue(memory.get("cache_memory_mb").asDouble() > 0.4, memory.toString());
        }
    }

    /**
     * 300 000 rows (235 MB as bytes, 1.9 GB as doubles) in a driver of 600 MB heap, whose Spark memory is about 180 MB:
     * the default MEMORY_AND_DISK keeps what fits in memory, puts the rest on disk, and trains the same model as a
     * roomy JVM.
     */
    @Tag("slow")
    @Test
    void aSetLargerThanTheHeapTrainsWithPartOfItOnDisk() throws Exception {
        int n = 300_000;
        byte[] labels = new byte[n];
        byte[] images = new byte[n * 784];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) r.nextInt(10);
            for (int j = 0; j < 40; j++) {
                images[i * 784 + 28 * (4 + 2 * labels[i]) + r.nextInt(56)] = (byte) (100 + r.nextInt(156));
            }
        }
        Path img = TestFormats.idx(dir.resolve("big"), "big", labels, images, false);
        images = null;
        List<String> train = List.of("train", "--data", img.toString(), "--hidden", "8", "--iterations", "3",
                "--partitions", "6", "--log-every", "1");
        Path small = dir.resolve("small");
        Path log = dir.resolve("small.log");
        Process p = Jvm.start(List.of("-Xmx600m", "-Dspark.master=local[2]", "-Dspark.ui.enabled=false"),
                Main.class.getName(), concat(train, "--out", small.toString()), log, Map.of());
        try {
            assertTrue(p.waitFor(4, TimeUnit.MINUTES), "the small-heap run did not finish");
        } finally {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        JsonNode m = metrics(small);
        System.out.printf("300k rows in a 600 MB heap: cached %.0f MB in memory, %.0f MB on disk; heap peak %.0f of %.0f MB; "
                + "%.0f ms per iteration%n", m.get("cache_memory_mb").asDouble(), m.get("cache_disk_mb").asDouble(),
                m.get("heap_peak_mb").asDouble(), m.get("heap_max_mb").asDouble(), m.get("ms_per_iteration").asDouble());
        assertEquals(n, m.get("train_rows").asInt());
        assertTrue(m.get("cache_disk_mb").asDouble() > 20, "part of the blocks went to disk: " + m);
        assertTrue(m.get("cache_memory_mb").asDouble() < 235, m.toString());
        assertTrue(m.get("heap_max_mb").asDouble() < 700 && m.get("heap_peak_mb").asDouble() <= m.get("heap_max_mb").asDouble(),
                m.toString());

        SparkTestSession.get();
        CliRun roomy = CliRun.of(concat(train, "--out", dir.resolve("roomy").toString(), "--storage-level", "MEMORY_ONLY")
                .toArray(String[]::new));
        assertEquals(0, roomy.code(), roomy.err());
        assertEquals(0.0, metrics(dir.resolve("roomy")).get("cache_disk_mb").asDouble());
        assertArrayEquals(Files.readAllBytes(dir.resolve("roomy/model.safetensors")), Files.readAllBytes(small.resolve("model.safetensors")),
                "where the blocks live does not change the model");
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}
