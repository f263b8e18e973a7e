package org.sparkdigits.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.sparkdigits.io.Echo;

/**
 * How the synchronous steps of a run reach Spark ({@code --engine}).
 */
public enum Engine {
    /**
     * One Spark barrier stage per segment of steps, whose tasks exchange their sums among themselves over TCP: mini-batch
     * steps with {@code --local-steps 1} only, on a cluster that can run all the partitions' tasks at once.
     */
    COLLECTIVE,
    /** Every synchronous step a Spark job of its own (every round, with local steps). */
    JOBS,
    /** {@link #COLLECTIVE} where the run and the cluster allow it, else {@link #JOBS}; resolved before any step. */
    AUTO;

    /**
     * The engine named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming {@code --engine} and the choices
     */
    public static Engine parse(String name) {
        for (Engine e : values()) {
            if (e.name().equalsIgnoreCase(name.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException(EngineSpec.ENGINE.flag() + " must be one of " + Arrays.stream(values()).map(Engine::id)
                .collect(Collectors.joining(", ")) + ", got '" + Echo.value(name) + "'");
    }

    /** The command line's name: {@code collective}, {@code jobs}, {@code auto}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
