package org.sparkdigits.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.Kernel;
import org.sparkdigits.data.InputException;
import org.sparkdigits.image.DigitImage;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelStore;

/**
 * {@code predict --image}: your own photographed digits, preprocessed as MNIST was ({@link DigitImage}) and
 * predicted on the driver (a few images need no Spark job).
 */
final class ImagePredictCommand {

    private ImagePredictCommand() {
    }

    static int run(Args a, PrintStream out) {
        if (a.given(Opt.DATA)) {
            throw new UsageException("predict takes --image or --data, not both");
        }
        Model model = ModelStore.read(Path.of(a.required(Opt.MODEL)));
        List<Path> images = resolve(a.required(Opt.IMAGE));
        int n = images.size();
        byte[] pixels = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            System.arraycopy(preprocess(images.get(i)), 0, pixels, i * 784, 784);
        }
        byte[] predicted = new byte[n];
        double[] probabilities = new double[n * 10];
        Kernel.SIMD.create(model.parameters(), model.activation()).predict(new DigitBlock(n, 784, null, pixels), predicted,
                probabilities);
        for (int i = 0; i < n; i++) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: %d (probability %.4f); probabilities",
                    images.get(i), predicted[i], probabilities[i * 10 + predicted[i]]));
            for (int c = 0; c < 10; c++) {
                line.append(String.format(Locale.ROOT, " %d:%.4f", c, probabilities[i * 10 + c]));
            }
            out.println(line);
        }
        if (a.given(Opt.SHOW)) {
            Path show = Path.of(a.required(Opt.SHOW));
            BufferedImage strip = new BufferedImage(n * DigitImage.SIZE, DigitImage.SIZE, BufferedImage.TYPE_BYTE_GRAY);
            for (int i = 0; i < n; i++) {
                byte[] one = java.util.Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784);
                strip.getGraphics().drawImage(DigitImage.toImage(one), i * DigitImage.SIZE, 0, null);
            }
            AtomicFiles.write(show, tmp -> {
                if (!ImageIO.write(strip, "png", tmp.toFile())) {
                    throw new IOException("no PNG writer");
                }
            });
            out.println("the " + (n == 1 ? "28x28 image" : n + " 28x28 images (side by side)") + " the model saw: " + show);
        }
        return 0;
    }

    /** Files and directories (their PNG and JPEG files, sorted by name), comma-separated. */
    static List<Path> resolve(String spec) {
        List<Path> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Path p = Path.of(part.trim());
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    List<Path> found = files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT)
                            .matches(".*\\.(png|jpe?g)")).sorted().toList();
                    if (found.isEmpty()) {
                        throw new InputException("image: " + p + ": no .png, .jpg or .jpeg file in this directory");
                    }
                    out.addAll(found);
                } catch (IOException e) {
                    throw new InputException("image: " + p + ": cannot list it (" + e.getMessage() + ")");
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else {
                throw new InputException("image: " + p + ": no such file or directory");
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("--image needs at least one file or directory");
        }
        return out;
    }

    private static byte[] preprocess(Path file) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new InputException(file + ": cannot read it as an image (" + e.getMessage() + ")");
        }
        if (image == null) {
            throw new InputException(file + ": not a PNG or JPEG image (no decoder recognised it)");
        }
        try {
            return DigitImage.toMnist(image);
        } catch (DigitImage.NoDigitException e) {
            throw new InputException(file + ": " + e.getMessage());
        }
    }
}
