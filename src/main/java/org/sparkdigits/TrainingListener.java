package org.sparkdigits;

/**
 * Told of a run's progress as it goes, on the driver, between Spark jobs (a notebook's progress bar, say); the log
 * lines are written either way. Every method does nothing unless overridden. A listener that throws stops the run, as
 * does interrupting the thread that called {@link DigitTrainer#fit}. Given to {@code DigitTrainer.builder().listener(...)}.
 */
public interface TrainingListener {

    /**
     * Before each load of the run starts its Spark jobs: the training data, then the validation and test sets given
     * as DataFrames or files. The line is the log's: from where, and how big it looks before reading (a DataFrame's
     * partitions and Spark's plan estimate of its bytes and rows; files' count and bytes). Throwing here, or
     * interrupting the thread, stops the run before that load.
     *
     * @param what        "training data", "validation data" or "test data"
     * @param description the log line, e.g. {@code loading the training data from a DataFrame of 2 partitions
     *                    (Spark's estimate: 10000000000 rows, 80.0 GB)}
     */
    default void onLoad(String what, String description) {
    }

    /**
     * After every step (full batch: every iteration; with local steps: every round, {@code step} its last step).
     *
     * @param step         steps done, from 1
     * @param epoch        the epoch, fractional within one (full batch: the iteration)
     * @param loss         the step's mean training loss (with local steps: the round's); NaN for a step without rows
     * @param accuracy     its training accuracy
     * @param learningRate the rate of the step
     */
    default void onStep(long step, double epoch, double loss, double accuracy, double learningRate) {
    }

    /**
     * After every evaluation of the validation and test sets during training.
     *
     * @param step       steps done
     * @param epoch      the epoch, fractional within one (full batch: the iteration)
     * @param validation the validation set's scores, or {@code null} without one
     * @param test       the test set's, or {@code null} without one
     */
    default void onEvaluation(long step, double epoch, DigitScores validation, DigitScores test) {
    }

    /**
     * After every epoch of mini-batch training.
     *
     * @param epoch the epoch just finished, from 1
     * @param step  steps done
     */
    default void onEpoch(int epoch, long step) {
    }

    /** A listener that hears nothing. */
    TrainingListener NONE = new TrainingListener() {
    };
}
