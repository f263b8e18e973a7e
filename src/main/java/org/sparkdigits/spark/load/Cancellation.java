package org.sparkdigits.spark.load;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.util.regex.Pattern;

import org.apache.spark.SparkContext;
import org.sparkdigits.train.TrainingCancelledException;

/**
 * Whether a run was stopped from outside, and the {@link TrainingCancelledException} that says so: its thread
 * interrupted (checked between steps and loads; an interrupt during a Spark job ends the wait for it), or its job
 * cancelled by Spark ({@code cancelJobGroup}, {@code cancelAllJobs}, {@code cancelJobsWithTag}, a stopped context).
 */
public final class Cancellation {

    /**
     * Spark's message for a cancelled job (SPARK_JOB_CANCELLED): "[SPARK_JOB_CANCELLED] Job 12 cancelled part of
     * cancelled job group g SQLSTATE: XXKDA" (Spark 3.5: without the condition and the state).
     */
    private static final Pattern JOB_CANCELLED = Pattern.compile(
            "^(?:\\[SPARK_JOB_CANCELLED\\]\\s*)?(Job \\d+ cancelled\\b.*?)(?:\\s+SQLSTATE: \\w+)?$", Pattern.DOTALL);

    private Cancellation() {
    }

    /**
     * Throws when the thread was interrupted (clearing its status: {@code TrainingRun} sets it again once it has
     * released the run's data) or the context was stopped.
     *
     * @param where where the run is, for the message ("after step 3 of 40")
     */
    public static void check(SparkContext sc, String where) {
        if (Thread.interrupted()) {
            throw new TrainingCancelledException("training cancelled " + where + " (the thread was interrupted)", true, null);
        }
        if (sc.isStopped()) {
            throw new TrainingCancelledException("training cancelled " + where + " (the SparkContext was stopped)", false,
                    null);
        }
    }

    /**
     * The cancellation that {@code t} shows, or {@code null} when {@code t} is an ordinary failure.
     *
     * @param interrupted whether the thread's interrupt status was set when {@code t} arrived
     * @param where       where the run was, for the message ("while loading the training data")
     */
    public static TrainingCancelledException of(Throwable t, boolean interrupted, String where) {
        if (t instanceof TrainingCancelledException c) {
            return c;
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof TrainingCancelledException tc) {
                return tc;
            }
            if (isInterrupt(c)) {
                return new TrainingCancelledException("training cancelled " + where + " (the thread was interrupted)", true, t);
            }
            String m = c.getMessage();
            java.util.regex.Matcher job = m == null ? null : JOB_CANCELLED.matcher(firstLine(m));
            if (job != null && job.matches()) {
                return new TrainingCancelledException("training cancelled " + where + " (" + job.group(1) + ")", false, t);
            }
            if (m != null && m.startsWith("Job aborted")) {
                break;   // a task's own failure (its cause may be an executor's interrupted read): not a cancellation
            }
        }
        return interrupted ? new TrainingCancelledException("training cancelled " + where + " (the thread was interrupted)",
                true, t) : null;
    }

    /** Whether {@code t} shows a cancellation (see {@link #of}), leaving the thread's interrupt status alone. */
    public static boolean shows(Throwable t) {
        return of(t, false, "") != null;
    }

    /** Whether {@code t} is what an interrupt of the waiting thread throws. */
    public static boolean isInterrupt(Throwable t) {
        return t instanceof InterruptedException || t instanceof ClosedByInterruptException
                || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException));
    }

    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }
}
