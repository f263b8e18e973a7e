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

    public EvaluationSpec {
        Check.between("--holdout", holdout, 0, Integer.MAX_VALUE);
        Check.between("--validation", validation, 0, Integer.MAX_VALUE);
        Check.between("--eval-every", evalEvery, 0, Integer.MAX_VALUE);
        Check.between("--early-stopping", earlyStopping, 0, Integer.MAX_VALUE);
    }
}
