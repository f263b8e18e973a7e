package org.sparkdigits.augment;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Random distortions of a 28x28 digit, as in MNIST8M (Loosli, Canu, Bottou 2007) and Simard et al. (2003): a
 * random affine map (rotation, scale, shear, translation) composed with an elastic displacement field (random
 * displacements in [-1, 1] smoothed by a Gaussian of width {@code sigma} and scaled by {@code alpha}), then
 * bilinear resampling; pixels stay in 0-255. Each variant is a pure function of (seed, row key, copy number):
 * the same whatever the partitioning, the order or a retried task. Pure Java, no Spark.
 *
 * <p>For output pixel {@code p} (centred coordinates), the source is {@code A⁻¹ p + d(p)}, where {@code A} is
 * the affine map and {@code d} the elastic field; outside the image counts as 0.
 *
 * @param rotation maximum rotation in degrees (uniform in [-rotation, rotation])
 * @param scale    maximum relative scaling (factor uniform in [1 - scale, 1 + scale], per axis)
 * @param shear    maximum shear factor
 * @param shift    maximum translation in pixels, per axis
 * @param alpha    elastic intensity (0: no elastic part): in pixels, or Simard's factor (see {@code elastic})
 * @param sigma    elastic smoothness: the Gaussian's standard deviation in pixels
 * @param elastic  what {@code alpha} scales
 */
