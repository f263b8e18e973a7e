package org.sparkdigits.train;

import org.sparkdigits.core.network.Parameters;

/**
 * Keeps the weights of the best validation loss and, with a patience P above 0, says to stop after P evaluations
 * without a better one ({@code --early-stopping}).
 */
public final class EarlyStopping {

    /**
     * What early stopping has seen, as a value (checkpointed with the training state).
     *
     * @param bestLoss           the best validation loss so far ({@code +inf} before any evaluation)
     * @param best               its weights, or {@code null}
     * @param bestStep           its step, or -1
     * @param withoutImprovement evaluations since it
     * @param stopped            whether training is to stop
     */
    public record State(double bestLoss, Parameters best, long bestStep, int withoutImprovement, boolean stopped) {

        static final State START = new State(Double.POSITIVE_INFINITY, null, -1, 0, false);
    }

    private final int patience;
    private State state = State.START;

    /** @param patience evaluations without improvement before stopping; 0 never stops */
    public EarlyStopping(int patience) {
        this.patience = patience;
    }

    /**
     * Takes the validation loss of the weights {@code current} at {@code step}.
     *
     * @return whether training should stop now
     */
    public boolean observe(double validationLoss, long step, Parameters current) {
        State s = state;
        if (validationLoss < s.bestLoss()) {
            state = new State(validationLoss, current.copy(), step, 0, s.stopped());
        } else if (patience > 0) {
            int without = s.withoutImprovement() + 1;
            state = new State(s.bestLoss(), s.best(), s.bestStep(), without, s.stopped() || without >= patience);
        }
        return state.stopped();
    }

    /** Whether training is to stop. */
    public boolean stopped() {
        return state.stopped();
    }

    /** What it has seen so far. */
    public State state() {
        return state;
    }

    /** Takes up {@code s} (a checkpoint's). */
    public void restore(State s) {
        this.state = s;
    }

    /** The weights to keep: the best ones when early stopping is on and there was an evaluation, else {@code last}. */
    public Parameters result(Parameters last) {
        return patience > 0 && state.best() != null ? state.best() : last;
    }
}
