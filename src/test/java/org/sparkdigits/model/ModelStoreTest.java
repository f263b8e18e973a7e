package org.sparkdigits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;

class ModelStoreTest {

    @TempDir
    Path dir;

    private final Parameters params = Initializer.SEED.initialize(NetworkShape.mnist(7), 3);

    private Path write(String name) {
        Path out = dir.resolve(name);
        ModelStore.write(out, new Model(params, Map.of("seed", 3, "learning_rate", 0.1)),
                Map.of("test_accuracy", 0.5), List.of("iteration,loss,train_accuracy,elapsed_ms", "1,2.3,0.1,5"));
        return out;
    }

    private String failure(Path model) {
        return assertThrows(ModelException.class, () -> ModelStore.read(model)).getMessage();
    }

    /**
     * A model.json of format 1 (before the training settings took the command line's names) reads with them: a model
     * written then reports, predicts and teaches as one written now.
     */
    @Test
    void aFormat1ModelReadsUnderTheOptionsNames() throws IOException {
        Path m = write("old");
        Path json = m.resolve(ModelStore.MODEL_JSON);
        String text = Files.readString(json).replace("\"format_version\" : 2", "\"format_version\" : 1");
        String old = "{\"data\" : \"d.csv\", \"batch\" : \"full\", \"iterations\" : 5, \"learning_rate\" : 0.1, "
                + "\"decay_every\" : 7, \"label_smoothing\" : 0.1, \"augment_on_the_fly\" : {\"rotation\" : 15.0, "
                + "\"elastic_scale\" : \"simard\"}, \"distillation\" : {\"teachers\" : [{\"dir\" : \"/t\"}], "
                + "\"temperature\" : 3.0, \"weight\" : 0.7}, \"on_bad_row\" : \"fail\", \"train_rows\" : 9}";
        text = text.replaceAll("\"training\" : \\{[^}]*\\}", "\"training\" : " + java.util.regex.Matcher.quoteReplacement(old));
        assertTrue(text.contains("learning_rate") && text.contains("\"format_version\" : 1"), text);
        Files.writeString(json, text);
        Map<String, Object> t = ModelStore.read(m).training();
        assertEquals(List.of("data", "batch-size", "iterations", "lr", "decay-every", "label-smoothing",
                "augment-on-the-fly", "rotation", "elastic-scale", "teacher", "distill-temperature", "distill-weight",
                "on-bad-row", "train-rows"), List.copyOf(t.keySet()));
        assertEquals(0, t.get("batch-size"));
        assertEquals(0.1, t.get("lr"));
        assertEquals(true, t.get("augment-on-the-fly"));
        assertEquals("simard", t.get("elastic-scale"));
        assertEquals(List.of(Map.of("dir", "/t")), t.get("teacher"));
        assertEquals(0.7, t.get("distill-weight"));
        Files.writeString(json, text.replace("\"format_version\" : 1", "\"format_version\" : 3"));
        assertTrue(failure(m).endsWith("format_version 3 is not supported (expected 1 or 2)"), failure(m));
    }

    @Test
    void roundTripsBitForBit() throws IOException {
        Path m = write("m");
        Model back = ModelStore.read(m);
        assertArrayEquals(params.values(), back.parameters().values(), 0.0);
        assertEquals(NetworkShape.mnist(7), back.parameters().shape());
        assertEquals(3, ((Number) back.training().get("seed")).intValue());
        try (Stream<Path> files = Files.list(m)) {
            assertEquals(List.of("history.csv", "metrics.json", "model.json", "model.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> siblings = Files.list(dir)) {
            assertEquals(1, siblings.count(), "no temporary directories left behind");
        }
    }

    @Test
    void weightsFollowTheSafetensorsLayout() throws IOException {
        byte[] bytes = Files.readAllBytes(write("m").resolve(ModelStore.WEIGHTS));
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"W1\":{\"dtype\":\"F64\",\"shape\":[7,784],\"data_offsets\":[0,43904]}"), header);
        assertEquals(0, (8 + n) % 8, "data aligned on 8 bytes");
        assertEquals(8 + n + 8L * params.values().length, bytes.length);
        // W1[0][1] is the second double of the data, little-endian
        double w01 = ByteBuffer.wrap(bytes, (int) (8 + n + 8), 8).order(ByteOrder.LITTLE_ENDIAN).getDouble();
        assertEquals(params.w1(0, 1), w01, 0.0);
    }

    @Test
    void rejectsTruncatedAndInconsistentFiles() throws IOException {
        Path m = write("m");
        Path w = m.resolve(ModelStore.WEIGHTS);
        byte[] good = Files.readAllBytes(w);

        Files.write(w, Arrays.copyOf(good, good.length - 8));
        assertTrue(failure(m).contains("truncated: tensor b2 ends at byte"), failure(m));

        Files.write(w, Arrays.copyOf(good, good.length + 8));
        assertTrue(failure(m).contains("8 bytes after the last tensor"), failure(m));

        Files.write(w, Arrays.copyOf(good, 5));
        assertTrue(failure(m).contains("truncated (5 bytes, no header)"), failure(m));

        Files.write(w, good);
        String json = Files.readString(m.resolve(ModelStore.MODEL_JSON));
        Files.writeString(m.resolve(ModelStore.MODEL_JSON), json.replace("\"hidden\" : 7", "\"hidden\" : 8"));
        assertTrue(failure(m).contains("tensor W1 has shape [7, 784], expected [8, 784] for a 784-8-10 network"), failure(m));

        Files.writeString(m.resolve(ModelStore.MODEL_JSON), "{not json");
        assertTrue(failure(m).contains("model.json: not valid JSON"), failure(m));

        Files.delete(m.resolve(ModelStore.MODEL_JSON));
        assertTrue(failure(m).contains("is not a model directory"), failure(m));
        assertTrue(failure(dir.resolve("nothing")).contains("no such directory"));
    }

    private static void checkTarget(Path p) {
        ModelStore.checkTarget(p.toString(), new Configuration());
    }

    @Test
    void replacesAnExistingModelButNeverAnotherDirectory() throws IOException {
        Path m = write("m");
        Files.writeString(m.resolve("loss.png"), "an older chart");
        write("m");
        assertFalse(Files.exists(m.resolve("loss.png")), "the old model was replaced whole");

        Path other = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(other.resolve("cat.jpg"), "meow");
        ModelException e = assertThrows(ModelException.class, () -> checkTarget(other));
        assertTrue(e.getMessage().contains("exists and is not a spark-digits model directory (it holds cat.jpg)"), e.getMessage());
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThrows(ModelException.class, () -> checkTarget(file));
        assertThrows(ModelException.class, () -> checkTarget(file.resolve("sub")));
    }
}
