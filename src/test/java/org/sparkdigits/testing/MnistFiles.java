package org.sparkdigits.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.sparkdigits.download.Idx;
import org.sparkdigits.download.MnistDownloader;

/**
 * Where the tests find the real MNIST, obtained the way a user obtains it:
 * <ol>
 *   <li>{@code -Dmnist.dir=DIR} when given (it must hold the files);</li>
 *   <li>else {@code ../shared/mnist} beside the project, when it is there;</li>
 *   <li>else the cache, {@code -Dmnist.cache=DIR} or {@code ~/.cache/spark-digits/mnist}, when it is complete;</li>
 *   <li>else downloaded into the cache from the mirrors of {@code ./submit.sh download} (or {@code -Dmnist.mirror=URL}),
 *       with the same SHA-256 checks of the IDX content.</li>
 * </ol>
 * The folder holds {@code mnist_train.csv.gz} (with the {@code label,pixel0,...} header), {@code mnist_test.csv.gz}
 * (without) and {@code idx/} with the four original files, gzip-compressed: the layout of {@code ../shared/mnist}.
 */
public final class MnistFiles {

    public static final String TRAIN_CSV = "mnist_train.csv.gz";
    public static final String TEST_CSV = "mnist_test.csv.gz";
    static final List<String> IDX = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    private static Path dir;

    private MnistFiles() {
    }

    /** The folder, obtained on first use. */
    public static synchronized Path dir() {
        if (dir == null) {
            dir = locate();
        }
        return dir;
    }

    private static Path locate() {
        String given = System.getProperty("mnist.dir", "");
        if (!given.isBlank()) {
            Path p = Path.of(given).toAbsolutePath().normalize();
            if (!complete(p)) {
                throw new AssertionError("-Dmnist.dir=" + given + ": " + p + " lacks " + missing(p)
                        + " (leave -Dmnist.dir out to use ../shared/mnist, the cache, or a download)");
            }
            return p;
        }
        Path shared = Path.of("..", "shared", "mnist").toAbsolutePath().normalize();
        if (complete(shared)) {
            return shared;
        }
        String cacheSetting = System.getProperty("mnist.cache", "");
        Path cache = cacheSetting.isBlank() ? Path.of(System.getProperty("user.home"), ".cache", "spark-digits", "mnist")
                : Path.of(cacheSetting).toAbsolutePath().normalize();
        if (!complete(cache)) {
            String mirror = System.getProperty("mnist.mirror", "");
            List<String> mirrors = mirror.isBlank() ? MnistDownloader.DEFAULT_MIRRORS
                    : Arrays.stream(mirror.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            System.out.println("real MNIST: not in " + shared + " nor in " + cache + ": downloading it from " + mirrors);
            obtain(cache, mirrors);
        }
        return cache;
    }

    /** Downloads, verifies and writes the folder's files into {@code target} (whole or not at all). */
    public static void obtain(Path target, List<String> mirrors) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path tmp = Files.createTempDirectory(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".tmp-");
            try {
                Path idx = Files.createDirectories(tmp.resolve("idx"));
                new MnistDownloader(mirrors).downloadIdx(idx);
                writeCsv(tmp.resolve(TRAIN_CSV), idx.resolve(IDX.get(0)), idx.resolve(IDX.get(1)), true);
                writeCsv(tmp.resolve(TEST_CSV), idx.resolve(IDX.get(2)), idx.resolve(IDX.get(3)), false);
                if (Files.exists(target)) {
                    deleteRecursively(target);
                }
                Files.move(tmp, target);
            } finally {
                if (Files.exists(tmp)) {
                    deleteRecursively(tmp);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the MNIST cache " + target + ": " + e.getMessage(), e);
        }
    }

    static boolean complete(Path p) {
        return missing(p).isEmpty();
    }

    private static String missing(Path p) {
        StringBuilder sb = new StringBuilder();
        for (String f : Stream.concat(Stream.of(TRAIN_CSV, TEST_CSV), IDX.stream().map(n -> "idx/" + n)).toList()) {
            if (!Files.isRegularFile(p.resolve(f))) {
                sb.append(sb.length() == 0 ? "" : ", ").append(f);
            }
        }
        return sb.toString();
    }

    private static void writeCsv(Path file, Path images, Path labels, boolean header) throws IOException {
        byte[] px = Idx.images(gunzip(images), images.toString());
        byte[] lb = Idx.labels(gunzip(labels), labels.toString());
        try (OutputStream raw = Files.newOutputStream(file);
             Writer w = new OutputStreamWriter(new GZIPOutputStream(raw, 1 << 16), StandardCharsets.US_ASCII)) {
            if (header) {
                w.write(TestCsv.header(true));
                w.write('\n');
            }
            StringBuilder sb = new StringBuilder(4 * 785);
            for (int i = 0; i < lb.length; i++) {
                sb.setLength(0);
                sb.append(lb[i]);
                for (int j = 0; j < 784; j++) {
                    sb.append(',').append(px[i * 784 + j] & 0xFF);
                }
                w.write(sb.append('\n').toString());
            }
        }
    }

    private static byte[] gunzip(Path p) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }
}
