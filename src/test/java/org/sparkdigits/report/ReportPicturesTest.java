package org.sparkdigits.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.sparkdigits.core.loss.Evaluation;

/**
 * The pictures and the page of a model directory as a reader sees them: the accuracy curves' last points not under
 * the legend, the confusion matrix's first class at the top left and its cells filling the plot, captions of the samples
 * readable in report.html at a 1200 px window, and metrics.json and model.json as tables of rounded numbers.
 */
class ReportPicturesTest {

    private static BufferedImage image(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    /** Whether the pixel is of a saturated colour (a curve, a marker), not grey, black or white. */
    private static boolean coloured(int rgb) {
        int r = rgb >> 16 & 0xFF;
        int g = rgb >> 8 & 0xFF;
        int b = rgb & 0xFF;
        return Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80;
    }

    @Test
    void theLegendLeavesTheCurvesLastPointsInSight() throws IOException {
        // accuracy climbing to its highest at the last step: the curves end at the plot's top right corner
        List<HistoryRow> history = new ArrayList<>();
        for (int s = 1; s <= 20; s++) {
            double a = 0.5 + 0.5 * s / 20;
            history.add(new HistoryRow(s * 10L, Double.NaN, 1 - a, a, Double.NaN, Double.NaN, 1 - a, a - 0.01, s));
        }
        BufferedImage chart = image(Charts.accuracy(history, false));
        int w = chart.getWidth();
        int h = chart.getHeight();
        int seen = 0;
        for (int x = (int) (0.93 * w); x < (int) (0.99 * w); x++) {
            for (int y = (int) (0.03 * h); y < (int) (0.17 * h); y++) {
                seen += coloured(chart.getRGB(x, y)) ? 1 : 0;
            }
        }
        assertTrue(seen > 30, "the curves' last points are hidden: " + seen + " coloured pixels at the top right");
    }

    @Test
    void theConfusionMatrixStartsAtTheTopLeft() throws IOException {
        long[][] counts = new long[10][10];
        counts[0][0] = 1000;   // the only dark cell: class 0 predicted as 0
        BufferedImage m = image(Charts.confusion(counts, "one cell"));
        int w = m.getWidth();
        int h = m.getHeight();
        assertTrue(darkness(m, 0, w / 2, 0, h / 2) > 4 * darkness(m, 0, w / 2, h / 2, h),
                "the cell of class 0 is not in the top left quarter");
    }

    @Test
    void theConfusionMatrixsCellsFillThePlotWithNoBandPastTheLastClass() throws IOException {
        long[][] counts = new long[10][10];
        counts[9][9] = 1000;   // the only dark cell: the last, at the bottom right
        BufferedImage m = image(Charts.confusion(counts, "last cell"));
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int x = 0; x < m.getWidth(); x++) {
            for (int y = 0; y < m.getHeight(); y++) {
                if (darkness(m, x, x + 1, y, y + 1) > 150) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        assertTrue(x1 > 0, "no dark cell drawn");
        // from the cell's bottom edge down, and from its right edge across: the plot's frame (grey) comes next,
        // not a band of background
        int cx = (x0 + x1) / 2;
        int cy = (y0 + y1) / 2;
        int below = 0;
        while (y1 + below + 1 < m.getHeight() && !grey(m.getRGB(cx, y1 + below + 1))) {
            below++;
        }
        int right = 0;
        while (x1 + right + 1 < m.getWidth() && !grey(m.getRGB(x1 + right + 1, cy))) {
            right++;
        }
        assertTrue(below <= 3 && right <= 3, "a band of " + below + " px below and " + right
                + " px right of the last class's cell (" + x0 + "," + y0 + " to " + x1 + "," + y1 + ")");
    }

    /** The plot's frame and axes: a neutral grey, darker than the background and the light cells. */
    private static boolean grey(int rgb) {
        int r = rgb >> 16 & 0xFF;
        int g = rgb >> 8 & 0xFF;
        int b = rgb & 0xFF;
        return r < 200 && Math.abs(r - g) < 20 && Math.abs(g - b) < 20;
    }

    private static double darkness(BufferedImage m, int x0, int x1, int y0, int y1) {
        double sum = 0;
        for (int x = x0; x < x1; x++) {
            for (int y = y0; y < y1; y++) {
                int rgb = m.getRGB(x, y);
                int blue = rgb & 0xFF;
                int red = rgb >> 16 & 0xFF;
                sum += blue > red + 60 ? 255 - red : 0;   // the heat map's dark blue
            }
        }
        return sum;
    }

    @Test
    void theSamplesCaptionsAreReadableInAWindowOf1200Pixels() throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            double[] p = new double[10];
            p[i % 10] = 1;
            samples.add(new Sample(new byte[784], i % 10, i % 3 == 0 ? (i + 1) % 10 : i % 10, p));
        }
        BufferedImage grid = image(Charts.samples(samples));
        // report.html: body margins of 2em (16 px type) each side, pictures at most 100% of the body
        double shown = Math.min(1, (1200 - 2 * 32 - 16) / (double) grid.getWidth());
        // the first caption's height in the picture: rows of the second tile's top band (a right prediction: no frame)
        // holding coloured text, left of the bar chart
        int top = -1;
        int bottom = -1;
        for (int y = 0; y < 30; y++) {
            for (int x = Charts.TILE_WIDTH + 4; x < Charts.TILE_WIDTH + 120; x++) {
                if (coloured(grid.getRGB(x, y))) {
                    top = top < 0 ? y : top;
                    bottom = y;
                    break;
                }
            }
        }
        double capitals = (bottom - top + 1) * shown;
        assertTrue(capitals >= 10, "the captions are " + capitals + " px tall on screen (rows " + top + "-" + bottom + ")");
    }

    @Test
    void theReportShowsTheJsonFilesAsTablesOfRoundedNumbers() {
        String metrics = "{\"test_accuracy\" : 0.1487, \"test_loss\" : 2.222921240447544, \"test_rows\" : 10000,"
                + " \"best_step\" : null, \"heap_max_mb\" : 4294.967296, \"bytes_per_step\" : {\"driver_received\" : 106566.0}}";
        String model = "{\"format\" : \"spark-digits\", \"architecture\" : {\"hidden\" : 8}, \"training\" : "
                + "{\"learning_rate\" : 0.1, \"eps\" : 1.0E-8}}";
        String page = String.join("\n", ReportPage.html("model", "model", "784-8-10 relu", "test.csv", new Evaluation(10),
                metrics, model));
        assertFalse(page.contains("<pre>"), page);
        assertFalse(page.matches("(?s).*\\d\\.\\d{6,}.*"), "a number with more than five decimals:\n" + page);
        for (String cell : List.of("<td class=\"k\">test_loss</td><td>2.223</td>", "<td>0.1487</td>", "<td>10000</td>",
                "<td>4295</td>", "bytes_per_step.driver_received</td><td>106566</td>", "architecture.hidden</td><td>8</td>",
                "<td>1.0E-8</td>", "<a href=\"metrics.json\">metrics.json</a>", "<a href=\"model.json\">model.json</a>")) {
            assertTrue(page.contains(cell), cell + " not in\n" + page);
        }
        assertFalse(page.contains("Model <code>model</code>"), page);
        assertTrue(page.contains("a 784-8-10 relu network"), page);
    }
}
