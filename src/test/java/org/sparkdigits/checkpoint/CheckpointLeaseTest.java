package org.sparkdigits.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.io.InputException;

/**
 * One run per --checkpoint-dir: the lease is exclusive, names its run, is let go of, and is taken over only when stale
 * (a dead pid on this host, a lease not refreshed, an earlier YARN attempt of the same application). Real processes
 * stand for the other runs; the concurrent train runs are in {@code cli/SharedCheckpointDirTest}.
 */
@Tag("spark-layer")
class CheckpointLeaseTest {

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();

    private Path lock(Path ck) {
        return ck.resolve(CheckpointLease.NAME);
    }

    /** Writes the lease file of another run. */
    private void lease(Path ck, String host, long pid, Instant since, String application, int attempt) throws IOException {
        Files.createDirectories(ck);
        Files.writeString(lock(ck), new CheckpointLease.Holder(UUID.randomUUID().toString(), host, pid,
                since.truncatedTo(ChronoUnit.SECONDS), application, attempt).encode(), StandardCharsets.UTF_8);
    }

    private String refused(Path ck, Optional<YarnAttempt> attempt) {
        return assertThrows(InputException.class, () -> CheckpointLease.acquire(ck.toString(), attempt, conf)).getMessage();
    }

    private static long ended() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.pid();
    }

    @Test
    void aSecondHolderIsRefusedNamingTheFirstUntilItLetsGo() throws IOException {
        Path ck = dir.resolve("ck");
        CheckpointLease first = CheckpointLease.acquire(ck.toString(), Optional.empty(), conf);
        String text = Files.readString(lock(ck));
        assertTrue(text.contains("pid=" + ProcessHandle.current().pid()) && text.contains("host=" + CheckpointLease.host()), text);
        String e = refused(ck, Optional.empty());
        assertTrue(e.startsWith("--checkpoint-dir " + ck + " is in use by the run on host " + CheckpointLease.host()
                + " (pid " + ProcessHandle.current().pid() + ") since " + first.holder().since()
                + ": wait for it to end, or give another directory"), e);
        first.close();
        assertFalse(Files.exists(lock(ck)), "released");
        first.close();   // twice is harmless
        try (CheckpointLease second = CheckpointLease.acquire(ck.toString(), Optional.empty(), conf)) {
            assertNotEquals(first.holder().token(), CheckpointLease.read(
                    org.apache.hadoop.fs.FileSystem.getLocal(conf), new org.apache.hadoop.fs.Path(lock(ck).toString())).token());
            assertEquals(second.holder().token(), tokenIn(ck));
        }
        assertFalse(Files.exists(lock(ck)));
    }

    @Test
    void aLiveProcessOnThisHostKeepsItsLeaseAndADeadOneLosesIt() throws Exception {
        Path ck = dir.resolve("live");
        Process other = new ProcessBuilder("sleep", "600").start();
        try {
            lease(ck, CheckpointLease.host(), other.pid(), Instant.now(), null, 0);
            String e = refused(ck, Optional.empty());
            assertTrue(e.contains("is in use by the run on host " + CheckpointLease.host() + " (pid " + other.pid() + ")"), e);
        } finally {
            other.destroyForcibly();
            assertTrue(other.waitFor(30, TimeUnit.SECONDS));
        }
        // the same lease, its process gone: taken over at once (the lease itself is fresh)
        try (CheckpointLease l = CheckpointLease.acquire(ck.toString(), Optional.empty(), conf)) {
            assertEquals(l.holder().token(), tokenIn(ck));
        }
        lease(ck, CheckpointLease.host(), ended(), Instant.now(), null, 0);
        try (CheckpointLease l = CheckpointLease.acquire(ck.toString(), Optional.empty(), conf)) {
            assertEquals(l.holder().token(), tokenIn(ck));
        }
    }

    @Test
    void aLeaseOfAnotherHostIsTakenOverOnlyOnceExpired() throws Exception {
        Path ck = dir.resolve("expired");
        lease(ck, "another-host.example", 4242, Instant.now().minusSeconds(7200), null, 0);
        String e = refused(ck, Optional.empty());
        assertTrue(e.contains("in use by the run on host another-host.example (pid 4242) since "), e);
        Files.setLastModifiedTime(lock(ck), FileTime.from(Instant.now().minus(CheckpointLease.EXPIRY).minusSeconds(60)));
        try (CheckpointLease l = CheckpointLease.acquire(ck.toString(), Optional.empty(), conf)) {
            assertEquals(l.holder().token(), tokenIn(ck));
        }
        // a stale lease of this host that is its pid's no more (the pid now a later process) is taken over too
        Process later = new ProcessBuilder("sleep", "600").start();
        try {
            lease(ck, CheckpointLease.host(), later.pid(), Instant.now().minusSeconds(3600), null, 0);
            try (CheckpointLease l = CheckpointLease.acquire(ck.toString(), Optional.empty(), conf)) {
                assertEquals(l.holder().token(), tokenIn(ck));
            }
        } finally {
            later.destroyForcibly();
        }
    }

    @Test
    void aYarnReattemptTakesOverItsEarlierAttemptsLeaseOnly() throws Exception {
        Path ck = dir.resolve("yarn");
        Optional<YarnAttempt> second = Optional.of(new YarnAttempt("application_1796_0003", 2));
        lease(ck, "nm-1.example", 77, Instant.now(), "application_1796_0003", 1);
        try (CheckpointLease l = CheckpointLease.acquire(ck.toString(), second, conf)) {
            assertEquals(l.holder().token(), tokenIn(ck));
            String text = Files.readString(lock(ck));
            assertTrue(text.contains("application=application_1796_0003") && text.contains("attempt=2"), text);
        }
        lease(ck, "nm-1.example", 77, Instant.now(), "application_1796_0001", 1);
        String e = refused(ck, second);
        assertTrue(e.contains("in use by the run on host nm-1.example (pid 77, YARN application_1796_0001 attempt 1)"), e);
        lease(ck, "nm-1.example", 77, Instant.now(), "application_1796_0003", 2);   // the same attempt: alive
        assertTrue(refused(ck, second).contains("attempt 2) since"));
    }

    @Test
    void theHeartbeatRefreshesTheLeaseAndTakesItAgainIfGone() throws Exception {
        Path ck = dir.resolve("beat");
        try (CheckpointLease l = CheckpointLease.acquire(ck.toString(), Optional.empty(), conf)) {
            Instant old = Instant.now().minusSeconds(3600);
            Files.setLastModifiedTime(lock(ck), FileTime.from(old));
            l.refresh();
            assertTrue(Files.getLastModifiedTime(lock(ck)).toInstant().isAfter(old.plusSeconds(3000)),
                    "refreshed: " + Files.getLastModifiedTime(lock(ck)));
            Files.delete(lock(ck));
            l.refresh();
            assertEquals(l.holder().token(), tokenIn(ck));
        }
        assertFalse(Files.exists(lock(ck)));
    }

    @Test
    void aLeaseBeingWrittenCountsAsHeldUntilExpired() throws Exception {
        Path ck = Files.createDirectories(dir.resolve("torn"));
        Files.writeString(lock(ck), "spark-digits --checkpoint-dir lease\ntoken=x\n");
        String e = refused(ck, Optional.empty());
        assertTrue(e.contains("is in use by a run whose lease ") && e.contains("is being written"), e);
        Files.setLastModifiedTime(lock(ck), FileTime.from(Instant.now().minusSeconds(3600)));
        CheckpointLease.acquire(ck.toString(), Optional.empty(), conf).close();
        assertFalse(Files.exists(lock(ck)));
    }

    @Test
    void checkpointsIgnoreTheLease() throws Exception {
        Path ck = dir.resolve("ignored");
        try (CheckpointLease l = CheckpointLease.acquire(ck.toString(), Optional.empty(), conf)) {
            assertEquals(l.holder().token(), tokenIn(ck));
            // a fresh run finds no checkpoints beside the lease, and resuming finds none to read
            assertFalse(CheckpointStore.checkTarget(ck.toString(), false, Optional.empty(), conf));
            assertEquals(Optional.empty(), new CheckpointStore(ck.toString(), conf).newest("{}", 1000, c -> null));
        }
    }

    private String tokenIn(Path ck) throws IOException {
        return CheckpointLease.Holder.decode(Files.readString(lock(ck))).token();
    }
}
