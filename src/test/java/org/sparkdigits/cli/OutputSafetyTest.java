package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TrainedModel;

/**
 * Nothing of the user's is deleted or overwritten: every output is checked against the inputs, the model directory
 * and the other outputs before any work (exit 2, one line, nothing touched), and what is written gets the mode a
 * plain write would give it.
 */
class OutputSafetyTest {

    @TempDir
    static Path dir;
    static Path data;
    static Path model;

    /** The data of the commands below, and a model to read: a copy of the shared one (testing/TrainedModel). */
    @BeforeAll
    static void trainOnce() throws IOException {
        SparkTestSession.get();
        data = TestCsv.labelled(dir.resolve("data.csv"), 120, 5, true);
        model = TrainedModel.copyTo(dir.resolve("model"));
    }

    private static CliRun refused(String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("loading training data"), "refused only after loading:\n" + r.err());
        return r;
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void trainNeverReplacesADirectoryThatIsNotAModel() throws IOException {
        Path project = Files.createDirectories(dir.resolve("my project"));
        Files.writeString(project.resolve("model.json"), "{\"layers\": [64, 10]}");
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("src/app.py"), "print('hello')");
        List<String> before = tree(project);
        refused("is not a spark-digits model directory (it holds src/)", "train", "--data", data.toString(),
                "--out", project.toString(), "--iterations", "2");
        assertEquals(before, tree(project));
        assertEquals("print('hello')", Files.readString(project.resolve("src/app.py")));
        // an output that holds the training data
        Path holder = Files.createDirectories(dir.resolve("holder"));
        Path inside = TestCsv.labelled(holder.resolve("rows.csv"), 30, 2, true);
        refused("is not a spark-digits model directory", "train", "--data", inside.toString(), "--out", holder.toString());
        assertTrue(Files.exists(inside));
    }

    @Test
    void exportAndPredictNeverWriteOverTheirInputs() throws IOException {
        Path weights = model.resolve("model.safetensors");
        byte[] before = Files.readAllBytes(weights);
        refused("is inside the model directory", "export", "--model", model.toString(), "--onnx", weights.toString());
        refused("is inside the model directory", "export", "--model", model.toString(), "--onnx",
                model.resolve("extra.onnx").toString());
        assertArrayEquals(before, Files.readAllBytes(weights));
        assertFalse(Files.exists(model.resolve("extra.onnx")));

        byte[] input = Files.readAllBytes(data);
        refused("is one of the inputs", "predict", "--model", model.toString(), "--data", data.toString(), "--out",
                data.toString());
        // the same file by another name: a symbolic link, a path through ..
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), data);
        refused("is one of the inputs", "predict", "--model", model.toString(), "--data", data.toString(), "--out",
                link.toString());
        refused("is one of the inputs", "predict", "--model", model.toString(), "--data", dir.toString() + "/*.csv",
                "--out", dir.resolve("model/../data.csv").toString());
        refused("is inside the model directory", "predict", "--model", model.toString(), "--data", data.toString(),
                "--out", model.resolve("history.csv").toString());
        assertArrayEquals(input, Files.readAllBytes(data));
        // and an image's --show onto the image
        Path png = dir.resolve("digit.png");
        javax.imageio.ImageIO.write(org.sparkdigits.image.DigitImageTest.offCentreZero(true), "png", png.toFile());
        byte[] image = Files.readAllBytes(png);
        refused("is one of the inputs", "predict", "--model", model.toString(), "--image", png.toString(), "--show",
                png.toString());
        assertArrayEquals(image, Files.readAllBytes(png));
    }

    @Test
    void checkpointsAndTheModelKeepApart() throws IOException {
        Path out = dir.resolve("apart");
        for (String[] c : List.of(new String[] {out.toString(), "is the same directory as --out"},
                new String[] {out.resolve("ckpt").toString(), "is inside --out"},
                new String[] {dir.toString(), "contains --out"})) {
            refused(c[1], "train", "--data", data.toString(), "--out", out.toString(), "--batch-size", "20",
                    "--checkpoint-dir", c[0]);
        }
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        refused("--checkpoint-dir " + file + " is a file, not a directory", "train", "--data", data.toString(),
                "--out", out.toString(), "--batch-size", "20", "--checkpoint-dir", file.toString());
        refused("cannot create it", "train", "--data", data.toString(), "--out", out.toString(), "--batch-size", "20",
                "--checkpoint-dir", file.resolve("sub").toString());
        assertFalse(Files.exists(out));
        // a fresh run never continues, nor deletes, another run's checkpoints
        Path ck = dir.resolve("ck");
        CliRun first = CliRun.of("train", "--data", data.toString(), "--out", dir.resolve("ck-model").toString(),
                "--batch-size", "20", "--epochs", "1", "--checkpoint-dir", ck.toString(), "--checkpoint-every", "2");
        assertEquals(0, first.code(), first.err());
        List<String> checkpoints = tree(ck);
        refused("already holds checkpoints (newest: ckpt-000000000006): add --resume", "train", "--data", data.toString(),
                "--out", dir.resolve("ck-model").toString(), "--batch-size", "20", "--epochs", "1", "--checkpoint-dir",
                ck.toString());
        assertEquals(checkpoints, tree(ck));
    }

    @Test
    void outputsAreCheckedBeforeAnyWork() throws IOException {
        Path outDir = Files.createDirectories(dir.resolve("a-directory"));
        refused("--out " + outDir + " is a directory: give the file to write", "predict", "--model", model.toString(),
                "--data", data.toString(), "--out", outDir.toString());
        refused("cannot create it", "predict", "--model", model.toString(), "--data", data.toString(), "--out",
                "/proc/self/predictions.csv");
        Path existing = Files.createDirectories(dir.resolve("augmented"));
        Files.writeString(existing.resolve("keep.txt"), "x");
        CliRun r = refused("--out " + existing + " exists: augment writes a new directory", "augment", "--data",
                data.toString(), "--copies", "1", "--out", existing.toString());
        assertFalse(r.err().contains("augmenting"), r.err());
        assertEquals(List.of("", "keep.txt"), tree(existing));
        refused("is one of the inputs", "augment", "--data", data.toString(), "--copies", "1", "--out",
                dir.resolve("aug-new").toString(), "--preview", data.toString());
        refused("is one of the inputs", "bench", "--data", data.toString(), "--json", data.toString());
    }

    @Test
    void writtenFilesGetThePlainMode() throws IOException {
        String plain = PosixFilePermissions.toString(Files.getPosixFilePermissions(Files.writeString(dir.resolve("plain"), "x")));
        Path predictions = dir.resolve("predictions.csv");
        Path onnx = dir.resolve("model.onnx");
        assertEquals(0, CliRun.of("predict", "--model", model.toString(), "--data", data.toString(), "--out",
                predictions.toString()).code());
        assertEquals(0, CliRun.of("export", "--model", model.toString(), "--onnx", onnx.toString()).code());
        assertEquals(0, CliRun.of("report", "--model", model.toString(), "--data", data.toString()).code());
        for (Path p : List.of(predictions, onnx, model.resolve("report.html"), model.resolve("loss.png"),
                model.resolve("model.safetensors"))) {
            assertEquals(plain, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
        }
    }
}
