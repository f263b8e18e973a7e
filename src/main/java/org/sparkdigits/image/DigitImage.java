package org.sparkdigits.image;

import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.sparkdigits.io.InputException;

/**
 * Turns a photo or scan of one handwritten digit (any size, dark ink on light paper or the reverse) into the
 * 28x28 input the network expects, the way MNIST was made (LeCun et al.): the digit is found, scaled to fit a
 * 20x20 box keeping its aspect ratio (anti-aliased), and placed in a 28x28 field so that its centre of mass is
 * at the centre. Pure Java (AWT, headless); no Spark.
 *
 * <ol>
 *   <li>grey level {@code 0.299 R + 0.587 G + 0.114 B}; transparent pixels count as paper;</li>
 *   <li>polarity from the border: the median of the outermost pixels is the paper; ink is the distance from it,
 *       so dark-on-light and light-on-dark give the same result;</li>
 *   <li>Otsu's threshold on the ink separates the digit from the paper's texture; the digit's bounding box is
 *       that of the pixels above it; below half the threshold the ink is set to zero;</li>
 *   <li>the box is scaled (area averaging) so its longer side is 20 pixels, its ink stretched to 0-255;</li>
 *   <li>it is placed in 28x28 with its centre of mass at (14, 14) (kept inside the field).</li>
 * </ol>
 */
public final class DigitImage {

    /** The field and the box the digit is scaled into. */
    public static final int SIZE = 28;
    public static final int BOX = 20;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private DigitImage() {
    }

    /** Thrown when there is no digit to find (a blank or uniform image). */
    public static final class NoDigitException extends RuntimeException {
        NoDigitException(String message) {
            super(message);
        }
    }

    /** The 784 pixels (row-major, 0-255, ink high, as in MNIST) of the digit in {@code image}. */
    public static byte[] toMnist(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        double[] grey = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                double a = (argb >>> 24) / 255.0;
                double g = 0.299 * ((argb >> 16) & 0xFF) + 0.587 * ((argb >> 8) & 0xFF) + 0.114 * (argb & 0xFF);
                grey[y * w + x] = a * g + (1 - a) * 255;   // transparent: white paper
            }
        }
        double paper = borderMedian(grey, w, h);
        double[] ink = new double[w * h];
        double max = 0;
        for (int i = 0; i < ink.length; i++) {
            ink[i] = Math.abs(grey[i] - paper);
            max = Math.max(max, ink[i]);
        }
        if (max < 16) {
            throw new NoDigitException("no digit found: the image is uniform (ink contrast " + Math.round(max) + " of 255)");
        }
        double threshold = otsu(ink, max);
        int x0 = w;
        int y0 = h;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = ink[y * w + x];
                if (v > threshold) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
                if (v < threshold / 2) {
                    ink[y * w + x] = 0;
                }
            }
        }
        int bw = x1 - x0 + 1;
        int bh = y1 - y0 + 1;
        // the digit's box as an image, ink stretched to 0-255
        BufferedImage box = new BufferedImage(bw, bh, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < bh; y++) {
            for (int x = 0; x < bw; x++) {
                int v = (int) Math.round(255 * ink[(y0 + y) * w + x0 + x] / max);
                box.getRaster().setSample(x, y, 0, v);
            }
        }
        double scale = (double) BOX / Math.max(bw, bh);
        int sw = Math.max(1, (int) Math.round(bw * scale));
        int sh = Math.max(1, (int) Math.round(bh * scale));
        BufferedImage small = new BufferedImage(sw, sh, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = small.createGraphics();
        g.drawImage(box.getScaledInstance(sw, sh, Image.SCALE_AREA_AVERAGING), 0, 0, null);
        g.dispose();
        // centre of mass of the scaled digit
        double mass = 0;
        double cx = 0;
        double cy = 0;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int v = small.getRaster().getSample(x, y, 0);
                mass += v;
                cx += v * (x + 0.5);
                cy += v * (y + 0.5);
            }
        }
        if (mass == 0) {
            throw new NoDigitException("no digit found: nothing is left after scaling to 20x20");
        }
        int ox = clamp((int) Math.round(SIZE / 2.0 - cx / mass), SIZE - sw);
        int oy = clamp((int) Math.round(SIZE / 2.0 - cy / mass), SIZE - sh);
        byte[] out = new byte[SIZE * SIZE];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                out[(oy + y) * SIZE + ox + x] = (byte) small.getRaster().getSample(x, y, 0);
            }
        }
        return out;
    }

    /** The 28x28 pixels as a grey PNG-ready image: ink white on black, as the network sees it. */
    public static BufferedImage toImage(byte[] pixels) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < SIZE * SIZE; i++) {
            img.getRaster().setSample(i % SIZE, i / SIZE, 0, pixels[i] & 0xFF);
        }
        return img;
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static double borderMedian(double[] grey, int w, int h) {
        double[] border = new double[2 * w + 2 * Math.max(0, h - 2)];
        int n = 0;
        for (int x = 0; x < w; x++) {
            border[n++] = grey[x];
            border[n++] = grey[(h - 1) * w + x];
        }
        for (int y = 1; y < h - 1; y++) {
            border[n++] = grey[y * w];
            border[n++] = grey[y * w + w - 1];
        }
        double[] b = Arrays.copyOf(border, n);
        Arrays.sort(b);
        return b[n / 2];
    }

    /** Otsu's threshold of {@code values} in [0, max] (256 bins). */
    static double otsu(double[] values, double max) {
        int[] hist = new int[256];
        for (double v : values) {
            hist[(int) Math.min(255, v / max * 255)]++;
        }
        long total = values.length;
        double sumAll = 0;
        for (int i = 0; i < 256; i++) {
            sumAll += i * (double) hist[i];
        }
        double sumBelow = 0;
        long below = 0;
        double best = -1;
        int bestT = 0;
        for (int t = 0; t < 256; t++) {
            below += hist[t];
            if (below == 0) {
                continue;
            }
            long above = total - below;
            if (above == 0) {
                break;
            }
            sumBelow += t * (double) hist[t];
            double m0 = sumBelow / below;
            double m1 = (sumAll - sumBelow) / above;
            double between = (double) below * above * (m0 - m1) * (m0 - m1);
            if (between > best) {
                best = between;
                bestT = t;
            }
        }
        return (bestT + 0.5) / 255 * max;
    }

    /** Files and directories (their PNG and JPEG files, sorted by name), comma-separated. */
    public static List<Path> files(String spec) {
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
            throw new InputException("--image needs at least one file or directory");
        }
        return out;
    }

    /** Pixels of an image at most (8000 x 5000): decoding and preparing one takes ~20 bytes a pixel of heap. */
    public static final long MAX_PIXELS = 40_000_000;

    /**
     * The image in {@code file} (PNG or JPEG), refused by name when it is not one, declares more than {@value #MAX_PIXELS}
     * pixels (checked from its header before decoding) or cannot be read.
     */
    public static BufferedImage read(Path file) {
        BufferedImage image;
        try (java.io.InputStream raw = org.sparkdigits.io.HadoopFs.openLocal(file, "image", Long.MAX_VALUE);
             ImageInputStream in = new javax.imageio.stream.MemoryCacheImageInputStream(raw)) {
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
        return image;
    }
}
