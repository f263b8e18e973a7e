package org.sparkdigits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.io.InputException;

/**
 * The model directory's promises against a user's files: only a directory that is provably ours is replaced; a
 * replace killed between its renames is mended by the next write; the reader is strict and reads no more than the
 * header promises (no FIFO, no 3 GB file read into the heap).
 */
class ModelDirectoryTest {

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();
    private final Parameters params = Initializer.SEED.initialize(NetworkShape.mnist(5), 9);

    private Path write(Path out) {
        ModelStore.write(out, new Model(params, Map.of("seed", 9)), Map.of("test_accuracy", 0.5),
                List.of("iteration,loss", "1,2.3"));
        return out;
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aDirectoryWithAnUnrelatedModelJsonIsNeverReplaced() throws IOException {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("model.json"), "{\"name\": \"my web app's model\"}");
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("src/Main.java"), "class Main {}");
        Files.writeString(project.resolve("notes.txt"), "keep me");
        ModelException e = assertThrows(ModelException.class, () -> write(project));
        assertTrue(e.getMessage().contains("is not a spark-digits model directory (it holds notes.txt, src/)"), e.getMessage());
        assertEquals(List.of("model.json", "notes.txt", "src"), names(project));
        assertEquals("keep me", Files.readString(project.resolve("notes.txt")));
        assertEquals(List.of("project"), names(dir), "no temporary directory left");

        // our model.json but a file that is not ours beside it: refused too
        Path m = write(dir.resolve("m"));
        Files.writeString(m.resolve("README.txt"), "my notes on this model");
        e = assertThrows(ModelException.class, () -> write(m));
        assertTrue(e.getMessage().contains("(it holds README.txt)"), e.getMessage());
        assertTrue(Files.exists(m.resolve("README.txt")));

