package org.sparkdigits.report;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a training run measured (metrics.json), typed and grouped.
 *
 * @param scores    accuracy and loss on each set
 * @param progress  how far training went
 * @param timings   how long it took
 * @param resources where it ran and what it held
 * @param engine    which engine ran the steps ({@code --engine}), or {@code null} when unknown (an older metrics.json)
 */
public record TrainingMetrics(Scores scores, Progress progress, Timings timings, Resources resources, EngineUse engine) {

    /** Without the engine. */
    public TrainingMetrics(Scores scores, Progress progress, Timings timings, Resources resources) {
        this(scores, progress, timings, resources, null);
    }

    /**
     * metrics.json's {@code engine}, {@code engine_requested} and {@code engine_reason}.
     *
     * @param used      the engine that ran the steps: {@code collective} or {@code jobs}
     * @param requested what {@code --engine} asked for: {@code collective}, {@code jobs} or {@code auto}
     * @param reason    why {@code used} ({@code asked for}, or {@code auto: ...})
     */
    public record EngineUse(String used, String requested, String reason) {
    }

    /** Accuracy, mean loss and rows of one evaluation. */
    public record Score(double accuracy, double loss, long rows) {
    }

    /**
     * @param test       the test set's score (else the holdout's), or {@code null} without either
     * @param testSource the test data's path, {@code holdout}, or {@code null}
     * @param holdout    with {@code holdout}: its score, else {@code null}
     * @param validation with a validation set: its score, else {@code null}
     * @param train      the training rows' score with the final weights
     * @param weights    whose scores these are, the saved model's weights: {@code raw} (the optimiser's) or {@code ema}
     *                   (their moving average, {@code --ema}; the history's training loss stays the raw weights')
     */
    public record Scores(Score test, String testSource, Score holdout, Score validation, Score train, String weights) {

        /** The scores of the optimiser's own weights. */
        public Scores(Score test, String testSource, Score holdout, Score validation, Score train) {
            this(test, testSource, holdout, validation, train, "raw");
        }
    }

    /**
     * @param steps        steps taken ({@code iterations} in metrics.json)
     * @param epochs       mini-batch: the epoch reached, else {@code null}
     * @param bestStep     the step of the best validation loss, or {@code null}
     * @param skippedRows  bad rows dropped (--on-bad-row skip)
     */
    public record Progress(long steps, Double epochs, boolean stoppedEarly, Long bestStep, long skippedRows) {
    }

    /** Seconds of training and loading; the median, fastest and slowest step (or round of local steps) in ms. */
    public record Timings(double trainSeconds, double loadSeconds, Double testLoadSeconds, double msPerStep,
                          double msPerStepMin, double msPerStepMax, Map<String, Double> stepPhasesMs,
                          Map<String, Double> bytesPerStep) {

        /** Without the phases and bytes. */
        public Timings(double trainSeconds, double loadSeconds, Double testLoadSeconds, double msPerStep,
                       double msPerStepMin, double msPerStepMax) {
            this(trainSeconds, loadSeconds, testLoadSeconds, msPerStep, msPerStepMin, msPerStepMax, Map.of(), Map.of());
        }
    }

    /** Partitions, where the cached blocks ended up (MB), the driver's heap (peak sampled, max) and the master. */
    public record Resources(int partitions, double cacheMemoryMb, double cacheDiskMb, double heapPeakMb, double heapMaxMb,
                            String sparkMaster) {
    }

