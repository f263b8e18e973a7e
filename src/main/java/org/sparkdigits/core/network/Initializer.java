package org.sparkdigits.core.network;

import java.util.SplittableRandom;

/**
 * How the weights start. Every scheme draws from a {@link SplittableRandom} seeded explicitly, in the
 * flat order W1, b1, W2, b2, so the same seed gives the same parameters on any JVM.
 */
public enum Initializer {
    /**
     * He-uniform: {@code W ~ U(-sqrt(6/fanIn), +sqrt(6/fanIn))}, biases zero. Suited to ReLU; the default.
     */
    HE,
    /** Glorot/Xavier-uniform: {@code W ~ U(-sqrt(6/(fanIn+fanOut)), +...)}, biases zero. Suited to sigmoid. */
    XAVIER,
    /** The original notebooks: every parameter, biases included, {@code ~ U(-0.5, 0.5)}. */
    SEED;

    /** Parses {@code he}, {@code xavier} or {@code seed} (case-insensitive). */
    public static Initializer parse(String name) {
        return Names.parse(values(), name, "init");
    }

    public String id() {
        return Names.id(this);
    }

    /** New parameters for {@code shape}, drawn with {@code seed}. */
    public Parameters initialize(NetworkShape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] p = new double[shape.parameterCount()];
        switch (this) {
            case SEED -> {
                for (int i = 0; i < p.length; i++) {
                    p[i] = random.nextDouble() - 0.5;
                }
            }
            case HE -> {
                fillUniform(p, shape.w1Offset(), shape.hidden() * shape.inputs(),
                        Math.sqrt(6.0 / shape.inputs()), random);
                fillUniform(p, shape.w2Offset(), shape.classes() * shape.hidden(),
                        Math.sqrt(6.0 / shape.hidden()), random);
            }
            case XAVIER -> {
                fillUniform(p, shape.w1Offset(), shape.hidden() * shape.inputs(),
                        Math.sqrt(6.0 / (shape.inputs() + shape.hidden())), random);
                fillUniform(p, shape.w2Offset(), shape.classes() * shape.hidden(),
                        Math.sqrt(6.0 / (shape.hidden() + shape.classes())), random);
            }
            default -> throw new IllegalStateException(name());
        }
        return new Parameters(shape, p);
    }

    private static void fillUniform(double[] p, int offset, int length, double limit, SplittableRandom random) {
        for (int i = offset; i < offset + length; i++) {
            p[i] = (2.0 * random.nextDouble() - 1.0) * limit;
        }
    }
}
