package org.sparkdigits.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.core.Evaluation;
import org.sparkdigits.report.Charts;
import org.sparkdigits.report.Sample;

/** The pictures that {@code train} and {@code report} write into a model directory. */
final class Report {

    private static final Logger LOG = LoggerFactory.getLogger(Report.class);

    /** Digits in samples.png. */
    static final int SAMPLES = 24;

    private Report() {
    }

    /** loss.png, accuracy.png, confusion.png and samples.png, by file name. */
    static Map<String, byte[]> charts(List<String> historyCsv, boolean byEpoch, Evaluation confusion, String which,
                                      List<Sample> samples) {
        long t0 = System.nanoTime();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(Charts.LOSS, Charts.loss(historyCsv, byEpoch));
        files.put(Charts.ACCURACY, Charts.accuracy(historyCsv, byEpoch));
        files.put(Charts.CONFUSION, Charts.confusion(confusion, which));
        files.put(Charts.SAMPLES, Charts.samples(samples));
        LOG.info(String.format(java.util.Locale.ROOT, "charts drawn in %.1f s", (System.nanoTime() - t0) / 1e9));
        return files;
    }
}
