package org.sparkdigits.core.kernel;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import org.sparkdigits.core.network.NetworkShape;

/**
 * Which rank owns which elements of the flat parameter vector when {@code ranks} tasks share the work of a step (the
 * collective engine's reduce-scatter and owner updates, in the manner of ZeRO): rank {@code r} owns the rows of
 * {@code W1} of the hidden units {@code [unitFrom(r), unitTo(r))} and the elements {@code [restFrom(r), restTo(r))}
 * of the rest of the vector ({@code b1}, {@code W2}, {@code b2}).
 *
 * <pre>
 *   flat vector   [ W1: hidden x inputs | b1: hidden | W2: classes x hidden | b2: classes ]
 *   rank r owns   W1 rows [unitFrom(r), unitTo(r))   and   [restFrom(r), restTo(r)) of the rest
 * </pre>
 *
 * The hidden units are split at multiples of 64 ({@link DeltaRows#slice}: a compact sum's replay of a range of units
 * gives the whole replay's bits only there), so at most {@code ceil(hidden / 64)} ranks own units of {@code W1}; the
 * others own none. The rest is split evenly among all ranks. A pure function of the shape and the rank count.
 */
@DefaultSerializer(JavaSerializer.class)
public record Shards(NetworkShape shape, int ranks, int[] units, int[] rest) implements java.io.Serializable {

    /** The alignment of the hidden units' bounds. */
    public static final int UNIT_ALIGN = 64;

    public Shards {
        if (ranks < 1 || units.length != ranks + 1 || rest.length != ranks + 1) {
            throw new IllegalArgumentException("shards of " + ranks + " ranks with " + units.length + " and "
                    + rest.length + " bounds");
        }
    }

    /** The shards of {@code shape}'s parameters among {@code ranks} ranks. */
    public static Shards of(NetworkShape shape, int ranks) {
        if (ranks < 1) {
            throw new IllegalArgumentException("at least one rank, got " + ranks);
        }
        int hidden = shape.hidden();
        int groups = (hidden + UNIT_ALIGN - 1) / UNIT_ALIGN;
        int owners = Math.min(ranks, groups);
        int[] units = new int[ranks + 1];
        for (int r = 1; r <= ranks; r++) {
            units[r] = r >= owners ? hidden : Math.min(hidden, (int) ((long) groups * r / owners) * UNIT_ALIGN);
        }
        int from = shape.b1Offset();
        int n = shape.parameterCount() - from;
        int[] rest = new int[ranks + 1];
        for (int r = 0; r <= ranks; r++) {
            rest[r] = from + (int) ((long) n * r / ranks);
        }
        return new Shards(shape, ranks, units, rest);
    }

    public int unitFrom(int rank) {
        return units[rank];
    }

    public int unitTo(int rank) {
        return units[rank + 1];
    }

    public int restFrom(int rank) {
        return rest[rank];
    }

    public int restTo(int rank) {
        return rest[rank + 1];
    }

    /** How many elements {@code rank} owns. */
    public int size(int rank) {
        return (unitTo(rank) - unitFrom(rank)) * shape.inputs() + restTo(rank) - restFrom(rank);
    }

    /** {@code rank}'s elements in the flat vector: {@code {from0, to0, from1, to1}} (W1's rows, then the rest's). */
    public int[] ranges(int rank) {
        int in = shape.inputs();
        return new int[] {shape.w1Offset() + unitFrom(rank) * in, shape.w1Offset() + unitTo(rank) * in, restFrom(rank),
            restTo(rank)};
    }

    /**
     * Reorders, in place, {@code rank}'s rows of {@code W1} in {@code flat} between the flat vector's order
     * ({@code [units x inputs]}, a unit's weights together) and the kernels' ({@code [inputs x units]}, a pixel's
     * weights together, {@code toPixelMajor}), the rest of {@code flat} untouched. An owner whose every operation on its
     * shard is elementwise (the optimisers, L2, the weight average) keeps its shard pixel-major for a segment: each
     * element gets the same operations, and laying out its new weights for the kernel is then a copy, not a
     * transposition. {@code scratch}: at least that many elements, for the copy.
     */
    public void reorderW1(double[] flat, int rank, boolean toPixelMajor, double[] scratch) {
        int units = unitTo(rank) - unitFrom(rank);
        int inputs = shape.inputs();
        int from = shape.w1Offset() + unitFrom(rank) * inputs;
        int n = units * inputs;
        System.arraycopy(flat, from, scratch, 0, n);
        for (int u = 0; u < units; u++) {
            for (int j = 0; j < inputs; j++) {
                if (toPixelMajor) {
                    flat[from + j * units + u] = scratch[u * inputs + j];
                } else {
                    flat[from + u * inputs + j] = scratch[j * units + u];
                }
            }
        }
    }

    /** How many ranks own units of {@code W1}. */
    public int w1Owners() {
        int k = 0;
        for (int r = 0; r < ranks; r++) {
            if (unitTo(r) > unitFrom(r)) {
                k++;
            }
        }
        return k;
    }

    /** Copies {@code rank}'s elements of {@code flat} into a new array, in {@link #ranges} order. */
    public double[] gather(double[] flat, int rank) {
        double[] out = new double[size(rank)];
        int[] r = ranges(rank);
        System.arraycopy(flat, r[0], out, 0, r[1] - r[0]);
        System.arraycopy(flat, r[2], out, r[1] - r[0], r[3] - r[2]);
        return out;
    }

    /** Puts {@code part} (as {@link #gather} makes it for {@code rank}) back into {@code flat}. */
    public void scatter(double[] part, int rank, double[] flat) {
        int[] r = ranges(rank);
        if (part.length != size(rank)) {
            throw new IllegalArgumentException("a part of " + part.length + " values for rank " + rank + ", which owns "
                    + size(rank));
        }
        System.arraycopy(part, 0, flat, r[0], r[1] - r[0]);
        System.arraycopy(part, r[1] - r[0], flat, r[2], r[3] - r[2]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shards s && s.shape.equals(shape) && s.ranks == ranks && java.util.Arrays.equals(s.units, units)
                && java.util.Arrays.equals(s.rest, rest);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * shape.hashCode() + ranks) + java.util.Arrays.hashCode(units);
    }

    @Override
    public String toString() {
        return "Shards[" + ranks + " ranks, units " + java.util.Arrays.toString(units) + ", rest "
                + java.util.Arrays.toString(rest) + "]";
    }
}
