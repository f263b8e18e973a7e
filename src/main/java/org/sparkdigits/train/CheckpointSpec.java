package org.sparkdigits.train;

/**
 * Checkpoints and resuming.
 *
 * @param dir    the checkpoint directory on any Hadoop file system, or {@code null} for none ({@code --checkpoint-dir})
 * @param every  steps between checkpoints ({@code --checkpoint-every})
 * @param resume continue from the newest intact checkpoint in {@code dir} ({@code --resume})
 */
public record CheckpointSpec(String dir, int every, boolean resume) {

    /** {@code --checkpoint-dir}. */
    public static final Setting<CheckpointSpec> CHECKPOINT_DIR = Setting.<CheckpointSpec>of(
            "checkpoint-dir", "PATH", null, Setting.Kind.TEXT,
            "write checkpoints (weights, optimiser state, position, history) to this directory, on any Hadoop file "
            + "system; first-order optimisers only");

    /** {@code --checkpoint-every}. */
    public static final Setting<CheckpointSpec> CHECKPOINT_EVERY = Setting.<CheckpointSpec>of(
            "checkpoint-every", "K", "100", Setting.Kind.INTEGER,
            "steps between checkpoints")
            .between(1, Integer.MAX_VALUE);

    /** {@code --resume}. */
    public static final Setting<CheckpointSpec> RESUME = Setting.<CheckpointSpec>of(
            "resume", null, "false", Setting.Kind.FLAG,
            "continue from the newest intact checkpoint in --checkpoint-dir (from the beginning if there is none); "
            + "the other options must be those of the interrupted run");

    public CheckpointSpec {
        CHECKPOINT_EVERY.check(every);
        if (dir != null) {
            CHECKPOINT_DIR.checkText(dir);
        }
        if (resume && dir == null) {
            throw new IllegalArgumentException(RESUME.flag() + " needs " + CHECKPOINT_DIR.flag() + " (where the checkpoints are)");
        }
    }

    public boolean enabled() {
        return dir != null;
    }
}
