package org.sparkdigits.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.TestCsv;

/**
 * Downloads against a loopback HTTP server with three "mirrors": one that answers 404, one that serves
 * corrupt files (wrong content) and one that serves the real IDX files from ../shared/mnist/idx.
 */
class MnistDownloaderTest {

    private static HttpServer server;
    private static String base;
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    @BeforeAll
    static void serve() throws IOException {
        Path idx = TestCsv.mnist("idx/train-labels-idx1-ubyte.gz").getParent();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/missing/", ex -> {
            REQUESTS.incrementAndGet();
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.createContext("/corrupt/", ex -> {
            REQUESTS.incrementAndGet();
            byte[] body = Files.readAllBytes(TestCsv.mnist("idx/t10k-labels-idx1-ubyte.gz")); // wrong file for most
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.createContext("/good/", ex -> {
            REQUESTS.incrementAndGet();
            String name = Path.of(ex.getRequestURI().getPath()).getFileName().toString();
            byte[] body = Files.readAllBytes(idx.resolve(name));
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void fallsBackAcrossMirrorsVerifiesAndWritesBothCsvs(@TempDir Path dir) throws IOException {
        List<Path> written = new MnistDownloader(List.of(base + "/missing/", base + "/corrupt", base + "/good/"))
                .download(dir.resolve("data"));
        Path train = written.get(0);
        Path test = written.get(1);
        assertEquals(dir.resolve("data/mnist_train.csv"), train);
        try (Stream<String> lines = Files.lines(train)) {
            List<String> head = lines.limit(6).toList();
            assertTrue(head.get(0).startsWith("label,pixel0,pixel1,"));
            assertEquals("5 0 4 1 9", String.join(" ", head.subList(1, 6).stream().map(l -> l.substring(0, 1)).toList()));
            assertEquals(785, head.get(1).split(",").length);
        }
        try (Stream<String> lines = Files.lines(test)) {
            assertEquals(10_001, lines.count());
        }
        try (Stream<String> lines = Files.lines(train)) {
            assertEquals(60_001, lines.count());
        }
        try (Stream<Path> files = Files.list(dir.resolve("data"))) {
            assertEquals(2, files.count(), "no temporary files left");
        }
    }

    @Test
    void failsWithEveryMirrorsReasonWhenNoneServesIntactFiles(@TempDir Path dir) {
        MnistDownloader.DownloadException e = assertThrows(MnistDownloader.DownloadException.class,
                () -> new MnistDownloader(List.of(base + "/missing/", base + "/corrupt/")).download(dir));
        assertTrue(e.getMessage().startsWith("could not download train-images-idx3-ubyte.gz from any mirror"), e.getMessage());
        assertTrue(e.getMessage().contains("/missing/train-images-idx3-ubyte.gz: HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("SHA-256 of the content is"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("mnist_train.csv")));
    }

    @Test
    void trainWithoutDataDownloadsTheDefaultFilesFirst(@TempDir Path dir) throws IOException {
        org.sparkdigits.testing.SparkTestSession.get();
        Path defaults = Files.writeString(dir.resolve("train.properties"),
                "data = " + dir.resolve("data/mnist_train.csv") + "\ntest = " + dir.resolve("data/mnist_test.csv") + "\n");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = org.sparkdigits.cli.Main.run(new String[] {"train", "--defaults", defaults.toString(),
                "--mirror", base + "/missing/," + base + "/good/", "--iterations", "2", "--out", dir.resolve("m").toString()},
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertEquals(0, code, err.toString());
        assertTrue(Files.exists(dir.resolve("data/mnist_train.csv")));
        assertTrue(out.toString().contains("test accuracy "), out.toString());
        assertTrue(Files.readString(dir.resolve("m/metrics.json")).contains("\"train_rows\" : 60000"));
    }

    @Tag("slow")
    @Test
    void theTestsObtainMnistIntoAnEmptyCacheAsAUsersMachineWould(@TempDir Path dir) throws IOException {
        Path cache = dir.resolve("cache/mnist");
        org.sparkdigits.testing.MnistFiles.obtain(cache, List.of(base + "/missing/", base + "/good/"));
        for (String f : List.of("mnist_train.csv.gz", "mnist_test.csv.gz", "idx/train-images-idx3-ubyte.gz",
                "idx/train-labels-idx1-ubyte.gz", "idx/t10k-images-idx3-ubyte.gz", "idx/t10k-labels-idx1-ubyte.gz")) {
            assertTrue(Files.isRegularFile(cache.resolve(f)), f);
        }
        // the layout of ../shared/mnist: the training CSV with the Kaggle header, the test CSV without
        List<String> train = gunzipLines(cache.resolve("mnist_train.csv.gz"));
        List<String> test = gunzipLines(cache.resolve("mnist_test.csv.gz"));
        assertEquals(60_001, train.size());
        assertEquals(10_000, test.size());
        assertTrue(train.get(0).startsWith("label,pixel0,"));
        assertEquals(gunzipLines(TestCsv.mnist("mnist_test.csv.gz")), test, "the same rows as the shared test CSV");
        assertEquals("5 0 4 1 9", String.join(" ", train.subList(1, 6).stream().map(l -> l.substring(0, 1)).toList()));
        try (Stream<Path> left = Files.list(cache.getParent())) {
            assertEquals(List.of(cache), left.toList(), "no temporary directory left");
        }
    }

    @Test
    void aRefusedConnectionSaysSo(@TempDir Path dir) throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MnistDownloader.DownloadException e = assertThrows(MnistDownloader.DownloadException.class,
                () -> new MnistDownloader(List.of("http://127.0.0.1:" + port + "/")).download(dir));
        assertTrue(e.getMessage().contains("http://127.0.0.1:" + port + "/train-images-idx3-ubyte.gz: cannot connect ("),
                e.getMessage());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
    }

    /**
     * Offline (every mirror refusing the connection), {@code download} and {@code train} without data end their one
     * error line with what to do: {@code --mirror URL}, {@code download --mirror URL}, or {@code --data}/{@code --test}.
     */
    @Test
    void offlineTheErrorSaysWhatToDo(@TempDir Path dir) throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String refused = "http://127.0.0.1:" + port + "/";
        org.sparkdigits.testing.SparkTestSession.get();
        Path defaults = Files.writeString(dir.resolve("train.properties"),
                "data = " + dir.resolve("data/mnist_train.csv") + "\ntest = " + dir.resolve("data/mnist_test.csv") + "\n");
        for (String[] args : List.of(new String[] {"download", "--dir", dir.resolve("data").toString(), "--mirror", refused},
                new String[] {"train", "--defaults", defaults.toString(), "--mirror", refused, "--out",
                        dir.resolve("m").toString()})) {
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int code = org.sparkdigits.cli.Main.run(args, new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true),
                    new java.io.PrintStream(err, true));
            List<String> lines = err.toString().lines().toList();
            assertEquals(1, code, err.toString());
            assertEquals(1, lines.size(), "one line: " + err);
            String line = lines.get(0);
            assertTrue(line.startsWith("error: could not download train-images-idx3-ubyte.gz from any mirror ("), line);
            assertTrue(line.contains(refused + "train-images-idx3-ubyte.gz: cannot connect"), line);
            assertTrue(line.endsWith("give --mirror URL (a folder serving the four IDX files train-images-idx3-ubyte.gz ...; "
                    + "the option may repeat), or run ./submit.sh download --mirror URL, or train on files you have with "
                    + "--data FILE --test FILE"), line);
        }
        assertFalse(Files.exists(dir.resolve("m")), "no model directory");
    }

    private static List<String> gunzipLines(Path gz) throws IOException {
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(gz)), java.nio.charset.StandardCharsets.US_ASCII))) {
            return r.lines().toList();
        }
    }

    @Test
    void idxParserChecksMagicAndSize() {
        assertThrows(IllegalArgumentException.class, () -> Idx.labels(new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0}, "x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Idx.labels(new byte[] {0, 0, 8, 1, 0, 0, 0, 5, 1, 2}, "x"));
        assertTrue(e.getMessage().contains("truncated"));
        assertEquals(2, Idx.labels(new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1, 2}, "x").length);
    }
}
