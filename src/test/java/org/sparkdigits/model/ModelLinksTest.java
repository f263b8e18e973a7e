package org.sparkdigits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;

/**
 * Nothing is written through a symbolic link inside a model directory, in either commit mode: a model.json, weights
 * or report.html that links to another model's file leaves that file as it was, and the write is refused naming
 * the link.
 */
class ModelLinksTest {

    @TempDir
    Path dir;

    private static Configuration conf(String mode) {
        Configuration c = new Configuration();
        c.set(ModelManifest.SETTING, mode);
        return c;
    }

    private static void write(Path out, Configuration c, int seed) {
        ModelStore.write(out.toString(), c, new Model(Initializer.SEED.initialize(NetworkShape.mnist(5), seed),
                Map.of("seed", seed)), Map.of("test_accuracy", 0.5), List.of("iteration,loss", "1,2.3"), Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rename", "manifest"})
    void aLinkedFileInAModelDirectoryIsNeverWrittenThrough(String mode) throws IOException {
        Configuration c = conf(mode);
        Path other = dir.resolve("other");
        write(other, c, 1);
        ModelStore.replaceFile(other.toString(), ModelStore.REPORT_HTML, "<html>other</html>".getBytes(StandardCharsets.UTF_8), c);
        Path m = dir.resolve("m");
        for (String name : List.of(ModelStore.MODEL_JSON, ModelStore.WEIGHTS, ModelStore.REPORT_HTML)) {
            write(m, c, 2);
            Files.deleteIfExists(m.resolve(name));
            Files.createSymbolicLink(m.resolve(name), other.resolve(name));
            byte[] before = Files.readAllBytes(other.resolve(name));

            String e = assertThrows(ModelException.class, () -> write(m, c, 3)).getMessage();
            assertTrue(e.equals("--out " + m + " holds " + name + ", a symbolic link: refusing to write through it; "
                    + "remove the link (or give another directory)"), e);
            e = assertThrows(ModelException.class, () -> ModelStore.checkTarget(m.toString(), c)).getMessage();
            assertTrue(e.contains("holds " + name + ", a symbolic link"), e);
            e = assertThrows(ModelException.class, () -> ModelStore.replaceFile(m.toString(), name.equals(ModelStore.REPORT_HTML)
                    ? ModelStore.REPORT_HTML : "loss.png", new byte[] {1}, c)).getMessage();
            assertTrue(e.startsWith("model " + m + " holds " + name + ", a symbolic link: refusing to write through it"), e);

            assertArrayEquals(before, Files.readAllBytes(other.resolve(name)), name + " of the other model is as it was");
            assertTrue(Files.isSymbolicLink(m.resolve(name)));
            ModelStore.read(other.toString(), c);
            Files.delete(m.resolve(name));
            Files.walk(m).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
