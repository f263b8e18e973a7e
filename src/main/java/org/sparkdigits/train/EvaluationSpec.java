package org.sparkdigits.train;

/**
 * What is evaluated, and when training stops.
 *
 * @param holdout       rows held out of the training data for a final report, 0 for none ({@code --holdout})
 * @param validation    rows held out for evaluation during training, 0 for none ({@code --validation}); a validation
 *                      DataFrame given to the trainer replaces them
 * @param evalEvery     evaluate every N steps (0: full batch every --log-every, mini-batch at epoch ends) ({@code
 *                      --eval-every})
 * @param earlyStopping stop after N evaluations without a better validation loss, 0 for never ({@code --early-stopping})
 */
public record EvaluationSpec(int holdout, int validation, int evalEvery, int earlyStopping) {

    /** {@code --holdout}. */
    public static final Setting<EvaluationSpec> HOLDOUT = Setting.<EvaluationSpec>of(
            "holdout", "N", "0", Setting.Kind.INTEGER,
            "hold N training rows out (chosen with --seed) and report accuracy on them")
            .recorded(Setting.Recorded.RUN, e -> e.holdout())
            .between(0, Integer.MAX_VALUE);

    /** {@code --validation}. */
    public static final Setting<EvaluationSpec> VALIDATION = Setting.<EvaluationSpec>of(
            "validation", "N", "0", Setting.Kind.INTEGER,
            "hold N training rows out (with --seed) and evaluate them every epoch")
            .recorded(Setting.Recorded.RUN, e -> e.validation())
            .between(0, Integer.MAX_VALUE);

    /** {@code --eval-every}. */
    public static final Setting<EvaluationSpec> EVAL_EVERY = Setting.<EvaluationSpec>of(
            "eval-every", "N", "0", Setting.Kind.INTEGER,
            "evaluate validation/test every N steps (0: full batch every --log-every, mini-batch at epoch ends only)")
            .recorded(Setting.Recorded.MODEL, e -> e.evalEvery())
            .between(0, Integer.MAX_VALUE);

    /** {@code --early-stopping}. */
    public static final Setting<EvaluationSpec> EARLY_STOPPING = Setting.<EvaluationSpec>of(
            "early-stopping", "P", "0", Setting.Kind.INTEGER,
            "stop after P evaluations without a better validation loss and keep the best weights (0: off; needs "
            + "--validation)")
            .recorded(Setting.Recorded.RUN, e -> e.earlyStopping())
            .between(0, Integer.MAX_VALUE);

    public EvaluationSpec {
        HOLDOUT.check(holdout);
        VALIDATION.check(validation);
        EVAL_EVERY.check(evalEvery);
        EARLY_STOPPING.check(earlyStopping);
    }
}
