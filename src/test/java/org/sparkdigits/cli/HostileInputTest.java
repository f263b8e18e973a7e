package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TrainedModel;

/**
 * Hostile files and unbounded work end quickly with a clear error naming the file (exit 2): FIFOs and devices where
 * files belong, a 3 GB line, a PNG that declares 20000x20000 pixels, a forged IDX count, absurd partition counts, a
 * gradient check of the largest network. Each would hang, fill the heap or run for minutes before.
 */
class HostileInputTest {

    /** A hang guard, not a timing: each case ends in seconds; the old code hung forever on several of them. */
    private static final Duration GUARD = Duration.ofMinutes(2);

    @TempDir
    static Path dir;
    static Path data;
    static Path model;

    /** The data of the commands below, and a model to read: a copy of the shared one (testing/TrainedModel). */
    @BeforeAll
    static void trainOnce() throws IOException {
        SparkTestSession.get();
        data = TestCsv.labelled(dir.resolve("data.csv"), 100, 8, true);
        model = TrainedModel.copyTo(dir.resolve("model"));
    }

    private static CliRun run(String... args) {
        return assertTimeoutPreemptively(GUARD, () -> CliRun.of(args), () -> "did not end: " + String.join(" ", args));
    }

    private static void refused(String expected, String... args) {
        CliRun r = run(args);
        assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("error: ")).count(), r.err());
    }

    private static Path fifo(String name) throws Exception {
        Path p = dir.resolve(name);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo");
        return p;
    }

    @Test
    void fifosAndDevicesAreRefusedByName() throws Exception {
        Path fifo = fifo("rows.csv");
        refused("rows.csv is not a regular file (a FIFO, device or socket)", "train", "--data", fifo.toString(),
                "--out", dir.resolve("m-fifo").toString());
        refused("/dev/zero is not a regular file", "train", "--data", "/dev/zero", "--out", dir.resolve("m-zero").toString());
        refused("is not a regular file", "evaluate", "--model", model.toString(), "--data", "/dev/zero");
        Path image = fifo("photo.png");
        refused("photo.png is not a regular file (a FIFO, device or socket)", "predict", "--model", model.toString(),
                "--image", image.toString());
        refused("/dev/zero is not a regular file", "predict", "--model", model.toString(), "--image", "/dev/zero");
        // a model whose weights are a FIFO
        Path copy = Files.createDirectories(dir.resolve("fifo-model"));
        for (String f : new String[] {"model.json", "metrics.json", "history.csv"}) {
            Files.copy(model.resolve(f), copy.resolve(f));
        }
        Process mk = new ProcessBuilder("mkfifo", copy.resolve("model.safetensors").toString()).start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0);
        refused("model.safetensors is not a regular file", "evaluate", "--model", copy.toString(), "--data", data.toString());
    }

    @Test
    void aLineWithoutEndIsRefusedNotRead() throws IOException {
        Path big = dir.resolve("no-newline.csv");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30); // 3 GB of zeros, sparse on disk
        }
        refused("no-newline.csv:1: the line is longer than 65536 characters", "train", "--data", big.toString(),
                "--out", dir.resolve("m-big").toString());
        refused("the line is longer than 65536 characters", "gradcheck", "--data", big.toString());
    }

    @Test
    void aPngDeclaringHugeDimensionsIsRefusedBeforeDecoding() throws IOException {
        Path png = dir.resolve("huge.png");
        writeBlankPng(png, 20_000, 20_000);
        assertTrue(Files.size(png) < 2_000_000, "a small file: " + Files.size(png));
        refused("huge.png: 20000x20000 pixels, more than the 40 million this command reads", "predict", "--model",
                model.toString(), "--image", png.toString());
    }

    /** A grey PNG of {@code w x h} zero pixels: a few hundred KB that decode to {@code w * h} bytes. */
    static void writeBlankPng(Path file, int w, int h) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9), 1 << 16)) {
            byte[] row = new byte[1 + w];
            for (int y = 0; y < h; y++) {
                z.write(row);
            }
        }
        try (OutputStream os = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(os)) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(ihdr);
            d.writeInt(w);
            d.writeInt(h);
            d.write(new byte[] {8, 0, 0, 0, 0});
            chunk(out, "IHDR", ihdr.toByteArray());
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
        }
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        out.writeInt(data.length);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    void aForgedIdxCountIsRefusedBeforePlanning() throws IOException {
        Path idx = dir.resolve("forged-images-idx3-ubyte.gz");
        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(idx)); DataOutputStream out = new DataOutputStream(os)) {
            out.writeInt(0x803);
            out.writeInt(Integer.MAX_VALUE); // 2^31 - 1 images promised
            out.writeInt(28);
            out.writeInt(28);
            out.write(new byte[784 * 3]);
        }
        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(dir.resolve("forged-labels-idx1-ubyte.gz")));
             DataOutputStream out = new DataOutputStream(os)) {
            out.writeInt(0x801);
            out.writeInt(Integer.MAX_VALUE);
            out.write(new byte[3]);
        }
        refused("its header promises 2147483647 images (" + (16 + 784L * Integer.MAX_VALUE) + " bytes), more than a compressed file of",
                "train", "--data", idx.toString(), "--on-bad-row", "skip", "--out", dir.resolve("m-idx").toString());
    }

    @Test
    void partitionsAreBoundedByTheRows() throws IOException {
        Path twenty = TestCsv.labelled(dir.resolve("twenty.csv"), 20, 4, false);
        Path gz = TestCsv.labelled(dir.resolve("twenty.csv.gz"), 20, 4, false);
        for (Path input : new Path[] {twenty, gz}) {
            Path out = dir.resolve("m-" + input.getFileName());
            CliRun r = run("train", "--data", input.toString(), "--partitions", "100000", "--iterations", "2", "--out",
                    out.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(20, new ObjectMapper().readTree(out.resolve("metrics.json").toFile()).get("partitions").asInt());
        }
    }

    @Tag("slow")
    @Test
    void gradcheckOfTheLargestNetworkChecksASample() {
        CliRun r = run("gradcheck", "--data", data.toString(), "--hidden", "4096", "--rows", "1");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("784-4096-10 relu network (he init), 1 rows of " + data + ", a sample of "), r.out());
        assertTrue(r.out().matches("(?s).*a sample of \\d+ of its 3256330 parameters.*"), r.out());
        assertTrue(r.out().contains("gradcheck passed"), r.out());
    }
}
