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

    /** {@code --teacher}. */
    public static final Setting<DistillationSpec> TEACHER = Setting.<DistillationSpec>of(
            "teacher", "DIR[,DIR...]", null, Setting.Kind.TEXT,
            "distil from these model directories (written by train; 784-H-10 of any H): train against (1-W)*the "
            + "labels' cross-entropy + W*T^2*the cross-entropy of the student's softmax(z/T) against the teachers' "
            + "averaged softmax(z/T), the teachers evaluated on the same (distorted) rows; the reported training "
            + "loss is that mix, evaluations use the plain one")
            .recorded(Setting.Recorded.RUN, d -> d.active() ? d.teachers() : null);

    /** {@code --distill-temperature}. */
    public static final Setting<DistillationSpec> DISTILL_TEMPERATURE = Setting.<DistillationSpec>of(
            "distill-temperature", "T", "2", Setting.Kind.NUMBER,
            "--teacher: the softmax temperature T of the soft term, > 0")
            .recorded(Setting.Recorded.RUN, d -> d.active() ? d.temperature() : null)
            .in(0, false, Double.POSITIVE_INFINITY, false);

    /** {@code --distill-weight}. */
    public static final Setting<DistillationSpec> DISTILL_WEIGHT = Setting.<DistillationSpec>of(
            "distill-weight", "W", "0.5", Setting.Kind.NUMBER,
            "--teacher: the soft term's share W of the loss, in [0, 1] (1: the teachers alone)")
            .recorded(Setting.Recorded.RUN, d -> d.active() ? d.weight() : null)
            .in(0, true, 1, true);

    /** The defaults of {@code --distill-temperature} and {@code --distill-weight}. */
    public static final double TEMPERATURE = 2;
    public static final double WEIGHT = 0.5;

    /** No teachers. */
    public static final DistillationSpec NONE = new DistillationSpec(List.of(), TEMPERATURE, WEIGHT);

    public DistillationSpec {
        teachers = List.copyOf(teachers);
        DISTILL_TEMPERATURE.check(temperature);
        DISTILL_WEIGHT.check(weight);
        for (String t : teachers) {
            if (t.isBlank()) {
                throw new IllegalArgumentException(TEACHER.flag() + ": an empty model directory in the list");
            }
        }
    }

    public boolean active() {
        return !teachers.isEmpty();
    }
}
