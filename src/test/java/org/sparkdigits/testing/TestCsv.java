package org.sparkdigits.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small generated digit CSV files for tests (never MNIST-derived): each label draws a thick
 * stroke in its own region of the 28x28 image plus noise, so a network can learn them.
 */
public final class TestCsv {

    private TestCsv() {
    }

    public static String header(boolean labelled) {
        StringBuilder sb = new StringBuilder(labelled ? "label" : "");
        for (int j = 0; j < 784; j++) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append("pixel").append(j);
        }
        return sb.toString();
    }

    /** {@code n} generated rows {@code label,p0..p783} (or without the label). */
    public static List<String> rows(int n, long seed, boolean labelled) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(10);
            StringBuilder sb = new StringBuilder(labelled ? String.valueOf(label) : "");
            for (int j = 0; j < 784; j++) {
                int row = j / 28;
                int col = j % 28;
                boolean stroke = row >= 4 + 2 * label && row < 7 + 2 * label && col > 5 && col < 22;
                int v = stroke ? 150 + r.nextInt(106) : (r.nextInt(12) == 0 ? r.nextInt(256) : 0);
                if (sb.length() > 0 || j > 0) {
                    sb.append(',');
                }
                sb.append(v);
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** Writes {@code lines} to {@code file}, gzip-compressed if its name ends with .gz. */
    public static Path write(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream os = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw;
             Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8)) {
            for (String l : lines) {
                w.write(l);
                w.write('\n');
            }
        }
        return file;
    }

    /** A labelled file of {@code n} rows, with or without the Kaggle header. */
    public static Path labelled(Path file, int n, long seed, boolean header) throws IOException {
        List<String> lines = new ArrayList<>();
        if (header) {
            lines.add(header(true));
        }
        lines.addAll(rows(n, seed, true));
        return write(file, lines);
    }

    /** Where the real MNIST is: {@link MnistFiles#dir()} (-Dmnist.dir, ../shared/mnist, the cache or a download). */
    public static Path mnistDir() {
        return MnistFiles.dir();
    }

    /** A real MNIST file; fails (never skips) with the path it looked at when missing. */
    public static Path mnist(String name) {
        Path p = mnistDir().resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("real MNIST file missing: looked for " + p
                    + " (set -Dmnist.dir=DIR to the folder holding mnist_train.csv.gz, mnist_test.csv.gz and idx/)");
        }
        return p;
    }
}
