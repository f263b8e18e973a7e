package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.io.InputException;
import org.sparkdigits.testing.Jvm;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/**
 * Two runs given one --checkpoint-dir at once: the second is refused before any work, naming the first, whose
 * checkpoints stay intact; the first lets go of the directory when it ends, and its checkpoints resume.
 */
class SharedCheckpointDirTest {

    @TempDir
    Path dir;

    private static List<String> options(Path data, Path ck) {
        return List.of("--data", data.toString(), "--hidden", "12", "--batch-size", "30", "--epochs", "12",
                "--optimizer", "adam", "--lr", "0.01", "--partitions", "2", "--seed", "5", "--log-every", "20",
                "--checkpoint-dir", ck.toString(), "--checkpoint-every", "20");
    }

    @Tag("slow")
    @Test
    void aSecondRunIntoTheSameCheckpointDirIsRefusedWhileTheFirstLives() throws Exception {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("train.csv"), 600, 8, true);
        Path ck = dir.resolve("checkpoints");
        Path lock = ck.resolve(".lock");
        List<String> first = new ArrayList<>(List.of("train"));
        first.addAll(options(data, ck));
        first.addAll(List.of("--out", dir.resolve("first").toString()));
        Path log = dir.resolve("first.log");
        Process p = Jvm.start(List.of("-Xmx1g", "-Dspark.master=local[2]", "-Dspark.ui.enabled=false"), Main.class.getName(),
                first, log, java.util.Map.of());
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!Files.exists(lock) || Files.size(lock) == 0) {
                assertTrue(p.isAlive(), "the first run ended before taking the directory:\n" + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "no lease within 3 minutes");
                Thread.sleep(20);
            }
            // it names the first run: this host, its pid
            assertTrue(Files.readString(lock).contains("pid=" + p.pid() + "\n"), Files.readString(lock));

            List<String> second = new ArrayList<>(List.of("train"));
            second.addAll(options(data, ck));
            second.addAll(List.of("--out", dir.resolve("second").toString()));
            CliRun r = CliRun.of(second.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--checkpoint-dir " + ck + " is in use by the run on host ")
                    && r.err().contains(" (pid " + p.pid() + ") since ")
                    && r.err().contains(": wait for it to end, or give another directory"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(dir.resolve("second")), "nothing of the second run");
            // so is a --resume into it, and the library's fit
            List<String> resume = new ArrayList<>(second);
            resume.add("--resume");
            CliRun rr = CliRun.of(resume.toArray(String[]::new));
            assertEquals(2, rr.code(), rr.err());
            assertTrue(rr.err().contains(" (pid " + p.pid() + ") since "), rr.err());
            String lib = assertThrows(InputException.class, () -> DigitTrainer.builder().data(data.toString()).hidden(12)
                    .batchSize(30).epochs(1).checkpointDir(ck.toString()).build().fit()).getMessage();
            assertTrue(lib.contains("is in use by the run on host ") && lib.contains("(pid " + p.pid() + ")"), lib);
            assertTrue(Files.readString(lock).contains("pid=" + p.pid() + "\n"), "the first run's lease is left alone");

            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the first run did not end");
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertFalse(Files.exists(lock), "the first run let go of the directory when it ended");
        List<Long> steps = checkpointSteps(ck);
        assertEquals(List.of(240L, 220L), steps, "the first run's checkpoints, the newest two");

        // its checkpoints resume: as if stopped after step 239, to the same weights
        Files.delete(ck.resolve(String.format("ckpt-%012d", 240)));
        List<String> again = new ArrayList<>(List.of("train"));
        again.addAll(options(data, ck));
        again.addAll(List.of("--out", dir.resolve("resumed").toString(), "--resume"));
        CliRun r = CliRun.of(again.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("first/model.safetensors")),
                Files.readAllBytes(dir.resolve("resumed/model.safetensors")));
        assertFalse(Files.exists(lock), "let go of again");
    }

    @Test
    void theLibraryHoldsTheDirectoryFromPrepareUntilFitEndsEvenWhenItFails() throws Exception {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("lib.csv"), 100, 9, true);
        Path ck = dir.resolve("lib-ck");
        Path lock = ck.resolve(".lock");
        DigitTrainer t = DigitTrainer.builder().data(data.toString()).hidden(8).batchSize(20).epochs(1).partitions(2)
                .checkpointDir(ck.toString()).checkpointEvery(2).build();
        t.prepare(SparkTestSession.get().sparkContext().hadoopConfiguration());
        assertTrue(Files.exists(lock));
        CliRun r = CliRun.of("train", "--data", data.toString(), "--out", dir.resolve("cli").toString(),
                "--checkpoint-dir", ck.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is in use by the run on host ") && r.err().contains("(pid " + ProcessHandle.current().pid()
                + ")"), r.err());
        t.fit();
        assertFalse(Files.exists(lock), "fit let go of it");
        assertEquals(List.of(4L, 2L), checkpointSteps(ck));

        // a run that fails after taking the directory lets go of it too
        Path ck2 = dir.resolve("lib-ck2");
        InputException e = assertThrows(InputException.class, () -> DigitTrainer.builder().data(data.toString()).hidden(8)
                .batchSize(500).epochs(1).checkpointDir(ck2.toString()).build().fit());
        assertTrue(e.getMessage().contains("--batch-size 500 is larger than the"), e.getMessage());
        assertFalse(Files.exists(ck2.resolve(".lock")));
        // and prepare without fit: release()
        DigitTrainer u = DigitTrainer.builder().data(data.toString()).checkpointDir(ck2.toString()).build();
        u.prepare(SparkTestSession.get().sparkContext().hadoopConfiguration());
        assertTrue(Files.exists(ck2.resolve(".lock")));
        u.release();
        assertFalse(Files.exists(ck2.resolve(".lock")));
    }

    /** Steps of the checkpoint files, newest first. */
    private static List<Long> checkpointSteps(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("ckpt-"))
                    .map(n -> Long.parseLong(n.substring(5))).sorted((x, y) -> Long.compare(y, x)).toList();
        }
    }
}
