package org.sparkdigits.train;

import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;

/**
 * The network and how it is computed.
 *
 * @param hidden     hidden units, 1-4096 ({@code --hidden})
 * @param activation the hidden layer's activation ({@code --activation})
 * @param init       how the weights start ({@code --init})
 * @param kernel     the gradient kernel the tasks run ({@code --kernel})
 */
public record NetworkSpec(int hidden, Activation activation, Initializer init, KernelKind kernel) {

    /** {@code --hidden}. */
    public static final Setting<NetworkSpec> HIDDEN = Setting.<NetworkSpec>of("hidden", "H", "10", Setting.Kind.INTEGER,
            "hidden units (1-4096)")
            .recorded(Setting.Recorded.RUN, n -> n.hidden())
            .between(1, NetworkShape.MAX_HIDDEN);

    /** {@code --activation}. */
    public static final Setting<NetworkSpec> ACTIVATION = Setting.<NetworkSpec>of(
            "activation", "relu|sigmoid", "relu", Setting.Kind.CHOICE,
            "hidden-layer activation")
            .recorded(Setting.Recorded.RUN, n -> n.activation().id());

    /** {@code --kernel}. */
    public static final Setting<NetworkSpec> KERNEL = Setting.<NetworkSpec>of(
            "kernel", "simd|float|sparse|ojalgo", "simd", Setting.Kind.CHOICE,
            "gradient kernel: simd (zero pixels skipped, Vector API), float (the same with the first layer in single "
            + "precision: faster at large H), sparse (simd in plain loops, bit-identical) or ojalgo (dense ojAlgo "
            + "products, the reference)")
            .recorded(Setting.Recorded.RUN, n -> n.kernel().id());

    /** {@code --init}. */
    public static final Setting<NetworkSpec> INIT = Setting.<NetworkSpec>of(
            "init", "he|xavier|seed", "he", Setting.Kind.CHOICE,
            "weight initialisation: he, xavier (scaled uniform) or seed (the notebooks' U(-0.5,0.5))")
            .recorded(Setting.Recorded.RUN, n -> n.init().id());

    public NetworkSpec {
        HIDDEN.check(hidden);
    }

    /** The 784-H-10 shape. */
    public NetworkShape shape() {
        return NetworkShape.mnist(hidden);
    }
}
