package org.sparkdigits.core.loss;

/**
 * The targets of one kernel call's rows under knowledge distillation ({@code --teacher}, whose teachers the kernels'
 * {@code Distillation} evaluates): per row, with the student's logits {@code z}, {@code p = softmax(z)},
 * {@code p_T = softmax(z / T)}, the labels' targets {@code t} (one-hot or smoothed: {@link LabelSmoothing}) and the teachers' averaged softened probabilities {@code q}:
 * <pre>
 *   loss = (1 - w)·(-Σ_c t_c log p_c) + w·T²·(-Σ_c q_c log p_T,c)
 *   dz   = (1 - w)·(p - t)            + w·T·(p_T - q)
 * </pre>
 * (Hinton, Vinyals and Dean 2015: the {@code T²} keeps the soft term's gradient on the hard term's scale as {@code T}
 * changes.) The soft term is a cross-entropy, not a KL divergence: the two differ by the teachers' entropy, a constant
 * of the rows, so their gradients are the same. With {@code w = 0} the loss and delta are exactly {@code t}'s. Holds one
 * row's {@code p_T} between {@link #softmaxLoss} and {@link #subtractTargets}: one instance per kernel call, not
 * thread-safe.
 */
public final class DistilledTargets implements Targets {

    private final LabelSmoothing labels;
    private final double temperature;
    private final double weight;
    private final double[] soft;
    private final double[] studentSoft;

    /**
     * @param labels      the labels' targets
     * @param temperature {@code T > 0}
     * @param weight      {@code w} in [0, 1]
     * @param soft        the teachers' averaged softened probabilities {@code q}, {@code [rows x classes]} row-major, one
     *                    row per row of the call, in the call's order; taken, not copied
     * @param classes     classes per row
     */
    public DistilledTargets(LabelSmoothing labels, double temperature, double weight, double[] soft, int classes) {
        this.labels = labels;
        this.temperature = temperature;
        this.weight = weight;
        this.soft = soft;
        this.studentSoft = new double[classes];
    }

    /** The teachers' averaged softened probabilities, {@code [rows x classes]} (not a copy). */
    public double[] soft() {
        return soft;
    }

    @Override
    public double softmaxLoss(double[] z, int base, int k, int y, int position) {
        double max = Softmax.max(z, base, k);
        double sum = 0;
        for (int c = 0; c < k; c++) {
            double e = Math.exp((z[base + c] - max) / temperature);
            studentSoft[c] = e;
            sum += e;
        }
        double logSum = Math.log(sum);
        double crossSoft = 0;   // -Σ q_c log p_T,c
        int q = position * k;
        for (int c = 0; c < k; c++) {
            double qc = soft[q + c];
            if (qc != 0) {
                crossSoft -= qc * ((z[base + c] - max) / temperature - logSum);
            }
            studentSoft[c] /= sum;
        }
        double hard = labels.softmaxLoss(z, base, k, y);
        return (1 - weight) * hard + weight * temperature * temperature * crossSoft;
    }

    @Override
    public void subtractTargets(double[] z, int base, int k, int y, int position) {
        labels.subtractTargets(z, base, k, y);
        int q = position * k;
        double soft0 = weight * temperature;
        for (int c = 0; c < k; c++) {
            z[base + c] = (1 - weight) * z[base + c] + soft0 * (studentSoft[c] - soft[q + c]);
        }
    }
}
