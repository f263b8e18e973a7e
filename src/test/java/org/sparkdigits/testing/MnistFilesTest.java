package org.sparkdigits.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tests' MNIST lookup: the project's {@code data/}, as {@code ./submit.sh train} and {@code download} write it, is
 * used after {@code -Dmnist.dir} and {@code ../shared/mnist}; with nothing anywhere the failure says how to provide it.
 */
class MnistFilesTest {

    /** A mirror that refuses connections: offline. */
    private static List<String> offline() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return List.of("http://127.0.0.1:" + s.getLocalPort() + "/");
        }
    }

    @Tag("slow")
    @Test
    void theProjectsDataFolderIsUsedWhenNothingElseIsThere(@TempDir Path dir) throws IOException {
        // data/ as ./submit.sh download writes it: both CSVs with the label,pixel0,... header, not compressed
        Path data = Files.createDirectories(dir.resolve("project/data"));
        List<String> test = gunzipLines(MnistFiles.dir().resolve(MnistFiles.TEST_CSV));
        copyWithHeader(MnistFiles.dir().resolve(MnistFiles.TRAIN_CSV), data.resolve("mnist_train.csv"), true);
        copyWithHeader(MnistFiles.dir().resolve(MnistFiles.TEST_CSV), data.resolve("mnist_test.csv"), false);
        Path cache = dir.resolve("cache/mnist");

        Path found = MnistFiles.locate("", dir.resolve("no-shared"), data, cache, offline());

        assertEquals(cache.toAbsolutePath().normalize(), found);
        assertTrue(MnistFiles.complete(found));
        assertEquals(test, gunzipLines(found.resolve(MnistFiles.TEST_CSV)), "the same test rows, without the header");
        List<String> train = gunzipLines(found.resolve(MnistFiles.TRAIN_CSV));
        assertEquals(60_001, train.size());
        assertTrue(train.get(0).startsWith("label,pixel0,"));
        // and the IDX files, byte for byte the originals' content (checked against their SHA-256 on the way)
        for (String idx : MnistFiles.IDX) {
            assertTrue(Files.isRegularFile(found.resolve("idx").resolve(idx)), idx);
        }
    }

    @Test
    void dataThatIsNotMnistIsNotUsedAndTheFailureSaysWhatToDo(@TempDir Path dir) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        TestCsv.labelled(data.resolve("mnist_train.csv"), 20, 1, true);
        TestCsv.labelled(data.resolve("mnist_test.csv"), 20, 2, true);
        AssertionError e = assertThrows(AssertionError.class,
                () -> MnistFiles.locate("", dir.resolve("no-shared"), data, dir.resolve("cache"), offline()));
        assertTrue(e.getMessage().contains("mnist_train.csv does not hold MNIST's rows"), e.getMessage());
        assertHow(e);
        assertFalse(Files.exists(dir.resolve("cache")), "nothing half-written");
    }

    @Test
    void withNothingAnywhereTheFailureSaysHowToProvideIt(@TempDir Path dir) throws IOException {
        AssertionError e = assertThrows(AssertionError.class,
                () -> MnistFiles.locate("", dir.resolve("no-shared"), dir.resolve("data"), dir.resolve("cache"), offline()));
        assertTrue(e.getMessage().contains("the download failed: could not download"), e.getMessage());
        assertHow(e);
    }

    private static void assertHow(AssertionError e) {
        assertTrue(e.getMessage().endsWith(MnistFiles.HOW), e.getMessage());
        assertTrue(MnistFiles.HOW.contains("-Dmnist.dir=DIR") && MnistFiles.HOW.contains("-Dmnist.mirror=URL"));
    }

    private static void copyWithHeader(Path gz, Path csv, boolean hasHeader) throws IOException {
        try (BufferedReader r = reader(gz); Writer w = Files.newBufferedWriter(csv, StandardCharsets.US_ASCII)) {
            if (!hasHeader) {
                w.write(TestCsv.header(true));
                w.write('\n');
            }
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                w.write(line);
                w.write('\n');
            }
        }
    }

    private static BufferedReader reader(Path gz) throws IOException {
        return new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.US_ASCII));
    }

    private static List<String> gunzipLines(Path gz) throws IOException {
        try (BufferedReader r = reader(gz)) {
            return r.lines().toList();
        }
    }
}
