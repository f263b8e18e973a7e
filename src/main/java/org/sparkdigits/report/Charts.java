package org.sparkdigits.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The pictures of a model directory, as PNG bytes, drawn with XChart: {@code loss.png} and {@code accuracy.png}
 * (from the run's history), {@code confusion.png} (a heat map with counts) and {@code samples.png} (digits with their
 * label, prediction and a bar chart of the ten probabilities). No Spark here; headless AWT.
 */
public final class Charts {

    public static final String LOSS = "loss.png";
    public static final String ACCURACY = "accuracy.png";
    public static final String CONFUSION = "confusion.png";
    public static final String SAMPLES = "samples.png";

    /** Size of the loss and accuracy charts. */
    public static final int WIDTH = 900;
    public static final int HEIGHT = 540;
    /** The confusion heat map is square. */
    public static final int CONFUSION_SIZE = 720;
    /**
     * The samples grid: columns, tile size. Four tiles of 300 px make a 1200 px picture that report.html shows close to
     * its size in a 1200 px window, so the 18 px captions stay about 17 px on screen (six columns shrank them to 8).
     */
    public static final int GRID_COLUMNS = 4;
    public static final int TILE_WIDTH = 300;
    public static final int TILE_HEIGHT = 176;
    /** The captions' font size in the samples grid, in pixels of the picture. */
    public static final int CAPTION_SIZE = 18;

    private static final Color WRONG = new Color(200, 30, 30);
    private static final Color RIGHT = new Color(30, 130, 60);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * Training, validation and test loss of {@code history}, against the epoch when {@code byEpoch}, else the
     * iteration. Values not measured (NaN) are skipped per series.
     */
    public static byte[] loss(List<HistoryRow> history, boolean byEpoch) {
        return curves(history, byEpoch, "Cross-entropy loss", "loss",
                List.of(HistoryRow::loss, HistoryRow::valLoss, HistoryRow::testLoss));
    }

    /** Training, validation and test accuracy of {@code history}, like {@link #loss}. */
    public static byte[] accuracy(List<HistoryRow> history, boolean byEpoch) {
        return curves(history, byEpoch, "Accuracy", "accuracy",
                List.of(HistoryRow::trainAccuracy, HistoryRow::valAccuracy, HistoryRow::testAccuracy));
    }

    private static byte[] curves(List<HistoryRow> history, boolean byEpoch, String title, String yTitle,
                                 List<java.util.function.ToDoubleFunction<HistoryRow>> series) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(byEpoch ? "epoch" : "iteration").yAxisTitle(yTitle).build();
        // below the plot: inside it, the legend covered the curves' last points (where accuracy is highest)
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        // epochs are fractions (steps / steps per epoch): without a pattern the ticks printed 17 digits and ran together
        chart.getStyler().setXAxisDecimalPattern(byEpoch ? "0.##" : "#,##0");
        String[] names = {"training (mean since the previous point)", "validation", "test"};
        int added = 0;
        for (int s = 0; s < series.size(); s++) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (HistoryRow r : history) {
                double v = series.get(s).applyAsDouble(r);
                if (!Double.isNaN(v)) {
                    x.add(byEpoch ? r.epoch() : r.step());
                    y.add(v);
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(names[s], x, y).setMarker(x.size() > 60 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
                added++;
            }
        }
        if (added == 0) {
            chart.addSeries("no history rows", new double[] {0}, new double[] {0});
        }
        return png(chart);
    }

    /**
     * The four pictures of a model directory, by file name: loss and accuracy of {@code history}, the confusion
     * matrix of {@code confusion} (on the data named {@code which}) and the {@code samples} gallery.
     */
    public static java.util.Map<String, byte[]> all(List<HistoryRow> history, boolean byEpoch,
                                                    org.sparkdigits.core.loss.Evaluation confusion, String which,
                                                    List<Sample> samples) {
        java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        files.put(LOSS, loss(history, byEpoch));
        files.put(ACCURACY, accuracy(history, byEpoch));
        files.put(CONFUSION, confusion(confusion, which));
        files.put(SAMPLES, samples(samples));
        return files;
    }

    /** A 10x10 heat map of the evaluation's {@code confusion(true, predicted)} with the counts in the cells. */
    public static byte[] confusion(org.sparkdigits.core.loss.Evaluation e, String what) {
        long[][] counts = new long[e.classes()][e.classes()];
        for (int t = 0; t < e.classes(); t++) {
            for (int p = 0; p < e.classes(); p++) {
                counts[t][p] = e.confusion(t, p);
            }
        }
        return confusion(counts, String.format(Locale.ROOT, "Confusion matrix, %s: %d rows, accuracy %.2f%%", what,
                e.count(), 100 * e.accuracy()));
    }

