package org.sparkdigits.report;

import java.util.List;

/**
 * What a training run leaves besides its weights: its history (history.csv) and its metrics (metrics.json).
 *
 * @param history a row per logged step and evaluation
 * @param metrics the final figures
 */
public record TrainingReport(List<HistoryRow> history, TrainingMetrics metrics) {

    public TrainingReport {
        history = List.copyOf(history);
    }
}
