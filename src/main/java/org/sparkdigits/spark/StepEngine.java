package org.sparkdigits.spark;

import java.util.List;
import java.util.Map;

/**
 * How the steps of a run are computed on Spark: the one loop ({@link SparkTrainer}) asks an engine for the steps from a
 * position on, and records what each step reports. Two engines: {@link JobSteps} (a Spark job per step, or per round
 * of local steps, the driver adding the sums and updating) and {@link CollectiveSegments} (one barrier stage per
 * segment of steps, the tasks adding the sums and updating among themselves). Both leave the driver's weights and
 * optimiser state as they were after the last step they ran, with the same bits.
 */
interface StepEngine {

    /**
     * One step, or one round of {@code steps} local steps, as the engine reports it.
     *
     * @param step     steps done after it (from 1)
     * @param position the position in its epoch after it (from 1)
     * @param steps    the steps it covers (1, or a round's local steps)
     * @param loss     the loss summed over its rows (on the weights before it)
     * @param count    its rows (0: every slice was empty and nothing changed)
     * @param correct  its rows classified right
     * @param rate     its (first) learning rate
     * @param ms       its wall time
     */
    record Round(long step, int position, int steps, double loss, long count, long correct, double rate, double ms) {
    }

    /**
     * The engine can no longer run the steps (the collective engine on a cluster that lost task slots): the loop goes
     * on from where it is on the jobs engine, which takes the same steps. Thrown before anything of the steps it could
     * not run was applied.
     */
    final class Unavailable extends RuntimeException {
        Unavailable(String reason) {
            super(reason);
        }
    }

    /** Told of each round as soon as it is done; the weights may not yet be the driver's (collective engine). */
    interface Teller {
        void told(Round round);

        /** A segment runs again from its start: the rounds it told are told again. */
        void retold();
    }

    /** Before the first step of an epoch (from 0). */
    default void beginEpoch(int epoch) {
    }

    /**
     * Runs steps from position {@code i} of {@code epoch}, {@code t} steps done, at most up to position {@code limit}
     * (the next position after which the loop evaluates, checkpoints or ends the epoch): one round (jobs engine) or the
     * segment up to {@code limit} (collective engine). Each round goes to {@code teller} as it ends; when this returns,
     * the driver's weights and optimiser state are those after the last round returned.
     */
    List<Round> run(int epoch, int i, long t, int limit, Teller teller);

    /** After an epoch's last step. */
    default void endEpoch(int epoch) {
    }

    /** A step's wall time by phase for metrics.json (ms, with {@code "total"}), empty when not measured. */
    Map<String, Double> phases();

    /** The bytes a task sent and received per step, or {@code null} when the engine's tasks exchange none. */
    default double[] taskBytesPerStep() {
        return null;
    }

    /** Releases what the engine holds for the run (cached permutations), also after a failure. */
    default void close() {
    }
}
