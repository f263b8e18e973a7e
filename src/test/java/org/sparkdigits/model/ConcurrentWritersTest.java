package org.sparkdigits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkdigits.testing.Jvm;

/**
 * Three processes save models to the same directory at once, many times over ({@link ConcurrentWriter}), in both
 * commit modes: every one finishes, and what is left is one writer's complete model, with nothing beside it.
 * (Before the owner records and the lock, a writer's recovery deleted another one's temporary directory while it was
 * being filled, and renames onto the same directory raced: the directory ended without model.json.)
 */
@Tag("slow")
class ConcurrentWritersTest {

    private static final int WRITERS = 3;
    private static final int WRITES = 25;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"rename", "manifest"})
    void threeProcessesSavingToOneDirectoryLoseNothing(String mode) throws Exception {
        Path out = dir.resolve("m");
        List<Process> procs = new ArrayList<>();
        for (int w = 1; w <= WRITERS; w++) {
            procs.add(Jvm.start(List.of("-Xmx256m"), ConcurrentWriter.class.getName(),
                    List.of(out.toString(), String.valueOf(w), String.valueOf(WRITES), mode), dir.resolve("writer" + w + ".log"),
                    Map.of()));
        }
        for (int w = 1; w <= WRITERS; w++) {
            Process p = procs.get(w - 1);
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "writer " + w + " finished");
            String log = Files.readString(dir.resolve("writer" + w + ".log"));
            assertEquals(0, p.exitValue(), "writer " + w + ": " + log);
            assertTrue(log.contains("writer " + w + ": " + WRITES + " models written"), log);
        }
        Configuration conf = new Configuration();
        conf.set(ModelManifest.SETTING, mode);
        Model m = ModelStore.read(out.toString(), conf);
        int seed = ((Number) m.training().get("seed")).intValue();
        assertTrue(seed / 1000 >= 1 && seed / 1000 <= WRITERS && seed % 1000 < WRITES, "a seed one of the writers used: " + seed);
        // the weights are that write's whole model, not a mix of two
        assertArrayEquals(ConcurrentWriter.params(seed).values(), m.parameters().values(), 0.0);
        assertEquals("chart of " + seed, Files.readString(out.resolve("loss.png")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("m", "writer1.log", "writer2.log", "writer3.log"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "no .tmp-, .old-, .lock or owner record left");
        }
        try (Stream<Path> s = Files.list(out)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().allMatch(n -> ModelStore.FILES.contains(n) || n.equals(ModelManifest.NAME)), names.toString());
        }
    }
}
