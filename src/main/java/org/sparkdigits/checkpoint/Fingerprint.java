package org.sparkdigits.checkpoint;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.sparkdigits.io.Echo;

/**
 * The identity of a training run that a checkpoint carries: its options and its data (the data's content, not only
 * its path), as a JSON object, so that a resume with other options or on other data is refused and the refusal says
 * what differs.
 */
public final class Fingerprint {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The key of the training data's content digest. */
    public static final String DATA_CONTENT = "data-content";
    /** Its key in the fingerprints of spark-digits before the settings took the options' names (model.json format 1). */
    private static final String OLD_DATA_CONTENT = "data_content";

    private Fingerprint() {
    }

    /** The fingerprint of {@code settings} (name → plain JSON value). */
    public static String of(Map<String, Object> settings) {
        try {
            return JSON.writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("settings that are not plain values: " + e.getMessage(), e);
        }
    }

    /**
     * What differs between two fingerprints, for a message: {@code lr 0.1 (now 0.05)}, up to five values, each named
     * by its path in the settings and a long one shown around its first differing character ({@link #window}).
     */
    static String difference(String was, String now) {
        JsonNode a;
        JsonNode b;
        try {
            a = JSON.readTree(was);
            b = JSON.readTree(now);
        } catch (JsonProcessingException e) {
            return "written by another version of spark-digits";
        }
        if (a == null || b == null || !a.isObject() || !b.isObject()) {
            return "written by another version of spark-digits";
        }
        if (a.has(OLD_DATA_CONTENT) && !a.has(DATA_CONTENT)) {
            return "written by an older spark-digits, which named the settings otherwise (learning_rate for --lr): "
                    + "resume it with that version";
        }
        List<String> diffs = new ArrayList<>();
        differences("", a, b, diffs);
        if (diffs.isEmpty()) {
            return "the same settings in another order";
        }
        String shown = String.join(", ", diffs.subList(0, Math.min(5, diffs.size())));
        return "it differs in " + shown + (diffs.size() > 5 ? " and " + (diffs.size() - 5) + " more" : "");
    }

    /**
     * Adds to {@code diffs} each setting that differs between objects {@code a} and {@code b}, by its path
     * ({@code teacher[0].weights_sha256}): objects are compared field by field, arrays of one length
     * element by element, so the message names the value that changed rather than the whole setting.
     */
    private static void differences(String path, JsonNode a, JsonNode b, List<String> diffs) {
        List<String> names = new ArrayList<>();
        a.fieldNames().forEachRemaining(names::add);
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        for (String n : names) {
            difference(path.isEmpty() ? n : path + "." + n, a.get(n), b.get(n), diffs);
        }
    }

    private static void difference(String path, JsonNode x, JsonNode y, List<String> diffs) {
        if (Objects.equals(x, y)) {
            return;
        }
        if (x != null && y != null && x.isObject() && y.isObject()) {
            differences(path, x, y, diffs);
        } else if (x != null && y != null && x.isArray() && y.isArray() && x.size() == y.size()) {
            for (int i = 0; i < x.size(); i++) {
                difference(path + "[" + i + "]", x.get(i), y.get(i), diffs);
            }
        } else {
            String[] shown = window(text(x), text(y));
            diffs.add(path + " " + shown[0] + " (now " + shown[1] + ")");
        }
    }

    private static String text(JsonNode n) {
        return n == null ? null : n.isTextual() ? n.textValue() : n.toString();
    }

    /**
     * Two values as a message shows them: whole if short, else each cut to a window around the first character where
     * they differ, with {@code ...} where something is left out, so the part that changed is always seen.
     */
    static String[] window(String was, String now) {
        if (was == null || now == null) {
            return new String[] {was == null ? "unset" : Echo.value(was), now == null ? "unset" : Echo.value(now)};
        }
        int max = Echo.MAX_VALUE;
        if (was.length() <= max && now.length() <= max) {
            return new String[] {Echo.value(was), Echo.value(now)};
        }
        int common = 0;
        while (common < was.length() && common < now.length() && was.charAt(common) == now.charAt(common)) {
            common++;
        }
        int before = 12;   // characters of context before the first difference
        int from = common <= before ? 0 : common - before;
        return new String[] {cut(was, from, max), cut(now, from, max)};
    }

    private static String cut(String s, int from, int max) {
        int to = Math.min(s.length(), from + max);
        String part = s.substring(Math.min(from, s.length()), to);
        return (from > 0 ? "..." : "") + Echo.value(part) + (to < s.length() ? "..." : "");
    }
}
