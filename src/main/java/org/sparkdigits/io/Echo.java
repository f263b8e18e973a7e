package org.sparkdigits.io;

/**
 * What a message repeats of the user's input (a value from a file or the command line), made safe for a
 * terminal line: cut to {@value #MAX_VALUE} characters with {@code ...}, and control characters escaped
 * ({@code \n}, {@code \t}, {@code \r}, others as {@code \xNN} or {@code \\uNNNN}), so a 10 MB token or an ESC
 * byte in a file never reaches the terminal as it is.
 */
public final class Echo {

    /** Characters of one echoed value at most. */
    public static final int MAX_VALUE = 40;
    /** Characters of a whole message line at most. */
    public static final int MAX_LINE = 4000;

    private Echo() {
    }

    /** An echoed value: escaped, cut to {@value #MAX_VALUE} characters. */
    public static String value(CharSequence s) {
        return escape(s, MAX_VALUE);
    }

    /** A whole message line: escaped (a newline too), cut to {@value #MAX_LINE} characters. */
    public static String line(CharSequence s) {
        return escape(s, MAX_LINE);
    }

    private static String escape(CharSequence s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 8);
        int shown = 0;
        for (int i = 0; i < s.length(); i++) {
            if (shown >= max) {
                return out.append("...").toString();
            }
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append(String.format("\\x%02X", (int) c));
                    } else if ((c >= 0x80 && c <= 0x9F) || isBidiControl(c)) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
            shown++;
        }
        return out.toString();
    }

    /** Characters that reorder what a terminal shows (a file name can hide its real ending with them). */
    private static boolean isBidiControl(char c) {
        return c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }
}