        // a model.json that is JSON but not ours, alone: refused
        Path lone = Files.createDirectories(dir.resolve("lone"));
        Files.writeString(lone.resolve("model.json"), "{\"format\": \"onnx\"}");
        e = assertThrows(ModelException.class, () -> write(lone));
        assertTrue(e.getMessage().contains("its model.json is not a spark-digits model's"), e.getMessage());
    }

    @Test
    void anEmptyDirectoryAndOneOfOursAreReplaced() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        write(empty);
        assertTrue(names(empty).contains("model.safetensors"));
        // every file a model directory may hold, plus Hadoop's checksums and an interrupted atomic write of report
        for (String f : List.of("loss.png", "report.html", ".model.json.crc", ".report.html.tmp-123")) {
            Files.writeString(empty.resolve(f), "x");
        }
        write(empty);
        assertEquals(List.of("history.csv", "metrics.json", "model.json", "model.safetensors"), names(empty));
    }

    @Test
    void aReplaceKilledBetweenItsRenamesIsMendedByTheNextRun() throws IOException {
        Path m = write(dir.resolve("m"));
        byte[] weights = Files.readAllBytes(m.resolve(ModelStore.WEIGHTS));
        // the state a kill leaves between the two renames: the old model aside, the new one unfinished (as an older
        // spark-digits left them: no owner record, so they are mended only once older than the lease)
        aged(Files.move(m, dir.resolve(".m.old-111")));
        Path tmp = Files.createDirectories(dir.resolve(".m.tmp-222"));
        Files.writeString(tmp.resolve("model.safetensors"), "half written");
        aged(tmp);

        ModelException missing = assertThrows(ModelException.class, () -> ModelStore.read(m));
        assertTrue(missing.getMessage().contains("an interrupted replace left the previous model in"), missing.getMessage());

        List<String> notes = ModelStore.recover(m.toString(), conf);
        assertEquals(2, notes.size(), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("put the previous model back") && n.contains(".m.old-111")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("removed .m.tmp-222")), notes.toString());
        assertEquals(List.of("m"), names(dir));
        assertArrayEquals(weights, Files.readAllBytes(m.resolve(ModelStore.WEIGHTS)));
        assertArrayEquals(params.values(), ModelStore.read(m).parameters().values(), 0.0);

        // killed after the second rename: the new model is in place, the old one still beside it
        write(dir.resolve("m"));
        write(Files.createDirectories(dir.resolve("other")));
        aged(Files.move(dir.resolve("other"), dir.resolve(".m.old-333")));
        Path foreign = Files.createDirectories(dir.resolve(".m.tmp-444"));
        Files.writeString(foreign.resolve("vacation.jpg"), "not a model's");
        aged(foreign);
        notes = ModelStore.recover(m.toString(), conf);
        assertTrue(notes.stream().anyMatch(n -> n.contains("removed .m.old-333")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("left") && n.contains(".m.tmp-444") && n.contains("alone")), notes.toString());
        assertEquals(List.of(".m.tmp-444", "m"), names(dir));
        // a write mends by itself
        aged(Files.move(m, dir.resolve(".m.old-555")));
        write(m);
        assertEquals(List.of(".m.tmp-444", "m"), names(dir));
    }

    /** Makes {@code p} an hour old: older than the lease of a writer that left no record. */
    static Path aged(Path p) throws IOException {
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000L));
        return p;
    }

    @Test
    void modelJsonIsReadStrictly() throws IOException {
        Path m = write(dir.resolve("m"));
        String json = Files.readString(m.resolve(ModelStore.MODEL_JSON));
        Map<String, String> broken = Map.of(
                "\"hidden\" : 5", "\"hidden\" : \"5\"",
                "\"inputs\" : 784", "\"inputs\" : 784.5",
                "\"pixel_divisor\" : 255.0", "\"pixel_divisor\" : 0",
                "\"format_version\" : 2", "\"format_version\" : \"2\"",
                "\"hidden_activation\" : \"relu\"", "\"hidden_activation\" : 1");
        Map<String, String> expected = Map.of(
                "\"hidden\" : 5", "hidden must be a whole number, got \"5\"",
                "\"inputs\" : 784", "inputs must be a whole number, got 784.5",
                "\"pixel_divisor\" : 255.0", "input_scaling.pixel_divisor is 0, expected 255",
                "\"format_version\" : 2", "format_version must be a whole number",
                "\"hidden_activation\" : \"relu\"", "hidden_activation must be a string, got 1");
        for (Map.Entry<String, String> b : broken.entrySet()) {
            assertTrue(json.contains(b.getKey()), b.getKey());
            Files.writeString(m.resolve(ModelStore.MODEL_JSON), json.replace(b.getKey(), b.getValue()));
            ModelException e = assertThrows(ModelException.class, () -> ModelStore.read(m));
            assertTrue(e.getMessage().contains(expected.get(b.getKey())), e.getMessage());
        }
        Files.writeString(m.resolve(ModelStore.MODEL_JSON), json);

        // a fractional offset in the weights' header (the header rewritten with its new length)
        Path w = m.resolve(ModelStore.WEIGHTS);
        byte[] good = Files.readAllBytes(w);
        int n = (int) java.nio.ByteBuffer.wrap(good).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(good, 8, n, java.nio.charset.StandardCharsets.US_ASCII);
        String forged = header.replace("\"data_offsets\":[0,31360]", "\"data_offsets\":[0.0,31360]");
        assertTrue(!forged.equals(header), "the W1 offsets are where expected");
        byte[] h = forged.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 + h.length + good.length - 8 - n)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(good, 8 + n, good.length - 8 - n);
        Files.write(w, out.array());
        ModelException e = assertThrows(ModelException.class, () -> ModelStore.read(m));
        assertTrue(e.getMessage().contains("data_offsets must be whole numbers"), e.getMessage());
    }

    @Test
    void hugeWeightsAndFifosAreRefusedWithoutBeingRead() throws Exception {
        Path m = write(dir.resolve("m"));
        Path w = m.resolve(ModelStore.WEIGHTS);
        long good = Files.size(w);
        try (RandomAccessFile f = new RandomAccessFile(w.toFile(), "rw")) {
            f.setLength(3L << 30); // 3 GB, sparse: the header is intact, the rest reads as zeros
        }
        // the read gate refuses it by its length, before a byte is read
        InputException e = assertThrows(InputException.class, () -> ModelStore.read(m));
        assertTrue(e.getMessage().contains("model.safetensors is 3221225472 bytes, more than such a file can be"), e.getMessage());
        assertTrue(good < 3L << 30);

        Files.delete(w);
        Process p = new ProcessBuilder("mkfifo", w.toString()).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo");
        InputException fifo = assertThrows(InputException.class, () -> ModelStore.read(m));
        assertTrue(fifo.getMessage().contains("model.safetensors is not a regular file (a FIFO, device or socket)"), fifo.getMessage());

        Files.delete(w);
        Files.createSymbolicLink(w, Path.of("/dev/zero"));
        InputException zero = assertThrows(InputException.class, () -> ModelStore.read(m));
        assertTrue(zero.getMessage().contains("is not a regular file"), zero.getMessage());
    }

    @Test
    void filesGetTheModeAPlainWriteWouldGive() throws IOException {
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(plain));
        Path m = write(dir.resolve("m"));
        for (String f : names(m)) {
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(m.resolve(f))), f);
        }
        ModelStore.replaceFile(m.toString(), "report.html", "<html></html>".getBytes(), conf);
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(m.resolve("report.html"))));
        org.sparkdigits.io.AtomicFiles.writeLines(dir.resolve("out.csv"), List.of("ImageId,Label"));
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("out.csv"))));
        assertFalse(names(m).stream().anyMatch(n -> n.endsWith(".crc")), "no checksum side files in a model directory");
    }
}
