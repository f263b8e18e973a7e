package org.sparkdigits.core.network;

/** The hidden layer's activation. */
public enum Activation {
    /** {@code max(z, 0)}; derivative {@code [a > 0]}. The default. */
    RELU,
    /** {@code 1 / (1 + e^-z)}; derivative {@code a (1 - a)} (the 004 notebook's comparison). */
    SIGMOID;

    public static Activation parse(String name) {
        return Names.parse(values(), name, "activation");
    }

    public String id() {
        return Names.id(this);
    }

    /** {@code f(z)}. */
    public double apply(double z) {
        if (this == RELU) {
            return z > 0 ? z : 0.0;
        }
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /** {@code f'(z)} written in terms of {@code a = f(z)}. */
    public double derivativeFromOutput(double a) {
        if (this == RELU) {
            return a > 0 ? 1.0 : 0.0;
        }
        return a * (1.0 - a);
    }
}
