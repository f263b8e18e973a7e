package org.sparkdigits.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.checkpoint.CheckpointStore;
import org.sparkdigits.checkpoint.YarnAttempt;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelManifest;
import org.sparkdigits.model.ModelStore;

/**
 * Every read of a file of ours goes through one gate ({@link HadoopFs#open}): a FIFO, or a symbolic link to
 * {@code /dev/zero}, where a file is read ends at once with a line naming it, never a hang. Each reader is tried with
 * both; a scan of the sources keeps a future reader from opening a file around the gate.
 */
class ReadGateTest {

    /** A hang guard, not a timing: each case ends in milliseconds; the old code blocked forever on a FIFO. */
    private static final Duration GUARD = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static void fifo(Path p) throws IOException, InterruptedException {
        Files.deleteIfExists(p);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo");
    }

    private static void devZero(Path p) throws IOException {
        Files.deleteIfExists(p);
        Files.createSymbolicLink(p, Path.of("/dev/zero"));
    }

    /** The hostile files a reader is tried with: a FIFO, then a link to /dev/zero. */
    private interface Hostile {
        void make(Path p) throws Exception;
    }

    private static final List<Hostile> HOSTILE = List.of(ReadGateTest::fifo, ReadGateTest::devZero);

    private static String refusedQuickly(Executable read) {
        return assertTimeoutPreemptively(GUARD, () -> assertThrows(InputException.class, read).getMessage());
    }

    @Test
    void theGateRefusesFifosDevicesDirectoriesAndLongFilesByName() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path f = dir.resolve("x");
        for (Hostile h : HOSTILE) {
            h.make(f);
            String e = refusedQuickly(() -> HadoopFs.open(fs, new org.apache.hadoop.fs.Path(f.toString()), "model", 100));
            assertTrue(e.startsWith("model: ") && e.contains(f.toString()) && e.contains("not a regular file"), e);
            e = refusedQuickly(() -> HadoopFs.openLocal(f, "--defaults", 100));
            assertTrue(e.contains(f.toString()) && e.contains("not a regular file"), e);
        }
        Files.delete(f);
        Files.write(f, new byte[101]);
        String e = refusedQuickly(() -> HadoopFs.readAll(fs, new org.apache.hadoop.fs.Path(f.toString()), "model", 100));
        assertEquals("model: " + f + " is 101 bytes, more than such a file can be (100)", e);
        assertEquals(101, HadoopFs.readAll(fs, new org.apache.hadoop.fs.Path(f.toString()), "model", 101).length);
        e = refusedQuickly(() -> HadoopFs.open(fs, new org.apache.hadoop.fs.Path(dir.toString()), "model", 100));
        assertTrue(e.endsWith("is a directory, not a file"), e);
    }

    @Test
    void aManifestListingAFifoOrDevZeroIsRefusedNotHashed() throws Exception {
        Configuration conf = new Configuration();
        conf.set(ModelManifest.SETTING, "manifest");
        String m = dir.resolve("m").toString();
        ModelStore.write(m, conf, new Model(Initializer.SEED.initialize(NetworkShape.mnist(3), 1), Map.of("seed", 1)),
                Map.of("test_accuracy", 0.5), List.of("iteration,loss,train_accuracy,elapsed_ms", "1,2.3,0.1,5"), Map.of());
        for (String listed : List.of(ModelStore.METRICS_JSON, ModelStore.WEIGHTS)) {
            for (Hostile h : HOSTILE) {
                Path p = Path.of(m, listed);
                byte[] keep = Files.readAllBytes(p);
                h.make(p);
                String e = refusedQuickly(() -> ModelStore.read(m, conf));
                assertTrue(e.contains(listed) && e.contains("not a regular file"), e);
                // the report's rewrite of the manifest reads every listed file too
                // (a link to /dev/zero is refused before that: nothing is written into a directory holding a link)
                e = refusedQuickly(() -> ModelStore.replaceFile(m, ModelStore.REPORT_HTML, new byte[] {'x'}, conf));
                assertTrue(e.contains(listed) && (e.contains("not a regular file")
                        || e.contains(listed + ", a symbolic link: refusing to write through it")), e);
                Files.delete(p);
                Files.write(p, keep);
            }
        }
    }

    @Test
    void aFifoNamedLikeACheckpointIsSkippedByResumeNotReadForever() throws Exception {
        Configuration conf = new Configuration();
        for (Hostile h : HOSTILE) {
            Path d = Files.createDirectories(dir.resolve("ck" + HOSTILE.indexOf(h)));
            h.make(d.resolve("ckpt-000000000007"));
            CheckpointStore store = new CheckpointStore(d.toString(), conf);
            assertEquals(Optional.empty(), assertTimeoutPreemptively(GUARD, () -> store.newest("f", 1 << 20, c -> null)));
        }
    }

    @Test
    void aFifoAsTheApplicationRecordEndsAReattemptWithItsName() throws Exception {
        Configuration conf = new Configuration();
        for (Hostile h : HOSTILE) {
            Path d = Files.createDirectories(dir.resolve("yarn" + HOSTILE.indexOf(h)));
            Files.write(d.resolve("ckpt-000000000007"), new byte[] {1, 2, 3});
            h.make(d.resolve(".application-id"));
            String e = refusedQuickly(() -> CheckpointStore.checkTarget(d.toString(), false,
                    Optional.of(new YarnAttempt("application_1700000000000_0001", 2)), conf));
            assertTrue(e.contains(".application-id") && e.contains("not a regular file"), e);
        }
    }

    @Test
    void anImageOrDefaultsFileThatIsAFifoIsRefused() throws Exception {
        for (Hostile h : HOSTILE) {
            Path img = dir.resolve("digit.png");
            h.make(img);
            String e = refusedQuickly(() -> org.sparkdigits.image.DigitImage.read(img));
            assertTrue(e.contains(img.toString()) && e.contains("not a regular file"), e);
        }
    }

    /** Matches a read that opens a file directly: Hadoop's {@code open}, or java.nio/java.io readers of files. */
    private static final Pattern DIRECT_READ = Pattern.compile(
            "(?<![A-Za-z])(fs|getFileSystem\\([^)]*\\))\\.open\\(|(?<![A-Za-z])Files\\.(newInputStream|newBufferedReader|readAllBytes|readString|lines)\\("
                    + "|new (FileInputStream|FileReader|RandomAccessFile)\\(|ImageIO\\.(read|createImageInputStream)\\(");

    @Test
    void noReaderOpensAFileAroundTheGate() throws IOException {
        List<String> found = new ArrayList<>();
        Path main = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.endsWith(Path.of("io", "HadoopFs.java"))) {
                    continue;   // the gate itself
                }
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (DIRECT_READ.matcher(lines.get(i)).find()) {
                        found.add(main.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        assertEquals(List.of(), found, "read through HadoopFs.open / readAll / openLocal, which check the file first");
    }
}
