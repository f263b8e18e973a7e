package org.sparkdigits.data;

import java.util.Locale;

/** What to do with a row that fails validation. */
public enum OnBadRow {
    /** Stop with an error naming the file, the line and what is wrong (the default). */
    FAIL,
    /** Drop the row, and report how many were dropped per file. */
    SKIP;

    public static OnBadRow parse(String s) {
        for (OnBadRow v : values()) {
            if (v.name().equalsIgnoreCase(s.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("--on-bad-row must be fail or skip, got '" + s + "'");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
