package org.sparkdigits.data;

/**
 * Parses and validates one CSV line of digit data without allocating: either {@code label,p0,...,p783}
 * (785 fields) or, for unlabelled data such as Kaggle's test.csv, {@code p0,...,p783} (784 fields).
 * Labels must be integers 0-9 and pixels integers 0-255; spaces around a value and a trailing
 * {@code \r} are tolerated. Pure Java: used by the Spark tasks and by the driver alike.
 */
public final class RowParser implements LineSyntax {

    /** Pixels per image. */
    public static final int PIXELS = 784;

    private final boolean labelled;

    /** @param labelled whether lines start with a label column */
    public RowParser(boolean labelled) {
        this.labelled = labelled;
    }

    public boolean labelled() {
        return labelled;
    }

    /** Number of fields a line must have. */
    public int fields() {
        return labelled ? PIXELS + 1 : PIXELS;
    }

    /**
     * Parses {@code line} into {@code out}: for labelled lines {@code out[0]} is the label and
     * {@code out[1..784]} the pixels; for unlabelled lines {@code out[0..783]} the pixels.
     *
     * @param out at least {@link #fields()} bytes
     * @return {@code null} if the line is valid, otherwise what is wrong with it
     */
    public String parse(CharSequence line, byte[] out) {
        int len = line.length();
        while (len > 0 && (line.charAt(len - 1) == '\r' || line.charAt(len - 1) == ' ')) {
            len--;
        }
        int expected = fields();
        int field = 0;
        int i = 0;
        while (true) {
            // one field: optional spaces, digits, optional spaces, then ',' or end
            while (i < len && line.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            int value = 0;
            while (i < len) {
                char c = line.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                value = value * 10 + (c - '0');
                if (value > 99_999) {
                    value = 99_999; // saturate: only the range matters
                }
                i++;
            }
            int digitsEnd = i;
            while (i < len && line.charAt(i) == ' ') {
                i++;
            }
            boolean atEnd = i >= len;
            if (!atEnd && line.charAt(i) != ',') {
                if (field >= expected) {
                    return tooMany(line, len, expected);
                }
                String t = token(line, start, len);
                if (t.matches("-\\d+")) {
                    return outOfRange(labelled && field == 0, field, t);
                }
                return "field " + (field + 1) + " (" + columnName(field) + ") is '" + t + "', not an integer";
            }
            if (field >= expected) {
                return tooMany(line, len, expected);
            }
            if (digitsEnd == start) {
                return "field " + (field + 1) + " (" + columnName(field) + ") is empty";
            }
            boolean isLabel = labelled && field == 0;
            if (value > (isLabel ? 9 : 255)) {
                return outOfRange(isLabel, field, line.subSequence(start, digitsEnd).toString());
            }
            out[field] = (byte) value;
            field++;
            if (atEnd) {
                break;
            }
            i++; // the comma
        }
        if (field != expected) {
            return "expected " + expected + " fields (" + (labelled ? "label + " : "") + PIXELS + " pixels), found " + field;
        }
        return null;
    }

    private String tooMany(CharSequence line, int len, int expected) {
        int commas = 0;
        for (int k = 0; k < len; k++) {
            if (line.charAt(k) == ',') {
                commas++;
            }
        }
        return "expected " + expected + " fields (" + (labelled ? "label + " : "") + PIXELS + " pixels), found " + (commas + 1);
    }

    private String outOfRange(boolean isLabel, int field, String raw) {
        String value = org.sparkdigits.io.Echo.value(raw);
        return isLabel ? "label is " + value + ", not a digit 0-9"
                : columnName(field) + " (field " + (field + 1) + ") is " + value + ", outside 0-255";
    }

    private String columnName(int field) {
        if (labelled) {
            return field == 0 ? "label" : "pixel" + (field - 1);
        }
        return "pixel" + field;
    }

    private static String token(CharSequence line, int start, int len) {
        int end = start;
        while (end < len && line.charAt(end) != ',') {
            end++;
        }
        while (end > start && line.charAt(end - 1) == ' ') {
            end--; // only spaces are trimmed: a control character is shown, escaped
        }
        return org.sparkdigits.io.Echo.value(line.subSequence(start, end));
    }

    /**
     * Whether {@code firstLine} is exactly a header: {@code label,pixel0,...,pixel783} or {@code pixel0,...,pixel783}
     * (Kaggle's names), or {@code label,1x1,...,28x28} or {@code 1x1,...,28x28} (row x column, another common layout);
     * names in any case, optionally quoted, spaces around them and a byte-order mark tolerated. Any other first line
     * is data (and a row that does not parse is a bad row at line 1, not a header dropped without a word).
     */
    public static boolean isHeader(String firstLine) {
        String line = firstLine.startsWith("\uFEFF") ? firstLine.substring(1) : firstLine;
        String[] f = line.strip().split(",", -1);
        if (f.length != PIXELS && f.length != PIXELS + 1) {
            return false;
        }
        int offset = f.length - PIXELS;
        if (offset == 1 && !name(f[0]).equals("label")) {
            return false;
        }
        boolean kaggle = name(f[offset]).equals("pixel0");
        for (int j = 0; j < PIXELS; j++) {
            String expected = kaggle ? "pixel" + j : (j / 28 + 1) + "x" + (j % 28 + 1);
            if (!name(f[offset + j]).equals(expected)) {
                return false;
            }
        }
        return true;
    }

    private static String name(String field) {
        String n = field.strip();
        if (n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"")) {
            n = n.substring(1, n.length() - 1).strip();
        }
        return n.toLowerCase(java.util.Locale.ROOT);
    }

    /** Number of comma-separated fields in {@code line}. */
    public static int countFields(String line) {
        int n = 1;
        for (int k = 0; k < line.length(); k++) {
            if (line.charAt(k) == ',') {
                n++;
            }
        }
        return n;
    }
}
