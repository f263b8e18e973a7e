package org.sparkdigits.train;

/**
 * Checkpoints and resuming.
 *
 * @param dir    the checkpoint directory on any Hadoop file system, or {@code null} for none ({@code --checkpoint-dir})
 * @param every  steps between checkpoints ({@code --checkpoint-every})
 * @param resume continue from the newest intact checkpoint in {@code dir} ({@code --resume})
 */
public record CheckpointSpec(String dir, int every, boolean resume) {

    public CheckpointSpec {
        Check.between("--checkpoint-every", every, 1, Integer.MAX_VALUE);
        if (dir != null) {
            Check.text("--checkpoint-dir", dir, "PATH");
        }
        if (resume && dir == null) {
            throw new IllegalArgumentException("--resume needs --checkpoint-dir (where the checkpoints are)");
        }
    }

    public boolean enabled() {
        return dir != null;
    }
}
