package org.sparkdigits.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.io.InputException;

/**
 * Which checkpoints a driver continues without --resume: a YARN re-attempt those of its own application's first
 * attempt, and nothing else (the kill of a real ApplicationMaster is in {@code cluster/YarnClusterTest}).
 */
@Tag("spark-layer")
class YarnAttemptTest {

    @TempDir
    Path dir;

    private static final Optional<YarnAttempt> FIRST = Optional.of(new YarnAttempt("application_1796_0003", 1));
    private static final Optional<YarnAttempt> SECOND = Optional.of(new YarnAttempt("application_1796_0003", 2));

    @Test
    void readsTheAttemptFromTheContainerId() {
        assertEquals(Optional.of(new YarnAttempt("application_1796197338675_0003", 2)),
                YarnAttempt.parse("container_1796197338675_0003_02_000001"));
        assertEquals(Optional.of(new YarnAttempt("application_1796197338675_0012", 1)),
                YarnAttempt.parse("container_e17_1796197338675_0012_01_000004"));   // with the RM's epoch
        assertEquals(Optional.empty(), YarnAttempt.parse(null));
        assertEquals(Optional.empty(), YarnAttempt.parse("driver-20261202-0001"));
        assertFalse(FIRST.get().reattempt());
        assertTrue(SECOND.get().reattempt());
    }

    private String checkpointDirWithOneCheckpoint() throws IOException {
        Path ck = Files.createDirectories(dir.resolve("ck"));
        Files.write(ck.resolve("ckpt-000000000010"), new byte[] {1});
        return ck.toString();
    }

    @Test
    void aReattemptContinuesItsFirstAttemptsCheckpoints() throws IOException {
        Path ck = dir.resolve("ck");
        Configuration conf = new Configuration();
        assertFalse(CheckpointStore.checkTarget(ck.toString(), false, FIRST, conf));   // a fresh run: empty, owned
        assertEquals("application_1796_0003", Files.readString(ck.resolve(CheckpointStore.OWNER)).trim());
        Files.write(ck.resolve("ckpt-000000000010"), new byte[] {1});
        assertTrue(CheckpointStore.checkTarget(ck.toString(), false, SECOND, conf));
    }

    @Test
    void aReattemptWithoutCheckpointsStartsFromTheBeginning() {
        assertFalse(CheckpointStore.checkTarget(dir.resolve("empty").toString(), false, SECOND, new Configuration()));
    }

    @Test
    void neitherAFreshSubmissionNorAnotherApplicationsReattemptContinuesCheckpoints() throws IOException {
        String ck = checkpointDirWithOneCheckpoint();
        Configuration conf = new Configuration();
        String fresh = assertThrows(InputException.class, () -> CheckpointStore.checkTarget(ck, false, FIRST, conf)).getMessage();
        assertTrue(fresh.contains("already holds checkpoints (newest: ckpt-000000000010): add --resume"), fresh);
        assertThrows(InputException.class, () -> CheckpointStore.checkTarget(ck, false, Optional.empty(), conf));
        String unowned = assertThrows(InputException.class, () -> CheckpointStore.checkTarget(ck, false, SECOND, conf)).getMessage();
        assertTrue(unowned.contains("that no application wrote, not application_1796_0003 (attempt 2)"), unowned);
        Files.writeString(Path.of(ck, CheckpointStore.OWNER), "application_1796_0001\n");
        String other = assertThrows(InputException.class, () -> CheckpointStore.checkTarget(ck, false, SECOND, conf)).getMessage();
        assertTrue(other.contains("that application_1796_0001 wrote, not application_1796_0003"), other);
        // --resume given by the user continues them, whoever wrote them
        assertTrue(CheckpointStore.checkTarget(ck, true, Optional.empty(), conf));
    }
}
