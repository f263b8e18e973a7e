package org.sparkdigits.spark;

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

    /** What differs between two fingerprints, for a message: {@code lr 0.1 (now 0.05)}, up to five settings. */
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
        List<String> diffs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        a.fieldNames().forEachRemaining(names::add);
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        for (String n : names) {
            if (!Objects.equals(a.get(n), b.get(n))) {
                diffs.add(n + " " + show(a.get(n)) + " (now " + show(b.get(n)) + ")");
            }
        }
        if (diffs.isEmpty()) {
            return "the same settings in another order";
        }
        String shown = String.join(", ", diffs.subList(0, Math.min(5, diffs.size())));
        return "it differs in " + shown + (diffs.size() > 5 ? " and " + (diffs.size() - 5) + " more" : "");
    }

    private static String show(JsonNode n) {
        return n == null ? "unset" : Echo.value(n.isTextual() ? n.textValue() : n.toString());
    }
}
