package org.sparkdigits.download;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.io.AtomicFiles;

/**
 * Fetches the original MNIST IDX files from public mirrors (trying each in turn), verifies the SHA-256
 * of their decompressed content (mirrors compress differently; the IDX bytes are canonical), and writes
 * {@code mnist_train.csv} (60,000 rows) and {@code mnist_test.csv} (10,000 rows), each with the header
 * {@code label,pixel0,...,pixel783}. Files are written atomically. Library code: throws, never exits.
 */
public final class MnistDownloader {

    private static final Logger LOG = LoggerFactory.getLogger(MnistDownloader.class);

    /** Public mirrors of the original files, tried in order. */
    public static final List<String> DEFAULT_MIRRORS = List.of(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/");

    /** A file of the set and the SHA-256 of its decompressed IDX content. */
    record IdxFile(String name, String sha256) {
    }

    static final IdxFile TRAIN_IMAGES = new IdxFile("train-images-idx3-ubyte.gz",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    static final IdxFile TRAIN_LABELS = new IdxFile("train-labels-idx1-ubyte.gz",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    static final IdxFile TEST_IMAGES = new IdxFile("t10k-images-idx3-ubyte.gz",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    static final IdxFile TEST_LABELS = new IdxFile("t10k-labels-idx1-ubyte.gz",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    public static final String TRAIN_CSV = "mnist_train.csv";
    public static final String TEST_CSV = "mnist_test.csv";

    /** Download failed from every mirror. */
    public static final class DownloadException extends RuntimeException {
        public DownloadException(String message) {
            super(message);
        }
    }

    private final List<String> mirrors;
    private final HttpClient http;

    public MnistDownloader(List<String> mirrors) {
        if (mirrors.isEmpty()) {
            throw new IllegalArgumentException("no mirror given");
        }
        this.mirrors = mirrors.stream().map(m -> m.endsWith("/") ? m : m + "/").toList();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Downloads, verifies and writes both CSVs into {@code dir}; returns their paths (train, test). */
    public List<Path> download(Path dir) {
        byte[] trainImages = Idx.images(fetch(TRAIN_IMAGES), TRAIN_IMAGES.name());
        byte[] trainLabels = Idx.labels(fetch(TRAIN_LABELS), TRAIN_LABELS.name());
        byte[] testImages = Idx.images(fetch(TEST_IMAGES), TEST_IMAGES.name());
        byte[] testLabels = Idx.labels(fetch(TEST_LABELS), TEST_LABELS.name());
        Path train = dir.resolve(TRAIN_CSV);
        Path test = dir.resolve(TEST_CSV);
        writeCsv(train, trainLabels, trainImages);
        writeCsv(test, testLabels, testImages);
        LOG.info("wrote {} ({} rows) and {} ({} rows)", train, trainLabels.length, test, testLabels.length);
        return List.of(train, test);
    }

    /**
     * Downloads and verifies the four IDX files and writes them into {@code dir} gzip-compressed under their usual names
     * ({@code train-images-idx3-ubyte.gz} ...), atomically; returns their paths.
     */
    public List<Path> downloadIdx(Path dir) {
        List<Path> out = new ArrayList<>();
        for (IdxFile f : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            byte[] content = fetch(f);
            Path target = dir.resolve(f.name());
            try {
                AtomicFiles.write(target, tmp -> {
                    try (java.io.OutputStream gz = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(tmp))) {
                        gz.write(content);
                    }
                });
            } catch (UncheckedIOException e) {
                throw new DownloadException(e.getMessage());
            }
            out.add(target);
        }
        return out;
    }

    /** The decompressed content of {@code file}, from the first mirror that serves it intact. */
    byte[] fetch(IdxFile file) {
        List<String> failures = new ArrayList<>();
        for (String mirror : mirrors) {
            String url = mirror + file.name();
            try {
                LOG.info("downloading {}", url);
                HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build();
                HttpResponse<java.io.InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                byte[] body;
                try (java.io.InputStream in = resp.body()) {
                    body = in.readNBytes(MAX_DOWNLOAD + 1);
                }
                if (resp.statusCode() != 200) {
                    failures.add(url + ": HTTP " + resp.statusCode());
                } else if (body.length > MAX_DOWNLOAD) {
                    failures.add(url + ": more than " + MAX_DOWNLOAD + " bytes, not an MNIST file");
                } else {
                    byte[] content = gunzip(body);
                    String sha = sha256(content);
                    if (sha.equals(file.sha256())) {
                        return content;
                    }
                    failures.add(url + ": SHA-256 of the content is " + sha + ", expected " + file.sha256());
                }
            } catch (IOException | IllegalArgumentException e) {
                failures.add(url + ": " + org.sparkdigits.io.HadoopFs.describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DownloadException("interrupted while downloading " + url);
            }
            LOG.warn("{}", failures.get(failures.size() - 1));
        }
        throw new DownloadException("could not download " + file.name() + " from any mirror (" + String.join("; ", failures) + ")");
    }

    /** Bytes of one downloaded file at most, and of its content (the largest, the training images, is 9.9 MB / 47 MB). */
    static final int MAX_DOWNLOAD = 64 << 20;

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            byte[] content = in.readNBytes(MAX_DOWNLOAD + 1);
            if (content.length > MAX_DOWNLOAD) {
                throw new IOException("it inflates to more than " + MAX_DOWNLOAD + " bytes: not an MNIST file");
            }
            return content;
        }
    }

    /**
     * Whether {@code content} is the decompressed content of the original MNIST file {@code name}
     * ({@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz} or
     * {@code t10k-labels-idx1-ubyte.gz}), by the SHA-256 the downloads are checked against.
     */
    public static boolean isOriginal(String name, byte[] content) {
        for (IdxFile f : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            if (f.name().equals(name)) {
                return f.sha256().equals(sha256(content));
            }
        }
        throw new IllegalArgumentException("not an MNIST file name: " + name);
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code label,pixel0..pixel783} rows, with that header, atomically. */
    static void writeCsv(Path file, byte[] labels, byte[] pixels) {
        List<String> lines = new ArrayList<>(labels.length + 1);
        StringBuilder h = new StringBuilder("label");
        for (int j = 0; j < 784; j++) {
            h.append(",pixel").append(j);
        }
        lines.add(h.toString());
        StringBuilder sb = new StringBuilder(4 * 785);
        for (int i = 0; i < labels.length; i++) {
            sb.setLength(0);
            sb.append(labels[i]);
            for (int j = 0; j < 784; j++) {
                sb.append(',').append(pixels[i * 784 + j] & 0xFF);
            }
            lines.add(sb.toString());
        }
        try {
            AtomicFiles.writeLines(file, lines);
        } catch (UncheckedIOException e) {
            throw new DownloadException(e.getMessage());
        }
    }

}
