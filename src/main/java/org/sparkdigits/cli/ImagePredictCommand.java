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
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.sparkdigits.core.DigitBlock;
import org.sparkdigits.core.Kernel;
import org.sparkdigits.io.InputException;
import org.sparkdigits.image.DigitImage;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.io.Outputs;
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
        org.apache.hadoop.conf.Configuration conf = Main.hadoopConf();
        Model model = ModelStore.read(a.required(Opt.MODEL), conf);
        List<Path> images = resolve(a.required(Opt.IMAGE));
        if (a.given(Opt.SHOW)) {
            Outputs.file("--show", a.required(Opt.SHOW), conf, images.stream().map(p -> p.toAbsolutePath().toString()).toList(),
                    a.required(Opt.MODEL));
        }
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
                            .matches(".*\\.(png|jpe?g)") && Files.isRegularFile(f)).sorted().toList();
                    if (found.isEmpty()) {
                        throw new InputException("image: " + p + ": no .png, .jpg or .jpeg file in this directory");
                    }
                    out.addAll(found);
                } catch (IOException e) {
                    throw new InputException("image: " + p + ": cannot list it (" + e.getMessage() + ")");
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else if (Files.exists(p)) {
                throw new InputException("image: " + p + " is not a regular file (a FIFO, device or socket): give an image file");
            } else {
                throw new InputException("image: " + p + ": no such file or directory");
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("--image needs at least one file or directory");
        }
        return out;
    }

    /** Pixels of an image at most (8000 x 5000): decoding and preparing one takes ~20 bytes a pixel of heap. */
    static final long MAX_PIXELS = 40_000_000;

    private static byte[] preprocess(Path file) {
        BufferedImage image;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            java.util.Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InputException(file + ": not a PNG or JPEG image (no decoder recognised it)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w * h > MAX_PIXELS) {
                    throw new InputException(file + ": " + w + "x" + h + " pixels, more than the " + MAX_PIXELS / 1_000_000
                            + " million this command reads: scale the photo down (a digit needs a few hundred pixels a side)");
                }
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InputException ie) {
                throw ie;
            }
            throw new InputException(file + ": cannot read it as an image (" + org.sparkdigits.io.Echo.value(String.valueOf(e.getMessage())) + ")");
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
