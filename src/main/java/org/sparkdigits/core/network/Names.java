package org.sparkdigits.core.network;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Command-line names of enum constants: lower case, parsed case-insensitively with a helpful error. */
public final class Names {

    private Names() {
    }

    /** The constant named {@code input}, or an error listing the valid names. */
    public static <E extends Enum<E>> E parse(E[] values, String input, String what) {
        for (E v : values) {
            if (v.name().equalsIgnoreCase(input.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + input + "': expected one of "
                + Arrays.stream(values).map(Names::id).collect(Collectors.joining(", ")));
    }

    /** The command-line name of {@code value}. */
    public static String id(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
