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
 *   <li>else the project's {@code data/}, where {@code ./submit.sh train} and {@code ./submit.sh download} put MNIST
 *       ({@code mnist_train.csv} and {@code mnist_test.csv}, both with the header): checked against the SHA-256 of the
 *       original IDX content and written into the cache in the layout below;</li>
 *   <li>else downloaded into the cache from the mirrors of {@code ./submit.sh download} (or {@code -Dmnist.mirror=URL}),
 *       with the same SHA-256 checks of the IDX content.</li>
 * </ol>
 * When none of these gives it, the failure says how to provide it ({@code -Dmnist.dir}, {@code -Dmnist.mirror}).
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
        String cacheSetting = System.getProperty("mnist.cache", "");
        Path cache = cacheSetting.isBlank() ? Path.of(System.getProperty("user.home"), ".cache", "spark-digits", "mnist")
                : Path.of(cacheSetting).toAbsolutePath().normalize();
        String mirror = System.getProperty("mnist.mirror", "");
        List<String> mirrors = mirror.isBlank() ? MnistDownloader.DEFAULT_MIRRORS
                : Arrays.stream(mirror.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return locate(System.getProperty("mnist.dir", ""), Path.of("..", "shared", "mnist"), Path.of("data"), cache, mirrors);
    }

    /** How to give the tests MNIST: the end of the failure when none is found. */
    static final String HOW = "give the tests MNIST with -Dmnist.dir=DIR (a folder holding mnist_train.csv.gz, "
            + "mnist_test.csv.gz and idx/ with the four IDX files, gzip: the layout the tests write into their cache), "
            + "or -Dmnist.mirror=URL (a folder serving the four IDX files train-images-idx3-ubyte.gz ...), or run "
            + "./submit.sh download (it writes data/, where the tests look too)";

    /**
     * The folder, by the rules above.
     *
     * @param given   {@code -Dmnist.dir}, or empty
     * @param shared  {@code ../shared/mnist}
     * @param data    the project's {@code data/}
     * @param cache   the cache
     * @param mirrors where to download from
     */
    static Path locate(String given, Path shared, Path data, Path cache, List<String> mirrors) {
        if (!given.isBlank()) {
            Path p = Path.of(given).toAbsolutePath().normalize();
            if (!complete(p)) {
                throw new AssertionError("-Dmnist.dir=" + given + ": " + p + " lacks " + missing(p)
                        + " (leave -Dmnist.dir out to use ../shared/mnist, data/, the cache, or a download)");
            }
            return p;
        }
        shared = shared.toAbsolutePath().normalize();
        if (complete(shared)) {
            return shared;
        }
        cache = cache.toAbsolutePath().normalize();
        if (complete(cache)) {
            return cache;
        }
        data = data.toAbsolutePath().normalize();
        String dataNote = "";
        if (Files.isRegularFile(data.resolve(MnistDownloader.TRAIN_CSV)) && Files.isRegularFile(data.resolve(MnistDownloader.TEST_CSV))) {
            System.out.println("real MNIST: from " + data + " (as ./submit.sh download writes it), into " + cache);
            try {
                fromData(data, cache);
                return cache;
            } catch (IllegalArgumentException | UncheckedIOException e) {
                dataNote = "; " + data + " was not used: " + e.getMessage();
                System.out.println("real MNIST: " + dataNote.substring(2));
            }
        }
        System.out.println("real MNIST: not in " + shared + ", " + data + " nor in " + cache + ": downloading it from " + mirrors);
        try {
            obtain(cache, mirrors);
        } catch (MnistDownloader.DownloadException e) {
            throw new AssertionError("real MNIST: not in " + shared + ", " + data + " nor in " + cache + dataNote
                    + ", and the download failed: " + e.getMessage() + "; " + HOW, e);
        }
        return cache;
    }

    /**
     * Writes the folder's files into {@code target} from {@code data/mnist_train.csv} and {@code data/mnist_test.csv}
     * (as {@code ./submit.sh download} writes them), refusing them unless their rows are the original IDX content.
     */
    static void fromData(Path data, Path target) {
        build(target, idx -> {
            for (int set = 0; set < 2; set++) {
                Path csv = data.resolve(set == 0 ? MnistDownloader.TRAIN_CSV : MnistDownloader.TEST_CSV);
                byte[][] content = idxFromCsv(csv);
                for (int k = 0; k < 2; k++) {
                    String name = IDX.get(2 * set + k);
                    if (!MnistDownloader.isOriginal(name, content[k])) {
                        throw new IllegalArgumentException(csv + " does not hold MNIST's rows (its " + name
                                + " content differs from the original)");
                    }
                    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(idx.resolve(name)))) {
                        gz.write(content[k]);
                    }
                }
            }
        });
    }

    /** The IDX content (images, labels) of a {@code label,pixel0,...} CSV with or without its header. */
    private static byte[][] idxFromCsv(Path csv) throws IOException {
        java.io.ByteArrayOutputStream pixels = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream labels = new java.io.ByteArrayOutputStream();
        int n = 0;
        try (java.io.BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.US_ASCII)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank() || (n == 0 && line.startsWith("label"))) {
                    continue;
                }
                String[] f = line.split(",");
                if (f.length != 785) {
                    throw new IllegalArgumentException(csv + ": a row of " + f.length + " fields, not 785");
                }
                labels.write(Integer.parseInt(f[0].trim()));
                for (int j = 1; j < 785; j++) {
                    pixels.write(Integer.parseInt(f[j].trim()));
                }
                n++;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(csv + ": " + e.getMessage());
        }
        java.nio.ByteBuffer images = java.nio.ByteBuffer.allocate(16 + pixels.size()).putInt(0x803).putInt(n).putInt(28).putInt(28);
        java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + labels.size()).putInt(0x801).putInt(n);
        return new byte[][] {images.put(pixels.toByteArray()).array(), lab.put(labels.toByteArray()).array()};
    }

    /** Downloads, verifies and writes the folder's files into {@code target} (whole or not at all). */
    public static void obtain(Path target, List<String> mirrors) {
        build(target, idx -> new MnistDownloader(mirrors).downloadIdx(idx));
    }

    /** What puts the four IDX files (gzip) into a folder. */
    private interface IdxSource {
        void write(Path idx) throws IOException;
    }

    /** Writes the folder's files into {@code target} from the IDX files {@code source} writes (whole or not at all). */
    private static void build(Path target, IdxSource source) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path tmp = Files.createTempDirectory(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".tmp-");
            try {
                Path idx = Files.createDirectories(tmp.resolve("idx"));
                source.write(idx);
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
