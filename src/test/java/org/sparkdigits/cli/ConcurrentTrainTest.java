package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.DigitModel;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.testing.Jvm;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/**
 * Two trainings that save to one {@code --out} at once: two {@code train} processes, and two threads of one JVM
 * fitting with the same {@code out}. Both end well, the directory holds one complete model, the one a writer saved
 * (the same bytes as that writer's settings give alone), and nothing is left beside it. The old code deleted the other
 * writer's temporary directory and failed with a bare {@code chmod} error, or left a partial model
 * ({@code model/ConcurrentWritersTest} repeats the saves enough to show it).
 */
class ConcurrentTrainTest {

    @TempDir
    Path dir;

    private static List<String> options(Path data, long seed) {
        return List.of("--data", data.toString(), "--hidden", "10", "--batch-size", "50", "--epochs", "2",
                "--optimizer", "adam", "--lr", "0.01", "--partitions", "2", "--seed", String.valueOf(seed));
    }

    /** The seed the model in {@code out} was trained with, as its model.json records it. */
    private static long seedOf(Path out) throws IOException {
        return new ObjectMapper().readTree(out.resolve("model.json").toFile()).path("training").path("seed").asLong();
    }

    private static void nothingBeside(Path parent, String name) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + name)).toList();
            assertEquals(List.of(), left, "leftovers beside " + name);
        }
    }

    @Tag("slow")
    @Test
    void twoTrainProcessesIntoOneOutBothEndWellAndOneCompleteModelStays() throws Exception {
        Path data = TestCsv.labelled(dir.resolve("train.csv"), 400, 21, true);
        Path out = dir.resolve("shared");
        List<Process> runs = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (long seed : new long[] {1, 2}) {
                List<String> args = new ArrayList<>(List.of("train"));
                args.addAll(options(data, seed));
                args.addAll(List.of("--out", out.toString()));
                Path log = dir.resolve("run-" + seed + ".log");
                logs.add(log);
                runs.add(Jvm.start(List.of("-Xmx1g", "-Dspark.master=local[2]", "-Dspark.ui.enabled=false"),
                        Main.class.getName(), args, log, Map.of()));
            }
            for (int i = 0; i < runs.size(); i++) {
                assertTrue(runs.get(i).waitFor(5, TimeUnit.MINUTES), "run " + (i + 1) + " did not end");
                assertEquals(0, runs.get(i).exitValue(), Files.readString(logs.get(i), StandardCharsets.UTF_8));
            }
        } finally {
            runs.forEach(Process::destroyForcibly);
        }
        long seed = seedOf(out);
        assertTrue(seed == 1 || seed == 2, "seed " + seed);
        SparkTestSession.get();
        Path alone = dir.resolve("alone");
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(options(data, seed));
        args.addAll(List.of("--out", alone.toString()));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(alone.resolve("model.safetensors")), Files.readAllBytes(out.resolve("model.safetensors")),
                "the directory holds the complete model of the writer whose model.json it holds");
        nothingBeside(dir, "shared");
    }

    @Test
    void twoThreadsFittingWithOneOutBothEndWell() throws Exception {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("threads.csv"), 300, 22, true);
        Path out = dir.resolve("threaded");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<DigitModel>> fits = new ArrayList<>();
            for (long seed : new long[] {3, 4}) {
                fits.add(pool.submit(() -> DigitTrainer.builder().data(data.toString()).hidden(8).batchSize(50).epochs(2)
                        .optimizer("adam").lr(0.01).partitions(2).seed(seed).out(out.toString()).build().fit()));
            }
            List<DigitModel> models = new ArrayList<>();
            for (Future<DigitModel> f : fits) {
                models.add(f.get(5, TimeUnit.MINUTES));
            }
            long seed = seedOf(out);
            DigitModel winner = models.get(seed == 3 ? 0 : 1);
            assertArrayEquals(winner.parameters().values(), DigitModel.load(out.toString()).parameters().values(), 0.0);
        } finally {
            pool.shutdownNow();
        }
        nothingBeside(dir, "threaded");
    }
}
