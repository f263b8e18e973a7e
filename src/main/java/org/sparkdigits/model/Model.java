package org.sparkdigits.model;

import java.util.Map;

import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Parameters;

/**
 * A trained model: its parameters, its hidden activation and how it was trained (written to model.json
 * as {@code training}).
 *
 * @param parameters the weights
 * @param activation the hidden layer's activation
 * @param training   the training settings and seed, as plain JSON values
 */
public record Model(Parameters parameters, Activation activation, Map<String, Object> training) {

    /** A ReLU model. */
    public Model(Parameters parameters, Map<String, Object> training) {
        this(parameters, Activation.RELU, training);
    }
}
