package org.sparkdigits;

import org.sparkdigits.core.loss.Evaluation;
import org.sparkdigits.train.TrainingEvents;

/** A library user's {@link TrainingListener} as the training loop's {@link TrainingEvents}. */
record ListenerEvents(TrainingListener listener) implements TrainingEvents {

    @Override
    public void onLoad(String what, String description) {
        listener.onLoad(what, description);
    }

    @Override
    public void onStep(long step, double epoch, double loss, double accuracy, double learningRate) {
        listener.onStep(step, epoch, loss, accuracy, learningRate);
    }

    @Override
    public void onEvaluation(long step, double epoch, Evaluation validation, Evaluation test) {
        listener.onEvaluation(step, epoch, validation == null ? null : new DigitScores(validation),
                test == null ? null : new DigitScores(test));
    }

    @Override
    public void onEpoch(int epoch, long step) {
        listener.onEpoch(epoch, step);
    }
}
