package org.sparkdigits.train;

import java.util.concurrent.CancellationException;

/**
 * A training run that was stopped from outside: its thread was interrupted (a notebook's interrupt), or its Spark job
 * was cancelled ({@code SparkContext.cancelJobGroup}, {@code cancelAllJobs}, the context stopped). The message is
 * one line: {@code training cancelled}, where the run was, and how. When the run was interrupted, the thread's
 * interrupt status is set again once the run has released what it cached.
 */
public class TrainingCancelledException extends CancellationException {

    private final boolean interrupted;

    /**
     * @param interrupted whether the run's thread was interrupted (rather than its Spark job cancelled)
     * @param cause       the failure that showed the cancellation (the cancelled job's), or {@code null}
     */
    public TrainingCancelledException(String message, boolean interrupted, Throwable cause) {
        super(message);
        this.interrupted = interrupted;
        if (cause != null) {
            initCause(cause);
        }
    }

    /** Whether the run's thread was interrupted (rather than its Spark job cancelled). */
    public boolean interrupted() {
        return interrupted;
    }
}
