package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/** {@code train --augment-on-the-fly}: the rows augment would write, made in the gradient tasks, fresh every epoch. */
class OnTheFlyTest {

    @TempDir
    Path dir;

    private double[] weights(String model) {
        return ModelStore.read(dir.resolve(model)).parameters().values();
    }

    @Test
    void oneEpochOnTheFlyIsTrainingOnAugmentsFirstCopy() throws IOException {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("rows.csv"), 200, 31, true);
        String[] common = {"--iterations", "1", "--hidden", "12", "--seed", "6", "--partitions", "3", "--log-every", "1"};
        CliRun a = CliRun.of("augment", "--data", data.toString(), "--copies", "1", "--no-original", "--seed", "6",
                "--out", dir.resolve("copy1").toString());
        assertEquals(0, a.code(), a.err());
        CliRun stored = CliRun.of(concat(new String[] {"train", "--data", dir.resolve("copy1").toString(), "--out",
                dir.resolve("stored").toString()}, common));
        assertEquals(0, stored.code(), stored.err());
        CliRun fly = CliRun.of(concat(new String[] {"train", "--data", data.toString(), "--augment-on-the-fly", "--out",
                dir.resolve("fly").toString()}, common));
        assertEquals(0, fly.code(), fly.err());
        CliRun plain = CliRun.of(concat(new String[] {"train", "--data", data.toString(), "--out",
                dir.resolve("plain").toString()}, common));
        assertEquals(0, plain.code(), plain.err());
        // the same 200 distorted rows, summed in another order: equal to rounding
        assertArrayEquals(weights("stored"), weights("fly"), 1e-12);
        double diff = 0;
        double[] p = weights("plain");
        double[] f = weights("fly");
        for (int i = 0; i < p.length; i++) {
            diff = Math.max(diff, Math.abs(p[i] - f[i]));
        }
        assertTrue(diff > 1e-4, "the distorted rows give another step than the originals: " + diff);
        java.util.Map<String, Object> recorded = ModelStore.read(dir.resolve("fly")).training();
        assertEquals(true, recorded.get("augment-on-the-fly"), String.valueOf(recorded));
        assertEquals(2.5, recorded.get("alpha"), String.valueOf(recorded));
        assertEquals(false, ModelStore.read(dir.resolve("plain")).training().get("augment-on-the-fly"));
        assertFalse(ModelStore.read(dir.resolve("plain")).training().containsKey("alpha"), "ranges only when used");
    }

    @Test
    void miniBatchesSeeFreshDistortionsEachEpochReproducibly() throws IOException {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("rows.csv"), 300, 33, true);
        String[] common = {"--data", data.toString(), "--batch-size", "50", "--epochs", "3", "--hidden", "16",
                "--optimizer", "adam", "--lr", "0.01", "--dropout", "0.2", "--log-every", "6"};
        CliRun one = CliRun.of(concat(concat(new String[] {"train", "--out", dir.resolve("a").toString()}, common),
                "--augment-on-the-fly", "--rotation", "15", "--local-steps", "2"));
        assertEquals(0, one.code(), one.err());
        CliRun two = CliRun.of(concat(concat(new String[] {"train", "--out", dir.resolve("b").toString()}, common),
                "--augment-on-the-fly", "--rotation", "15", "--local-steps", "2"));
        assertEquals(0, two.code(), two.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/model.safetensors")), Files.readAllBytes(dir.resolve("b/model.safetensors")),
                "the distortions are a pure function of seed, row and epoch");
        CliRun other = CliRun.of(concat(concat(new String[] {"train", "--out", dir.resolve("c").toString()}, common),
                "--augment-on-the-fly", "--rotation", "15", "--local-steps", "2", "--alpha", "0"));
        assertEquals(0, other.code(), other.err());
        assertFalse(Arrays.equals(weights("a"), weights("c")), "other distortion settings, another model");
        assertEquals(15.0, ModelStore.read(dir.resolve("a")).training().get("rotation"));
    }

    @Test
    void distortionOptionsNeedTheFlagAndLineSearchesRefuseIt() throws IOException {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("d.csv"), 20, 3, true);
        String[][] cases = {
                {"train", "--data", data.toString(), "--rotation", "5"},
                {"train", "--data", data.toString(), "--augment-on-the-fly", "--optimizer", "lbfgs"},
                {"train", "--data", data.toString(), "--augment-on-the-fly", "--alpha", "-1"}};
        String[] messages = {"--rotation sets the distortions of --augment-on-the-fly: give that too",
                "--augment-on-the-fly draws new distortions every epoch, which the line search of --optimizer lbfgs",
                "--alpha must be"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains(messages[i]), r.err());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
