package org.sparkdigits.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * model.json's {@code training} of format 1 under the names of format 2, the command line's ({@code learning_rate} is
 * {@code lr}, {@code batch} {@code batch-size} with 0 for full batch, the nested {@code augment_on_the_fly} and
 * {@code distillation} objects the flat {@code rotation} ... and {@code teacher}, {@code distill-temperature},
 * {@code distill-weight}), so that a model written before reads as one written now.
 */
final class TrainingNames {

    private static final Map<String, String> RENAMED = Map.of("learning_rate", "lr", "local_steps", "local-steps",
            "decay_every", "decay-every", "decay_rate", "decay-rate", "label_smoothing", "label-smoothing",
            "early_stopping", "early-stopping", "on_bad_row", "on-bad-row", "storage_level", "storage-level",
            "train_rows", "train-rows");

    private TrainingNames() {
    }

    /** The settings of a format 1 model.json under format 2's names, in their order. */
    static Map<String, Object> fromFormat1(Map<String, Object> old) {
        Map<String, Object> m = new LinkedHashMap<>();
        old.forEach((k, v) -> {
            switch (k) {
                case "batch" -> m.put("batch-size", "full".equals(v) ? 0 : v);
                case "augment_on_the_fly" -> {
                    if (v instanceof Map<?, ?> ranges) {
                        m.put("augment-on-the-fly", true);
                        ranges.forEach((r, x) -> m.put("elastic_scale".equals(r) ? "elastic-scale" : String.valueOf(r), x));
                    } else {
                        m.put("augment-on-the-fly", v);
                    }
                }
                case "distillation" -> {
                    if (v instanceof Map<?, ?> d) {
                        m.put("teacher", d.get("teachers"));
                        m.put("distill-temperature", d.get("temperature"));
                        m.put("distill-weight", d.get("weight"));
                    }
                }
                default -> m.put(RENAMED.getOrDefault(k, k), v);
            }
        });
        return m;
    }
}
