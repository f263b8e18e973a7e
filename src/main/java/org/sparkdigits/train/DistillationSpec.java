package org.sparkdigits.train;

import java.util.List;

/**
 * Knowledge distillation from our own models: train against a mix of the labels and the teachers' averaged softened
 * probabilities (see {@link org.sparkdigits.core.loss.DistilledTargets} for the loss).
 *
 * @param teachers    model directories written by {@code train} (any Hadoop file system), empty for none
 *                    ({@code --teacher DIR[,DIR...]})
 * @param temperature the softmax temperature {@code T} of the soft term, in (0, inf) ({@code --distill-temperature})
 * @param weight      the soft term's share {@code w} of the loss, in [0, 1] ({@code --distill-weight})
 */
public record DistillationSpec(List<String> teachers, double temperature, double weight) {

    /** The defaults of {@code --distill-temperature} and {@code --distill-weight}. */
    public static final double TEMPERATURE = 2;
    public static final double WEIGHT = 0.5;

    /** No teachers. */
    public static final DistillationSpec NONE = new DistillationSpec(List.of(), TEMPERATURE, WEIGHT);

    public DistillationSpec {
        teachers = List.copyOf(teachers);
        Check.in("--distill-temperature", temperature, 0, false, Double.POSITIVE_INFINITY, false);
        Check.in("--distill-weight", weight, 0, true, 1, true);
        for (String t : teachers) {
            if (t.isBlank()) {
                throw new IllegalArgumentException("--teacher: an empty model directory in the list");
            }
        }
    }

    public boolean active() {
        return !teachers.isEmpty();
    }
}
