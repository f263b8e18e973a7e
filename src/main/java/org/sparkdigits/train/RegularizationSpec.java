package org.sparkdigits.train;

/**
 * What keeps the weights small and the units independent.
 *
 * @param l2      the L2 penalty (λ/2)·ΣW² on the weights, not the biases; with adamw decoupled weight decay; in [0, inf)
 *                ({@code --l2})
 * @param dropout the probability of dropping each hidden unit in a training step, in [0, 1) ({@code --dropout})
 */
public record RegularizationSpec(double l2, double dropout) {

    public RegularizationSpec {
        Check.in("--l2", l2, 0, true, Double.POSITIVE_INFINITY, false);
        Check.in("--dropout", dropout, 0, true, 1, false);
    }
}
