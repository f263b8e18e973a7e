package org.sparkdigits.core.kernel;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.List;

import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.DistilledTargets;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Parameters;

/**
 * Knowledge distillation from our own models ({@code --teacher DIR[,DIR...]}, {@code --distill-temperature T},
 * {@code --distill-weight W}): the student trains against a mix of the labels and the teachers' averaged softened
 * probabilities {@code q = (1/m) Σ_i softmax(z_i / T)}, {@code z_i} teacher {@code i}'s logits of the same row (the same
 * distorted variant, when the rows are distorted on the fly); the loss and its gradient are {@link DistilledTargets}'.
 * Teachers are 784-H-10 networks of any width and activation (the classes and inputs must be the student's). Each
 * task's thread evaluates the teachers on the rows of its kernel calls: the teachers' weights are laid out for the
 * student's kind of kernel once per JVM ({@link KernelWeights}, shared, read only), and each thread keeps its own
 * kernels over them (their work buffers only), from this object, which Spark broadcasts once for the whole run. Pure
 * Java, no Spark.
 *
 * <p>The teachers are not trained: no gradient flows into them, and their forward pass has no dropout.
 */
@DefaultSerializer(JavaSerializer.class)
public final class Distillation implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A teacher: its weights and hidden activation. */
    @DefaultSerializer(JavaSerializer.class)
    public record Teacher(Parameters parameters, Activation activation) implements Serializable {
    }

    private final List<Teacher> teachers;
    private final double temperature;
    private final double weight;
    private final KernelKind kernel;
    /** Per thread, a kernel per teacher over the shared weights: kernels hold work buffers and are not thread-safe. */
    private transient volatile ThreadLocal<Kernel[]> kernels;

    /**
     * @param teachers    at least one
     * @param temperature {@code T > 0} (finite): the softmax temperature of both teachers and student in the soft term
     * @param weight      {@code w} in [0, 1]: the soft term's share of the loss
     * @param kernel      the kind of kernel the teachers run
     */
    public Distillation(List<Teacher> teachers, double temperature, double weight, KernelKind kernel) {
        if (teachers.isEmpty()) {
            throw new IllegalArgumentException("distillation needs at least one teacher");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("the distillation temperature must be > 0, got " + temperature);
        }
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("the distillation weight must be in [0, 1], got " + weight);
        }
        this.teachers = List.copyOf(teachers);
        this.temperature = temperature;
        this.weight = weight;
        this.kernel = kernel;
    }

    public List<Teacher> teachers() {
        return teachers;
    }

    public double temperature() {
        return temperature;
    }

    public double weight() {
        return weight;
    }

    /**
     * The targets of rows {@code order[from..to)} of {@code block} (rows {@code from..to} when {@code order} is null):
     * the teachers evaluated on those rows, in that order.
     *
     * @param labels the labels' own targets (one-hot or smoothed)
     */
    public DistilledTargets targets(DigitBlock block, int[] order, int from, int to, LabelSmoothing labels) {
        DigitBlock rows = order == null && from == 0 && to == block.rows() ? block : block.rows(order, from, to);
        int n = rows.rows();
        int k = teachers.get(0).parameters().shape().classes();
        double[] q = new double[n * k];
        double[] p = new double[n * k];
        byte[] predicted = new byte[n];
        double share = 1.0 / teachers.size();
        for (Kernel teacher : kernels()) {
            teacher.predict(rows, predicted, p);
            for (int i = 0; i < n; i++) {
                soften(p, i * k, k, temperature);
                for (int c = i * k; c < i * k + k; c++) {
                    q[c] += share * p[c];
                }
            }
        }
        return new DistilledTargets(labels, temperature, weight, q, k);
    }

    /**
     * Turns the probabilities {@code p[base, base + k)} into {@code softmax(log p / T)}, which is {@code softmax(z / T)}
     * of the logits they came from (a class whose probability underflowed to 0 stays 0).
     */
    static void soften(double[] p, int base, int k, double temperature) {
        if (temperature == 1) {
            return;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c = base; c < base + k; c++) {
            p[c] = Math.log(p[c]) / temperature;
            max = Math.max(max, p[c]);
        }
        double sum = 0;
        for (int c = base; c < base + k; c++) {
            p[c] = Math.exp(p[c] - max);
            sum += p[c];
        }
        for (int c = base; c < base + k; c++) {
            p[c] /= sum;
        }
    }

    private Kernel[] kernels() {
        ThreadLocal<Kernel[]> local = kernels;
        if (local == null) {
            synchronized (this) {
                local = kernels;
                if (local == null) {
                    KernelWeights[] weights = teachers.stream().map(t -> KernelWeights.of(t.parameters(), kernel))
                            .toArray(KernelWeights[]::new);
                    local = ThreadLocal.withInitial(() -> {
                        Kernel[] k = new Kernel[weights.length];
                        for (int i = 0; i < k.length; i++) {
                            k[i] = weights[i].kernel(teachers.get(i).activation());
                        }
                        return k;
                    });
                    kernels = local;
                }
            }
        }
        return local.get();
    }
}
