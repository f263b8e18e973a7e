package org.sparkdigits.train;

/**
 * How many steps of what size, and how often to log.
 *
 * @param batchSize  global rows per mini-batch step, 0 for full batch ({@code --batch-size})
 * @param epochs     passes over the data with mini-batches, 1-1 000 000 ({@code --epochs})
 * @param iterations full-batch steps (iterations of lbfgs and cg), 1-10 000 000 ({@code --iterations})
 * @param localSteps mini-batch steps each task takes alone before the models are averaged, 1-1 000 000
 *                   ({@code --local-steps})
 * @param logEvery   a progress line and a history row every N steps ({@code --log-every})
 * @param seed       initialisation, holdout and validation rows, batches, dropout masks ({@code --seed})
 */
public record LoopSpec(int batchSize, int epochs, int iterations, int localSteps, int logEvery, long seed) {

    public LoopSpec {
        Check.between("--batch-size", batchSize, 0, Integer.MAX_VALUE);
        Check.between("--epochs", epochs, 1, 1_000_000);
        Check.between("--iterations", iterations, 1, 10_000_000);
        Check.between("--local-steps", localSteps, 1, 1_000_000);
        Check.between("--log-every", logEvery, 1, Integer.MAX_VALUE);
        if (localSteps > 1 && batchSize == 0) {
            throw new IllegalArgumentException("--local-steps " + localSteps + " needs mini-batches: give --batch-size too");
        }
    }

    public boolean miniBatch() {
        return batchSize > 0;
    }
}
