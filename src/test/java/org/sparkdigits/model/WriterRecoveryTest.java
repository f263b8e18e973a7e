package org.sparkdigits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

/**
 * Recovery touches only what provably belongs to no live writer: a temporary directory whose owner record names a
 * running process (or a fresh lease of another host) is left alone; one of a process that is gone, of a pid that now
 * belongs to another process, or of a lease run out is removed. A lock of a gone writer is taken over; a live one is
 * waited for, and a writer that gives up names it.
 */
class WriterRecoveryTest {

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();
    private final Parameters params = Initializer.SEED.initialize(NetworkShape.mnist(5), 9);

    private Path write(Path out, Configuration c) {
        ModelStore.write(out.toString(), c, new Model(params, Map.of("seed", 9)), Map.of("test_accuracy", 0.5),
                List.of("iteration,loss", "1,2.3"), Map.of());
        return out;
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A process id that was running a moment ago and is not any more. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertFalse(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false));
        return p.pid();
    }

    /** A half-filled temporary directory of write {@code id}, with its owner record. */
    private Path leftover(String id, Writers.Owner owner) throws IOException {
        Path tmp = Files.createDirectories(dir.resolve(".m.tmp-" + id));
        Files.writeString(tmp.resolve(ModelStore.WEIGHTS), "half written");
        Files.write(dir.resolve(".m.writer-" + id), owner.bytes());
        return tmp;
    }

    @Test
    void recoveryRemovesOnlyTheLeftoversOfWritersThatAreGone() throws Exception {
        Path m = write(dir.resolve("m"), conf);
        Writers.Owner me = Writers.Owner.current();
        String here = Writers.localHost();
        long now = System.currentTimeMillis();
        leftover("live", me);
        leftover("dead", new Writers.Owner(here, deadPid(), 0, now));
        leftover("reused", new Writers.Owner(here, me.pid(), me.processStart() - 60_000, now));   // the pid, another process
        leftover("far", new Writers.Owner("elsewhere.example", 42, 0, now));
        leftover("farexpired", new Writers.Owner("elsewhere.example", 43, 0, now - 3_600_000));
        ModelDirectoryTest.aged(dir.resolve(".m.writer-farexpired"));
        Files.createDirectories(dir.resolve(".m.tmp-norecord"));   // an older spark-digits', fresh

        List<String> notes = ModelStore.recover(m.toString(), conf);
        assertEquals(3, notes.size(), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("removed .m.tmp-dead") && n.contains("host")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("removed .m.tmp-reused")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("removed .m.tmp-farexpired")
                && n.contains("host elsewhere.example, pid 43")), notes.toString());
        assertEquals(List.of(".m.tmp-far", ".m.tmp-live", ".m.tmp-norecord", ".m.writer-far", ".m.writer-live", "m"),
                names(dir), "the live writers' directories and records, and the fresh one without a record, are kept");
        assertArrayEquals(params.values(), ModelStore.read(m).parameters().values(), 0.0);

        // a later write leaves them alone too
        write(m, conf);
        assertEquals(List.of(".m.tmp-far", ".m.tmp-live", ".m.tmp-norecord", ".m.writer-far", ".m.writer-live", "m"), names(dir));
    }

    @Test
    void aPreviousModelOfAWriterThatDiedBetweenTheRenamesIsPutBack() throws Exception {
        Path m = write(dir.resolve("m"), conf);
        byte[] weights = Files.readAllBytes(m.resolve(ModelStore.WEIGHTS));
        Files.move(m, dir.resolve(".m.old-x"));
        Writers.Owner gone = new Writers.Owner(Writers.localHost(), deadPid(), 0, System.currentTimeMillis());
        Files.write(dir.resolve(".m.writer-x"), gone.bytes());
        Files.write(dir.resolve(".m.lock"), gone.bytes());   // it died holding the lock

        // meanwhile a read says what is going on, not just "no such directory"
        String e = assertThrows(ModelException.class, () -> ModelStore.read(m)).getMessage();
        assertTrue(e.contains("an interrupted replace left the previous model in"), e);

        List<String> notes = ModelStore.recover(m.toString(), conf);
        assertTrue(notes.size() == 1 && notes.get(0).contains("put the previous model back into " + m + " from .m.old-x"),
                notes.toString());
        assertEquals(List.of("m"), names(dir), "the lock of the dead writer was taken over and released, its record removed");
        assertArrayEquals(weights, Files.readAllBytes(m.resolve(ModelStore.WEIGHTS)));
    }

    @Test
    void aLiveWritersLockIsWaitedForAndTheWriterThatGivesUpNamesIt() throws Exception {
        Path m = write(dir.resolve("m"), conf);
        long since = System.currentTimeMillis();
        Writers.Owner other = new Writers.Owner("elsewhere.example", 4242, 0, since);
        Files.write(dir.resolve(".m.lock"), other.bytes());
        Configuration impatient = new Configuration();
        impatient.setLong(Writers.WAIT_SETTING, 1);
        String e = assertThrows(ModelException.class, () -> write(m, impatient)).getMessage();
        assertTrue(e.startsWith("model " + m + ": gave up after 1 s waiting for another writer of it (host elsewhere.example, "
                + "pid 4242, since "), e);
        assertFalse(e.contains("\n"), e);
        e = assertThrows(ModelException.class, () -> ModelStore.replaceFile(m.toString(), ModelStore.REPORT_HTML,
                "<html></html>".getBytes(StandardCharsets.UTF_8), impatient)).getMessage();
        assertTrue(e.contains("waiting for another writer of it (host elsewhere.example, pid 4242"), e);
        assertArrayEquals(params.values(), ModelStore.read(m).parameters().values(), 0.0);

        // while it is held, a model that is missing is being written, and the read says by whom
        Files.move(m, dir.resolve("elsewhere"));
        e = assertThrows(ModelException.class, () -> ModelStore.read(m)).getMessage();
        assertTrue(e.contains("no such directory: a write of this model is in progress (by host elsewhere.example, pid 4242"), e);

        // once its lease has run out, it is taken over
        ModelDirectoryTest.aged(dir.resolve(".m.lock"));
        write(m, impatient);
        assertEquals(List.of("elsewhere", "m"), names(dir));
    }
}