@DefaultSerializer(JavaSerializer.class)
public record Distortion(double rotation, double scale, double shear, double shift, double alpha, double sigma,
                         ElasticScale elastic) implements Serializable {

    /**
     * What {@code alpha} means. Both smooth displacements uniform in [-1, 1] by a Gaussian of width {@code sigma}
     * (zero beyond the image).
     */
    public enum ElasticScale {
        /** The field is normalised so that its largest displacement is {@code alpha} pixels, in every variant. */
        PEAK("peak"),
        /**
         * As Simard, Steinkraus and Platt (2003): the field smoothed by a normalised Gaussian (weights summing to 1),
         * times {@code alpha}; the largest displacement varies by variant. Their {@code alpha 34, sigma 4} moves the
         * pixels of a 28x28 field by up to 2.6-4.2 px (10th-90th percentile; median 3.3, root mean square 1.2).
         */
        SIMARD("simard");

        private final String id;

        ElasticScale(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The scale named {@code name}. */
        public static ElasticScale parse(String name) {
            for (ElasticScale e : values()) {
                if (e.id.equalsIgnoreCase(name.trim())) {
                    return e;
                }
            }
            throw new IllegalArgumentException("unknown elastic scale '" + name + "' (peak or simard)");
        }
    }

    /** With {@code alpha} the largest displacement in pixels. */
    public Distortion(double rotation, double scale, double shear, double shift, double alpha, double sigma) {
        this(rotation, scale, shear, shift, alpha, sigma, ElasticScale.PEAK);
    }

    public static final int SIZE = 28;
    private static final double CENTRE = (SIZE - 1) / 2.0;

    public Distortion {
        check("rotation", rotation, 0, 180);
        check("scale", scale, 0, 0.9);
        check("shear", shear, 0, 2);
        check("shift", shift, 0, SIZE);
        check("alpha", alpha, 0, 1000);
        check("sigma", sigma, 0.1, 20);
        if (elastic == null) {
            throw new IllegalArgumentException("the elastic scale is missing (peak or simard)");
        }
    }

    private static void check(String name, double v, double min, double max) {
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException("--" + name + " must be in [" + min + ", " + max + "], got " + v);
        }
    }

    /** The 784 pixels of variant {@code copy} of the digit {@code pixels} (row key {@code rowKey}). */
    public byte[] apply(byte[] pixels, long seed, long rowKey, int copy) {
        SplittableRandom r = random(seed, rowKey, copy);
        double angle = Math.toRadians(uniform(r, rotation));
        double sx = 1 + uniform(r, scale);
        double sy = 1 + uniform(r, scale);
        double sh = uniform(r, shear);
        double tx = uniform(r, shift);
        double ty = uniform(r, shift);
        // A = R(angle) · Sh(sh) · S(sx, sy); its inverse maps output to source
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double a11 = cos * sx;
        double a12 = (cos * sh - sin) * sy;
        double a21 = sin * sx;
        double a22 = (sin * sh + cos) * sy;
        double det = a11 * a22 - a12 * a21;
        double i11 = a22 / det;
        double i12 = -a12 / det;
        double i21 = -a21 / det;
        double i22 = a11 / det;
        double[] dx = alpha > 0 ? field(r) : null;
        double[] dy = alpha > 0 ? field(r) : null;
        byte[] out = new byte[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double u = x - CENTRE - tx;
                double v = y - CENTRE - ty;
                double srcX = i11 * u + i12 * v + CENTRE;
                double srcY = i21 * u + i22 * v + CENTRE;
                if (dx != null) {
                    srcX += alpha * dx[y * SIZE + x];
                    srcY += alpha * dy[y * SIZE + x];
                }
                out[y * SIZE + x] = (byte) Math.max(0, Math.min(255, Math.round(bilinear(pixels, srcX, srcY))));
            }
        }
        return out;
    }

    /**
     * The largest elastic displacement of variant {@code copy} of row {@code rowKey}, in pixels (over both axes and
     * every pixel; 0 without an elastic part): {@code alpha} with {@link ElasticScale#PEAK}, varying by variant with
     * {@link ElasticScale#SIMARD}. For reports and tests: {@link #apply} draws the same field.
     */
    public double largestDisplacement(long seed, long rowKey, int copy) {
        if (alpha == 0) {
            return 0;
        }
        SplittableRandom r = random(seed, rowKey, copy);
        for (int i = 0; i < 6; i++) {   // the affine draws of apply, in its order
            uniform(r, i == 0 ? rotation : i < 3 ? scale : i == 3 ? shear : shift);
        }
        double largest = 0;
        for (int axis = 0; axis < 2; axis++) {
            for (double d : field(r)) {
                largest = Math.max(largest, Math.abs(alpha * d));
            }
        }
        return largest;
    }

    private static SplittableRandom random(long seed, long rowKey, int copy) {
        return new SplittableRandom(mix(mix(seed ^ 0x6175676D656E74L) + mix(rowKey) * 31 + copy));
    }

    /**
     * Random displacements in [-1, 1], smoothed by a Gaussian of width sigma: normalised to max |d| = 1 ({@code PEAK}),
     * or with the Gaussian's weights summing to 1 ({@code SIMARD}).
     */
    private double[] field(SplittableRandom r) {
        double[] f = new double[SIZE * SIZE];
        for (int i = 0; i < f.length; i++) {
            f[i] = r.nextDouble() * 2 - 1;
        }
        int radius = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * radius + 1];
        double weights = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-i * i / (2 * sigma * sigma));
            weights += k[i + radius];
        }
        if (elastic == ElasticScale.SIMARD) {
            for (int i = 0; i < k.length; i++) {
                k[i] /= weights;
            }
        }
        double[] tmp = new double[f.length];
        for (int y = 0; y < SIZE; y++) {       // rows, zero padding
            for (int x = 0; x < SIZE; x++) {
                double s = 0;
                for (int i = -radius; i <= radius; i++) {
                    int xx = x + i;
                    if (xx >= 0 && xx < SIZE) {
                        s += k[i + radius] * f[y * SIZE + xx];
                    }
                }
                tmp[y * SIZE + x] = s;
            }
        }
        double max = 0;
        for (int y = 0; y < SIZE; y++) {       // columns
            for (int x = 0; x < SIZE; x++) {
                double s = 0;
                for (int i = -radius; i <= radius; i++) {
                    int yy = y + i;
                    if (yy >= 0 && yy < SIZE) {
                        s += k[i + radius] * tmp[yy * SIZE + x];
                    }
                }
                f[y * SIZE + x] = s;
                max = Math.max(max, Math.abs(s));
            }
        }
        if (elastic == ElasticScale.PEAK && max > 0) {
            for (int i = 0; i < f.length; i++) {
                f[i] /= max;
            }
        }
        return f;
    }

    private static double bilinear(byte[] px, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        return (1 - fx) * (1 - fy) * at(px, x0, y0) + fx * (1 - fy) * at(px, x0 + 1, y0)
                + (1 - fx) * fy * at(px, x0, y0 + 1) + fx * fy * at(px, x0 + 1, y0 + 1);
    }

    private static int at(byte[] px, int x, int y) {
        return x < 0 || y < 0 || x >= SIZE || y >= SIZE ? 0 : px[y * SIZE + x] & 0xFF;
    }

    private static double uniform(SplittableRandom r, double max) {
        return max == 0 ? 0 : (r.nextDouble() * 2 - 1) * max;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