    /** metrics.json's fields, in their order. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        Score test = scores.test;
        m.put("test_accuracy", test == null ? null : test.accuracy);
        m.put("test_loss", test == null ? null : test.loss);
        m.put("test_rows", test == null ? null : test.rows);
        m.put("test_source", scores.testSource);
        m.put("weights", scores.weights);
        put(m, "holdout", scores.holdout);
        put(m, "validation", scores.validation);
        m.put("train_accuracy", scores.train.accuracy);
        m.put("train_loss", scores.train.loss);
        m.put("train_rows", scores.train.rows);
        m.put("skipped_rows", progress.skippedRows);
        m.put("iterations", progress.steps);
        if (progress.epochs != null) {
            m.put("epochs", progress.epochs);
        }
        m.put("stopped_early", progress.stoppedEarly);
        m.put("best_step", progress.bestStep);
        m.put("train_seconds", timings.trainSeconds);
        m.put("load_seconds", timings.loadSeconds);
        m.put("test_load_seconds", timings.testLoadSeconds);
        m.put("ms_per_iteration", timings.msPerStep);
        m.put("ms_per_iteration_min", timings.msPerStepMin);
        m.put("ms_per_iteration_max", timings.msPerStepMax);
        if (!timings.stepPhasesMs.isEmpty()) {
            // the driver's wall time per step by phase, median over the steps after the first epoch
            m.put("ms_per_step_steady", timings.stepPhasesMs.get("total"));
            m.put("step_phases_ms", timings.stepPhasesMs);
        }
        if (!timings.bytesPerStep.isEmpty()) {
            // what a step moves: the task results the driver received, what a task sent and received (its peers'
            // sums and weights on the collective engine, its result on the jobs engine)
            m.put("bytes_per_step", timings.bytesPerStep);
        }
        m.put("partitions", resources.partitions);
        m.put("cache_memory_mb", resources.cacheMemoryMb);
        m.put("cache_disk_mb", resources.cacheDiskMb);
        m.put("heap_peak_mb", resources.heapPeakMb);
        m.put("heap_max_mb", resources.heapMaxMb);
        m.put("spark_master", resources.sparkMaster);
        if (engine != null) {
            m.put("engine", engine.used);
            m.put("engine_requested", engine.requested);
            m.put("engine_reason", engine.reason);
        }
        return m;
    }

    private static void put(Map<String, Object> m, String name, Score s) {
        if (s != null) {
            m.put(name + "_accuracy", s.accuracy);
            m.put(name + "_loss", s.loss);
            m.put(name + "_rows", s.rows);
        }
    }

    /** The metrics of a metrics.json (fields missing or null where it has none). */
    public static TrainingMetrics fromJson(JsonNode m) {
        Scores scores = new Scores(score(m, "test"), text(m, "test_source"), score(m, "holdout"), score(m, "validation"),
                score(m, "train"), m.hasNonNull("weights") ? m.get("weights").asText() : "raw");
        Progress progress = new Progress(m.path("iterations").asLong(0), m.hasNonNull("epochs") ? m.get("epochs").asDouble() : null,
                m.path("stopped_early").asBoolean(false), m.hasNonNull("best_step") ? m.get("best_step").asLong() : null,
                m.path("skipped_rows").asLong(0));
        Timings timings = new Timings(number(m, "train_seconds"), number(m, "load_seconds"),
                m.hasNonNull("test_load_seconds") ? m.get("test_load_seconds").asDouble() : null, number(m, "ms_per_iteration"),
                number(m, "ms_per_iteration_min"), number(m, "ms_per_iteration_max"), phases(m.path("step_phases_ms")),
                phases(m.path("bytes_per_step")));
        Resources resources = new Resources(m.path("partitions").asInt(0), number(m, "cache_memory_mb"),
                number(m, "cache_disk_mb"), number(m, "heap_peak_mb"), number(m, "heap_max_mb"), text(m, "spark_master"));
        EngineUse engine = m.hasNonNull("engine") ? new EngineUse(m.get("engine").asText(), text(m, "engine_requested"),
                text(m, "engine_reason")) : null;
        return new TrainingMetrics(scores, progress, timings, resources, engine);
    }

    private static Map<String, Double> phases(JsonNode node) {
        Map<String, Double> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
        return out;
    }

    private static Score score(JsonNode m, String name) {
        if (!m.hasNonNull(name + "_accuracy")) {
            return null;
        }
        return new Score(m.get(name + "_accuracy").asDouble(), number(m, name + "_loss"), m.path(name + "_rows").asLong(0));
    }

    private static double number(JsonNode m, String name) {
        return m.hasNonNull(name) ? m.get(name).asDouble() : Double.NaN;
    }

    private static String text(JsonNode m, String name) {
        return m.hasNonNull(name) ? m.get(name).asText() : null;
    }
}