    /**
     * A heat map of {@code confusion[true][predicted]} with the counts in the cells, laid out as scikit-learn's
     * {@code ConfusionMatrixDisplay} draws it: the true classes down the side from the first at the top, the predicted
     * ones along the bottom from the first at the left, so the diagonal runs from the top left.
     */
    public static byte[] confusion(long[][] confusion, String title) {
        int k = confusion.length;
        List<Integer> predicted = new ArrayList<>();
        List<Integer> trueTopDown = new ArrayList<>();   // the heat map's y axis rises: the last class comes first
        for (int c = 0; c < k; c++) {
            predicted.add(c);
            trueTopDown.add(k - 1 - c);
        }
        List<Number[]> heat = new ArrayList<>();   // {x index = predicted, y index, count}
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                heat.add(new Number[] {p, k - 1 - t, Math.min(Integer.MAX_VALUE, confusion[t][p])});
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(CONFUSION_SIZE).height(CONFUSION_SIZE)
                .title(title).xAxisTitle("predicted").yAxisTitle("true label").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setPlotContentSize(1.0);   // the cells fill the plot: no empty band past the last class
        chart.getStyler().setRangeColors(new Color[] {new Color(247, 251, 255), new Color(107, 174, 214), new Color(8, 48, 107)});
        chart.addSeries("confusion", predicted, trueTopDown, heat);
        return png(chart);
    }

    /**
     * A grid of digits, {@value #GRID_COLUMNS} per row: each with its true label, the prediction and a bar
     * chart of the ten probabilities; wrong ones framed and marked INCORRECT. Drawn in the order given.
     */
    public static byte[] samples(List<Sample> samples) {
        int rows = Math.max(1, (samples.size() + GRID_COLUMNS - 1) / GRID_COLUMNS);
        BufferedImage grid = new BufferedImage(GRID_COLUMNS * TILE_WIDTH, rows * TILE_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
        for (int i = 0; i < samples.size(); i++) {
            tile(g, samples.get(i), (i % GRID_COLUMNS) * TILE_WIDTH, (i / GRID_COLUMNS) * TILE_HEIGHT);
        }
        g.dispose();
        return png(grid);
    }

    private static void tile(Graphics2D g, Sample s, int x0, int y0) {
        Color mark = s.correct() ? RIGHT : WRONG;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, CAPTION_SIZE));
        g.setColor(mark);
        g.drawString(String.format(Locale.ROOT, "label %d, predicted %d", s.label(), s.predicted()), x0 + 8, y0 + 22);
        g.drawString(String.format(Locale.ROOT, "(%.2f)  %s", s.confidence(), s.correct() ? "CORRECT" : "INCORRECT"),
                x0 + 8, y0 + 44);
        // the digit, 4 pixels per pixel, ink dark on white
        int scale = 4;
        int top = 54;
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                int v = 255 - (s.pixels()[r * 28 + c] & 0xFF);
                g.setColor(new Color(v, v, v));
                g.fillRect(x0 + 6 + c * scale, y0 + top + r * scale, scale, scale);
            }
        }
        // the ten probabilities
        CategoryChart bars = new CategoryChartBuilder().width(TILE_WIDTH - 130).height(TILE_HEIGHT - top + 2).build();
        bars.getStyler().setLegendVisible(false);
        bars.getStyler().setChartBackgroundColor(Color.WHITE);
        bars.getStyler().setYAxisMin(0.0);
        bars.getStyler().setYAxisMax(1.0);
        bars.getStyler().setChartPadding(2);
        bars.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        bars.getStyler().setSeriesColors(new Color[] {mark});
        List<Integer> classes = new ArrayList<>();
        List<Double> p = new ArrayList<>();
        for (int c = 0; c < s.probabilities().length; c++) {
            classes.add(c);
            p.add(s.probabilities()[c]);
        }
        bars.addSeries("p", classes, p);
        g.drawImage(BitmapEncoder.getBufferedImage(bars), x0 + 124, y0 + top - 4, null);
        if (!s.correct()) {
            g.setColor(WRONG);
            g.setStroke(new BasicStroke(3));
            g.drawRect(x0 + 2, y0 + 2, TILE_WIDTH - 5, TILE_HEIGHT - 5);
        }
    }

    private static byte[] png(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) {
        return png(BitmapEncoder.getBufferedImage(chart));
    }

    private static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
