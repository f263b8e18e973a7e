package org.sparkdigits.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.testing.TestCsv;

/** MNIST-style preprocessing of photographed digits. */
public class DigitImageTest {

    /** A "0" drawn with a thick pen far off-centre on a large, slightly noisy sheet. */
    public static BufferedImage offCentreZero(boolean darkOnLight) {
        BufferedImage img = new BufferedImage(800, 500, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        SplittableRandom r = new SplittableRandom(1);
        int paper = darkOnLight ? 225 : 30;
        for (int y = 0; y < 500; y++) {
            for (int x = 0; x < 800; x++) {
                int v = paper + r.nextInt(-12, 13);
                img.setRGB(x, y, new Color(v, v, v).getRGB());
            }
        }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(darkOnLight ? new Color(20, 20, 60) : new Color(240, 240, 240));
        g.setStroke(new BasicStroke(14));
        g.drawOval(600, 60, 80, 150);    // 94 x 164 with the pen
        g.dispose();
        return img;
    }

    @Test
    void anOffCentreDigitIsScaledInto20x20AndCentredByItsMass() {
        assertScaledAndCentred(DigitImage.toMnist(offCentreZero(true)));
        assertScaledAndCentred(DigitImage.toMnist(offCentreZero(false)));
    }

    private static void assertScaledAndCentred(byte[] px) {
        assertEquals(784, px.length);
        double mass = 0;
        double cx = 0;
        double cy = 0;
        int x0 = 28;
        int x1 = -1;
        int y0 = 28;
        int y1 = -1;
        int max = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = px[y * 28 + x] & 0xFF;
                mass += v;
                cx += v * (x + 0.5);
                cy += v * (y + 0.5);
                max = Math.max(max, v);
                if (v > 0) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        assertEquals(14.0, cx / mass, 0.6, "centre of mass, x");
        assertEquals(14.0, cy / mass, 0.6, "centre of mass, y");
        assertEquals(20, y1 - y0 + 1, "the taller side fills the 20-pixel box");
        int width = x1 - x0 + 1;
        assertTrue(width >= 10 && width <= 13, "aspect ratio kept (94:164 of 20 is 11.5): width " + width);
        assertTrue(max >= 200, "ink stretched to the full range: max " + max);
        // the ring's hole is empty and the paper's noise is gone
        assertEquals(0, px[14 * 28 + 14] & 0xFF, "the inside of the 0");
        assertEquals(0, px[0] & 0xFF);
        assertEquals(0, px[783] & 0xFF);
    }

    @Test
    void lightInkOnDarkPaperGivesTheSameDigit() {
        byte[] a = DigitImage.toMnist(offCentreZero(true));
        byte[] b = DigitImage.toMnist(offCentreZero(false));
        // the same ring (a pixel of anti-aliasing apart: thin strokes' cosine is sensitive to that)
        assertTrue(cosine(a, b) > 0.8, "cosine " + cosine(a, b));
    }

    @Test
    void aBlankImageHasNoDigit() {
        BufferedImage blank = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        DigitImage.NoDigitException e = assertThrows(DigitImage.NoDigitException.class, () -> DigitImage.toMnist(blank));
        assertTrue(e.getMessage().startsWith("no digit found"), e.getMessage());
    }

    /** Real MNIST test digits printed large, dark on light, off-centre: preprocessing brings them back. */
    @Test
    void rephotographedMnistDigitsComeBackClose() {
        DigitBlock test = InputFiles.firstRows(TestCsv.mnist("mnist_test.csv.gz").toString(), 50);
        double worst = 1;
        double sum = 0;
        for (int i = 0; i < test.rows(); i++) {
            byte[] original = java.util.Arrays.copyOfRange(test.pixels(), i * 784, (i + 1) * 784);
            byte[] again = DigitImage.toMnist(photo(original, 9, 37 * i % 200, 23 * i % 150));
            double c = cosine(original, again);
            worst = Math.min(worst, c);
            sum += c;
        }
        System.out.printf("re-photographed MNIST digits: cosine similarity mean %.3f, worst %.3f%n", sum / test.rows(), worst);
        assertTrue(worst > 0.93, "least similar of 50: cosine " + worst);
        assertTrue(sum / test.rows() > 0.97, "mean cosine " + sum / test.rows());
    }

    /** {@code pixels} scaled up {@code k} times, dark on light (250 paper), at (x, y) of a 500 x 420 sheet. */
    public static BufferedImage photo(byte[] pixels, int k, int x, int y) {
        BufferedImage img = new BufferedImage(500, 420, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(250, 248, 240));
        g.fillRect(0, 0, 500, 420);
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                int v = 250 - (pixels[r * 28 + c] & 0xFF) * 230 / 255;
                g.setColor(new Color(v, v, v));
                g.fillRect(x + c * k, y + r * k, k, k);
            }
        }
        g.dispose();
        return img;
    }

    /**
     * Cosine similarity of two 28x28 digits, the best over shifts of {@code b} by up to one pixel (rounding the
     * centre of mass can move a digit by one pixel, which alone takes thin strokes' raw cosine down to ~0.5).
     */
    static double cosine(byte[] a, byte[] b) {
        double best = 0;
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                double ab = 0;
                double aa = 0;
                double bb = 0;
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        int p = a[y * 28 + x] & 0xFF;
                        int sy = y + dy;
                        int sx = x + dx;
                        int q = sy < 0 || sy > 27 || sx < 0 || sx > 27 ? 0 : b[sy * 28 + sx] & 0xFF;
                        ab += p * q;
                        aa += p * p;
                        bb += q * q;
                    }
                }
                best = Math.max(best, ab / Math.sqrt(aa * bb));
            }
        }
        return best;
    }
}
