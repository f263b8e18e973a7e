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

    /** {@code --rotation}. */
    public static final Setting<AugmentSpec> ROTATION = Setting.<AugmentSpec>of(
            "rotation", "DEG", "10", Setting.Kind.NUMBER,
            "--augment-on-the-fly: maximum rotation in degrees")
            .recorded(Setting.Recorded.RUN, a -> a.onTheFly() ? a.distortion().rotation() : null)
            .in(0, true, 180, true);

    /** {@code --scale}. */
    public static final Setting<AugmentSpec> SCALE = Setting.<AugmentSpec>of("scale", "S", "0.1", Setting.Kind.NUMBER,
            "--augment-on-the-fly: maximum relative scaling per axis")
            .recorded(Setting.Recorded.RUN, a -> a.onTheFly() ? a.distortion().scale() : null)
            .in(0, true, 0.9, true);

    /** {@code --shear}. */
    public static final Setting<AugmentSpec> SHEAR = Setting.<AugmentSpec>of("shear", "S", "0.15", Setting.Kind.NUMBER,
            "--augment-on-the-fly: maximum shear factor")
            .recorded(Setting.Recorded.RUN, a -> a.onTheFly() ? a.distortion().shear() : null)
            .in(0, true, 2, true);

    /** {@code --shift}. */
    public static final Setting<AugmentSpec> SHIFT = Setting.<AugmentSpec>of("shift", "PX", "2", Setting.Kind.NUMBER,
            "--augment-on-the-fly: maximum translation in pixels per axis")
            .recorded(Setting.Recorded.RUN, a -> a.onTheFly() ? a.distortion().shift() : null)
            .in(0, true, 28, true);

    /** {@code --alpha}. */
    public static final Setting<AugmentSpec> ALPHA = Setting.<AugmentSpec>of("alpha", "PX", "2.5", Setting.Kind.NUMBER,
            "--augment-on-the-fly: elastic distortion, largest displacement in pixels (0: none; with --elastic-scale "
            + "simard, the field's factor)")
            .recorded(Setting.Recorded.RUN, a -> a.onTheFly() ? a.distortion().alpha() : null)
            .in(0, true, 1000, true);

    /** {@code --sigma}. */
    public static final Setting<AugmentSpec> SIGMA = Setting.<AugmentSpec>of("sigma", "PX", "4", Setting.Kind.NUMBER,
            "--augment-on-the-fly: elastic smoothness, the Gaussian's width in pixels")
            .recorded(Setting.Recorded.RUN, a -> a.onTheFly() ? a.distortion().sigma() : null)
            .in(0.1, true, 20, true);

    /** {@code --elastic-scale}. */
    public static final Setting<AugmentSpec> ELASTIC_SCALE = Setting.<AugmentSpec>of(
            "elastic-scale", "peak|simard", "peak", Setting.Kind.CHOICE,
            "--augment-on-the-fly: what --alpha means: peak (the largest displacement, in pixels) or simard (Simard "
            + "et al. 2003: the factor of the field smoothed by a normalised Gaussian; their --alpha 34 --sigma 4 "
            + "moves pixels by up to 2.6-4.2 px, median 3.3)")
            .recorded(Setting.Recorded.RUN, a -> a.onTheFly() ? a.distortion().elastic().id() : null);

    /** {@code --augment-on-the-fly}. */
    public static final Setting<AugmentSpec> AUGMENT_ON_THE_FLY = Setting.<AugmentSpec>of(
            "augment-on-the-fly", null, "false", Setting.Kind.FLAG,
            "every epoch, train on fresh distortions of the rows (--rotation ... --sigma as for augment), made inside "
            + "the gradient tasks and never stored; not with lbfgs/cg")
            .recorded(Setting.Recorded.RUN, a -> a.onTheFly());

    /**
     * The distortion of the given ranges, each checked with its option's message.
     */
    public static Distortion distortion(double rotation, double scale, double shear, double shift, double alpha, double sigma,
                                        Distortion.ElasticScale elastic) {
        return new Distortion(ROTATION.check(rotation), SCALE.check(scale),
                SHEAR.check(shear), SHIFT.check(shift),
                ALPHA.check(alpha), SIGMA.check(sigma), elastic);
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
