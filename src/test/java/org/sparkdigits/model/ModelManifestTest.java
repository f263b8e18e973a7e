package org.sparkdigits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.report.Charts;

/**
 * The object stores' commit (files first, manifest last), forced on the local file system: what a reader accepts and
 * refuses ("incomplete model: ..."), rewrites and added files keep the manifest true, and which scheme gets which mode.
 */
class ModelManifestTest {

    @TempDir
    Path dir;

    private final Parameters params = Initializer.SEED.initialize(NetworkShape.mnist(5), 9);

    private static Configuration manifestMode() {
        Configuration c = new Configuration();
        c.set(ModelManifest.SETTING, "manifest");
        return c;
    }

    private String write(String name, Configuration conf) {
        String out = dir.resolve(name).toString();
        ModelStore.write(out, conf, new Model(params, Map.of("seed", 9)), Map.of("test_accuracy", 0.5),
                List.of("iteration,loss,train_accuracy,elapsed_ms", "1,2.3,0.1,5"), Map.of());
        return out;
    }

    private String refusal(String model, Configuration conf) {
        return assertThrows(ModelException.class, () -> ModelStore.read(model, conf)).getMessage();
    }

    @Test
    void theManifestComesLastAndListsEveryFileWithItsSizeAndSha256() throws IOException {
        String m = write("m", manifestMode());
        assertArrayEquals(params.values(), ModelStore.read(m, manifestMode()).parameters().values(), 0.0);
        String manifest = Files.readString(Path.of(m, ModelManifest.NAME));
        byte[] weights = Files.readAllBytes(Path.of(m, ModelStore.WEIGHTS));
        assertTrue(manifest.contains("\"" + ModelManifest.sha256(weights) + "\""), manifest);
        assertTrue(manifest.contains("\"size\" : " + weights.length), manifest);
        try (Stream<Path> siblings = Files.list(dir)) {
            assertEquals(1, siblings.count(), "written in place: nothing beside it");
        }
        // a reader in the default mode checks a manifest it finds too
        assertArrayEquals(params.values(), ModelStore.read(m, new Configuration()).parameters().values(), 0.0);
    }

    @Test
    void aDirectoryWithoutItsManifestIsAnIncompleteModel() throws IOException {
        String m = write("m", manifestMode());
        Files.delete(Path.of(m, ModelManifest.NAME));   // as a write killed before its last file leaves it
        String e = refusal(m, manifestMode());
        assertTrue(e.startsWith("incomplete model: " + m + " has no manifest.json"), e);
        // where rename is the commit, a directory without a manifest is a model as before
        assertArrayEquals(params.values(), ModelStore.read(m, new Configuration()).parameters().values(), 0.0);
        // and the next write replaces the incomplete one
        write("m", manifestMode());
        ModelStore.read(m, manifestMode());
    }

    @Test
    void aFileThatDoesNotMatchItsEntryIsRefusedByName() throws IOException {
        String m = write("m", manifestMode());
        Path metrics = Path.of(m, ModelStore.METRICS_JSON);
        String text = Files.readString(metrics);
        Files.writeString(metrics, text.replace("0.5", "0.9"));   // same size, other bytes
        String e = refusal(m, new Configuration());
        assertTrue(e.startsWith("incomplete model: " + m + ": metrics.json does not have the SHA-256"), e);
        Files.writeString(metrics, text + " ");
        e = refusal(m, manifestMode());
        assertTrue(e.contains("metrics.json is " + (text.length() + 1) + " bytes, the manifest says " + text.length()), e);
        Files.writeString(metrics, text);
        Files.delete(Path.of(m, ModelStore.HISTORY_CSV));
        assertTrue(refusal(m, manifestMode()).endsWith("history.csv is missing (the manifest lists it)"));
        Files.writeString(Path.of(m, ModelStore.HISTORY_CSV), "iteration,loss,train_accuracy,elapsed_ms\n1,2.3,0.1,5\n");
        Files.write(Path.of(m, Charts.LOSS), new byte[] {1, 2, 3});   // a file of a model that the manifest does not list
        assertTrue(refusal(m, manifestMode()).endsWith("loss.png is not in the manifest"));
    }

