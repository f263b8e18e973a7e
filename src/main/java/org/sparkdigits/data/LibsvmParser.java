package org.sparkdigits.data;

/**
 * Parses one LIBSVM line of digit data, the format MNIST8M is distributed in: {@code label index:value ...} with
 * 1-based pixel indices 1-784 in increasing order and integer values 0-255; pixels not listed are 0. The label is
 * an integer 0-9 ({@code 5} or {@code 5.0}); values may be written {@code 17} or {@code 17.0}. Fields are separated
 * by spaces or tabs; a trailing {@code \r} is tolerated. Records are {@code label, p0..p783}, as from CSV.
 */
public final class LibsvmParser implements LineSyntax {

    @Override
    public int fields() {
        return RowParser.PIXELS + 1;
    }

    @Override
    public String parse(CharSequence line, byte[] out) {
        java.util.Arrays.fill(out, 0, fields(), (byte) 0);
        int n = line.length();
        int i = skipSpace(line, 0, n);
        int start = i;
        i = skipToken(line, i, n);
        if (start == i) {
            return "empty line";
        }
        long label = wholeNumber(line, start, i);
        if (label < 0 || label > 9) {
            return "label '" + org.sparkdigits.io.Echo.value(line.subSequence(start, i)) + "' is not an integer 0-9";
        }
        out[0] = (byte) label;
        int previous = 0;
        while (true) {
            i = skipSpace(line, i, n);
            if (i >= n) {
                return null;
            }
            start = i;
            i = skipToken(line, i, n);
            int colon = -1;
            for (int k = start; k < i; k++) {
                if (line.charAt(k) == ':') {
                    colon = k;
                    break;
                }
            }
            if (colon < 0) {
                return "'" + org.sparkdigits.io.Echo.value(line.subSequence(start, i)) + "' is not index:value";
            }
            long index = wholeNumber(line, start, colon);
            if (index < 1 || index > RowParser.PIXELS) {
                return "index in '" + org.sparkdigits.io.Echo.value(line.subSequence(start, i)) + "' is not an integer 1-784 (LIBSVM indices are 1-based)";
            }
            if (index <= previous) {
                return "index " + index + " after " + previous + " (indices must increase)";
            }
            long value = wholeNumber(line, colon + 1, i);
            if (value < 0 || value > 255) {
                return "value in '" + org.sparkdigits.io.Echo.value(line.subSequence(start, i)) + "' is not an integer 0-255";
            }
            out[(int) index] = (byte) value;
            previous = (int) index;
        }
    }

    private static int skipSpace(CharSequence s, int i, int n) {
        while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    private static int skipToken(CharSequence s, int i, int n) {
        while (i < n && s.charAt(i) != ' ' && s.charAt(i) != '\t' && s.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    /** The integer written in {@code s[from, to)}, optionally with a {@code +} sign or a zero fraction; -1 if none. */
    static long wholeNumber(CharSequence s, int from, int to) {
        if (from < to && s.charAt(from) == '+') {
            from++;
        }
        if (from >= to || to - from > 12) {
            return -1;
        }
        long v = 0;
        int i = from;
        for (; i < to && s.charAt(i) != '.'; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        if (i == from) {
            return -1;
        }
        if (i < to) {
            for (int k = i + 1; k < to; k++) {
                if (s.charAt(k) != '0') {
                    return -1;
                }
            }
        }
        return v;
    }
}
