package org.sparkdigits.model;

import java.util.Map;

import org.sparkdigits.core.Parameters;

/**
 * A trained model: its parameters and how it was trained (written to model.json as {@code training}).
 *
 * @param parameters the weights
 * @param training   the training settings and seed, as plain JSON values
 */
public record Model(Parameters parameters, Map<String, Object> training) {
}
