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

    public NetworkSpec {
        Check.between("--hidden", hidden, 1, NetworkShape.MAX_HIDDEN);
    }

    /** The 784-H-10 shape. */
    public NetworkShape shape() {
        return NetworkShape.mnist(hidden);
    }
}
