package org.sparkdigits.train;

import org.sparkdigits.augment.Distortion;
import org.sparkdigits.augment.FreshDistortions;

/**
 * {@code --augment-on-the-fly} and the ranges of its distortions.
 *
 * @param onTheFly   every epoch, train on fresh distortions of the rows ({@code --augment-on-the-fly})
 * @param distortion {@code --rotation --scale --shear --shift --alpha --sigma --elastic-scale}; {@code null} when not on
 *                   the fly
 */
public record AugmentSpec(boolean onTheFly, Distortion distortion) {

    /**
     * The distortion of the given ranges, each checked with its option's message.
     */
    public static Distortion distortion(double rotation, double scale, double shear, double shift, double alpha, double sigma,
                                        Distortion.ElasticScale elastic) {
        return new Distortion(Check.in("--rotation", rotation, 0, true, 180, true), Check.in("--scale", scale, 0, true, 0.9, true),
                Check.in("--shear", shear, 0, true, 2, true), Check.in("--shift", shift, 0, true, 28, true),
                Check.in("--alpha", alpha, 0, true, 1000, true), Check.in("--sigma", sigma, 0.1, true, 20, true), elastic);
    }

    /** {@link #distortion(double, double, double, double, double, double, Distortion.ElasticScale)}, alpha in pixels. */
    public static Distortion distortion(double rotation, double scale, double shear, double shift, double alpha, double sigma) {
        return distortion(rotation, scale, shear, shift, alpha, sigma, Distortion.ElasticScale.PEAK);
    }

    /** The fresh distortions of a run with {@code seed}, or {@code null} when not on the fly. */
    public FreshDistortions fresh(long seed) {
        return onTheFly ? new FreshDistortions(distortion, seed) : null;
    }
}
