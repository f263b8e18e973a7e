package org.sparkdigits.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What a refused resume says differs: the value that changed, and for a long one the part of it that changed. */
@Tag("spark-layer")
class FingerprintTest {

    private static Map<String, Object> settings(String sha, String dir) {
        Map<String, Object> teacher = new LinkedHashMap<>();
        teacher.put("dir", dir);
        teacher.put("hidden", 24);
        teacher.put("activation", "relu");
        teacher.put("weights_sha256", sha);
        Map<String, Object> distillation = new LinkedHashMap<>();
        distillation.put("teachers", List.of(teacher));
        distillation.put("temperature", 2.0);
        distillation.put("weight", 0.5);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", 0.1);
        m.put("distillation", distillation);
        return m;
    }

    @Test
    void aChangedTeacherIsShownWhereItChanged() {
        String was = "67921aec5e0b3b6bb3f4e0c1d2a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d";
        String now = was.substring(0, 50) + "000000" + was.substring(56);
        String d = Fingerprint.difference(Fingerprint.of(settings(was, "/m/teacher")), Fingerprint.of(settings(now, "/m/teacher")));
        assertEquals("it differs in distillation.teachers[0].weights_sha256 ..." + was.substring(38) + " (now ..."
                + now.substring(38) + ")", d);
        assertTrue(d.contains(was.substring(50, 56)) && d.contains("000000"), d);
    }

    @Test
    void longValuesAreCutAroundTheirFirstDifference() {
        String base = "hdfs://namenode.example:8020/user/someone/models/" + "x".repeat(60);
        String[] w = Fingerprint.window(base + "/teacher-a/weights", base + "/teacher-b/weights");
        assertTrue(w[0].startsWith("...") && w[0].contains("teacher-a"), w[0]);
        assertTrue(w[1].startsWith("...") && w[1].contains("teacher-b"), w[1]);
        // a difference at the start: the beginning, cut at the end
        String[] head = Fingerprint.window("a" + "y".repeat(80), "b" + "y".repeat(80));
        assertEquals("a" + "y".repeat(39) + "...", head[0]);
        assertEquals("b" + "y".repeat(39) + "...", head[1]);
        // one value a prefix of the other: the short one whole, the long one from the same place
        String[] grown = Fingerprint.window("z".repeat(30), "z".repeat(70));
        assertEquals("...zzzzzzzzzzzz", grown[0]);
        assertEquals("..." + "z".repeat(40) + "...", grown[1]);
        // short values whole; an unset one says so
        assertArrayEquals(new String[] {"0.1", "0.05"}, Fingerprint.window("0.1", "0.05"));
        assertArrayEquals(new String[] {"unset", "0.5"}, Fingerprint.window(null, "0.5"));
    }

    @Test
    void shortSettingsReadAsBefore() {
        Map<String, Object> a = new LinkedHashMap<>(Map.of("lr", 0.1));
        Map<String, Object> b = new LinkedHashMap<>(Map.of("lr", 0.05, "ema", 0.99));
        assertEquals("it differs in lr 0.1 (now 0.05), ema unset (now 0.99)", Fingerprint.difference(Fingerprint.of(a),
                Fingerprint.of(b)));
        assertEquals("it differs in distillation unset (now {\"teachers\":[{\"dir\":\"/t\",\"hidden\":24,\"ac...)",
                Fingerprint.difference(Fingerprint.of(Map.of("lr", 0.1)), Fingerprint.of(Map.of("lr", 0.1,
                        "distillation", settings("abc", "/t").get("distillation")))));
    }

    /** A checkpoint of the settings' former names (learning_rate, data_content) is refused saying so, not by a list. */
    @Test
    void aCheckpointOfTheFormerNamesIsRefusedSayingSo() {
        String was = Fingerprint.of(Map.of("learning_rate", 0.1, "batch", 64, "data_content", "abc"));
        String now = Fingerprint.of(Map.of("lr", 0.1, "batch-size", 64, Fingerprint.DATA_CONTENT, "abc"));
        assertEquals("written by an older spark-digits, which named the settings otherwise (learning_rate for --lr): "
                + "resume it with that version", Fingerprint.difference(was, now));
    }
}