    @Test
    void aManifestOfAnotherVersionOrWithUnknownFieldsIsRefused() throws IOException {
        String m = write("m", manifestMode());
        Path manifest = Path.of(m, ModelManifest.NAME);
        String text = Files.readString(manifest);
        Files.writeString(manifest, text.replace("\"format_version\" : 1", "\"format_version\" : 2"));
        String e = refusal(m, manifestMode());
        assertTrue(e.contains("manifest.json: format_version 2 is not supported (expected 1"), e);
        Files.writeString(manifest, text.replace("\"format_version\" : 1", "\"format_version\" : 1, \"signed_by\" : \"x\""));
        e = refusal(m, manifestMode());
        assertTrue(e.contains("manifest.json: unknown field signed_by"), e);
        Files.writeString(manifest, text.replaceFirst("\"size\"", "\"mode\" : 420, \"size\""));
        e = refusal(m, manifestMode());
        assertTrue(e.contains("unknown field mode"), e);
        Files.writeString(manifest, text);
        ModelStore.read(m, manifestMode());
    }

    @Test
    void aListedFileOverTwoGigabytesIsNamedNotCastToAnInt() throws IOException {
        String m = write("m", manifestMode());
        Path metrics = Path.of(m, ModelStore.METRICS_JSON);
        long huge = 3L << 30;
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(metrics.toFile(), "rw")) {
            f.setLength(huge);   // sparse: no disk used
        }
        Path manifest = Path.of(m, ModelManifest.NAME);
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("(\"metrics.json\" : \\{\\s*\"size\" : )\\d+", "$1" + huge));
        String e = assertThrows(ModelException.class, () -> ModelStore.replaceFile(m, ModelStore.REPORT_HTML,
                "<html></html>".getBytes(StandardCharsets.UTF_8), manifestMode())).getMessage();
        assertTrue(e.contains(ModelStore.METRICS_JSON + " is " + huge + " bytes, more than such a file can be"), e);
        e = refusal(m, manifestMode());
        assertTrue(e.contains(ModelStore.METRICS_JSON + " is " + huge + " bytes, more than such a file can be"), e);
    }

    @Test
    void anAddedFileIsListedInANewManifest() throws IOException {
        String m = write("m", manifestMode());
        ModelStore.replaceFile(m, ModelStore.REPORT_HTML, "<html></html>".getBytes(StandardCharsets.UTF_8), manifestMode());
        ModelStore.read(m, manifestMode());
        assertTrue(Files.readString(Path.of(m, ModelManifest.NAME)).contains("\"report.html\""));
    }

    @Test
    void objectStoresGetTheManifestAndEverythingElseTheRename() throws IOException {
        Configuration auto = new Configuration();
        assertEquals(ModelManifest.Mode.RENAME, ModelManifest.mode(FileSystem.getLocal(auto), auto));
        for (String scheme : List.of("s3a", "gs", "abfs", "abfss", "wasbs")) {
            FileSystem fs = new org.apache.hadoop.fs.RawLocalFileSystem() {
                @Override
                public URI getUri() {
                    return URI.create(scheme + "://bucket/");
                }
            };
            assertEquals(ModelManifest.Mode.MANIFEST, ModelManifest.mode(fs, auto), scheme);
        }
        assertEquals(ModelManifest.Mode.MANIFEST, ModelManifest.mode(FileSystem.getLocal(auto), manifestMode()));
        Configuration bad = new Configuration();
        bad.set(ModelManifest.SETTING, "copy");
        String e = assertThrows(ModelException.class, () -> ModelManifest.mode(FileSystem.getLocal(bad), bad)).getMessage();
        assertEquals("spark-digits.model.commit is copy: expected auto, rename or manifest", e);
    }
}
