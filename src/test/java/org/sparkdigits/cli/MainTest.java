package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.ReferenceKernel;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TrainedModel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class MainTest {

    @TempDir
    static Path dir;
    static Path train;
    static Path model;

    /** The shared model (testing/TrainedModel: train --iterations 30 --lr 0.5 --log-every 10 --partitions 3) and its rows. */
    @BeforeAll
    static void trainOnce() throws IOException {
        SparkTestSession.get();
        train = TrainedModel.trainingData(dir);
        TrainedModel.testData(dir);
        model = TrainedModel.copyTo(dir.resolve("model"));
    }

    private static JsonNode json(Path p) throws IOException {
        return new ObjectMapper().readTree(p.toFile());
    }

    @Test
    void usageListsEveryCommandAndOptionWithItsDefault() {
        CliRun r = CliRun.of();
        assertEquals(0, r.code());
        for (String s : List.of("train", "evaluate", "predict", "gradcheck", "download", "--iterations=N", "[default: 500]",
                "--lr=RATE", "[default: 0.1]", "--hidden=H", "--on-bad-row=fail|skip", "--holdout=N", "--master")) {
            assertTrue(r.out().contains(s), "usage lacks " + s);
        }
        assertFalse(r.out().contains("] [default:"), "a default shown twice:\n" + r.out());
    }

    @Test
    void trainWritesTheModelMetricsAndHistory() throws IOException {
        JsonNode metrics = json(model.resolve("metrics.json"));
        for (String k : List.of("test_accuracy", "test_loss", "train_accuracy", "iterations", "train_seconds",
                "load_seconds", "ms_per_iteration")) {
            assertTrue(metrics.has(k) && !metrics.get(k).isNull(), "metrics.json lacks " + k);
        }
        assertEquals(30, metrics.get("iterations").asInt());
        assertTrue(metrics.get("test_accuracy").asDouble() > 0.8, metrics.toString());
        assertEquals(100, metrics.get("test_rows").asInt());
        assertEquals("raw", metrics.get("weights").asText(), "without --ema the scores are of the trained weights");
        JsonNode m = json(model.resolve("model.json"));
        assertEquals(10, m.get("architecture").get("hidden").asInt());
        assertEquals(1, m.get("training").get("seed").asInt());
        assertEquals(3, m.get("training").get("partitions").asInt());
        List<String> history = Files.readAllLines(model.resolve("history.csv"));
        assertEquals("iteration,epoch,loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,elapsed_ms", history.get(0));
        assertEquals(List.of("1", "10", "20", "30"), history.subList(1, history.size()).stream().map(l -> l.split(",")[0]).toList());
        assertCharts(model);
    }

    /** The four charts are valid PNGs of their stated sizes (samples: 24 digits, 4 per row). */
    private static void assertCharts(Path dir) throws IOException {
        assertPng(dir.resolve("loss.png"), 900, 540);
        assertPng(dir.resolve("accuracy.png"), 900, 540);
        assertPng(dir.resolve("confusion.png"), 720, 720);
        assertPng(dir.resolve("samples.png"), 4 * 300, 6 * 176);
    }

    private static void assertPng(Path file, int width, int height) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, Arrays.copyOf(bytes, 8),
                file + " is not a PNG");
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
        assertNotNull(image, file + " does not decode");
        assertEquals(width, image.getWidth(), file + " width");
        assertEquals(height, image.getHeight(), file + " height");
        // not blank: a chart has more than one colour
        int first = image.getRGB(0, 0);
        boolean varied = false;
        for (int y = 0; y < height && !varied; y += 7) {
            for (int x = 0; x < width && !varied; x += 7) {
                varied = image.getRGB(x, y) != first;
            }
        }
        assertTrue(varied, file + " is blank");
    }

    @Test
    void reportRedrawsTheChartsOnOtherDataAndWritesHtml() throws IOException {
        Path copy = dir.resolve("report-model");
        CliRun t = CliRun.of("train", "--data", train.toString(), "--out", copy.toString(), "--batch-size", "40",
                "--epochs", "2", "--optimizer", "adam", "--lr", "0.01", "--log-every", "3");
        assertEquals(0, t.code(), t.err());
        Path other = TestCsv.labelled(dir.resolve("other.csv"), 90, 77, true);
        CliRun r = CliRun.of("report", "--model", copy.toString(), "--data", other.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("90 rows, accuracy "), r.out());
        String html = Files.readString(copy.resolve("report.html"));
        for (String s : List.of("<img src=\"loss.png\"", "<img src=\"accuracy.png\"", "<img src=\"confusion.png\"",
                "<img src=\"samples.png\"", "90 rows", "other.csv", "architecture.hidden</td><td>10</td>")) {
            assertTrue(html.contains(s), "report.html lacks " + s);
        }
        assertCharts(copy);
        try (var files = Files.list(copy)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".")), "temporary files left");
        }
        Path unlabelled = TestCsv.write(dir.resolve("unlabelled.csv"), TestCsv.rows(5, 3, false));
        CliRun bad = CliRun.of("report", "--model", copy.toString(), "--data", unlabelled.toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("has no label column: report needs labels"), bad.err());
    }

    @Test
    void evaluatePrintsAccuracyConfusionAndPerClassFigures() {
        CliRun r = CliRun.of("evaluate", "--model", model.toString(), "--data", dir.resolve("test.csv").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("100 rows, accuracy "), r.out());
        assertTrue(r.out().contains("confusion matrix (rows: true label, columns: predicted)"));
        assertTrue(r.out().contains("class  precision  recall"));
        assertEquals(11 + 1 + 11 + 1, r.out().lines().count(), r.out());
    }

    @Test
    void predictWritesImageIdAndLabelInInputOrderWithOrWithoutLabels() throws IOException {
        List<String> rows = TestCsv.rows(57, 23, false);
        List<String> kaggle = new ArrayList<>();
        kaggle.add(TestCsv.header(false));
        kaggle.addAll(rows);
        Path unlabelled = TestCsv.write(dir.resolve("kaggle-test.csv"), kaggle);
        Path out = dir.resolve("sub/submission.csv");
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--data", unlabelled.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("ImageId,Label", lines.get(0));
        assertEquals(58, lines.size());
        // the same predictions as the core, row by row, in file order
        byte[] px = new byte[57 * 784];
        for (int i = 0; i < 57; i++) {
            int[] v = Arrays.stream(rows.get(i).split(",")).mapToInt(Integer::parseInt).toArray();
            for (int j = 0; j < 784; j++) {
                px[i * 784 + j] = (byte) v[j];
            }
        }
        byte[] expected = new byte[57];
        new ReferenceKernel(ModelStore.read(model).parameters()).predict(new DigitBlock(57, 784, null, px), expected, null);
        for (int i = 0; i < 57; i++) {
            assertEquals((i + 1) + "," + expected[i], lines.get(i + 1));
        }
        CliRun labelled = CliRun.of("predict", "--model", model.toString(), "--data", dir.resolve("test.csv").toString(), "--out", out.toString());
        assertEquals(0, labelled.code());
        assertTrue(labelled.out().contains("the input has labels: accuracy"));
        assertEquals(101, Files.readAllLines(out).size());
    }

    @Test
    void predictImageNamesBadImagesAndBadUsage() throws IOException {
        Path notImage = Files.writeString(dir.resolve("notes.png"), "not a picture");
        Path blank = dir.resolve("blank.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(60, 40, java.awt.image.BufferedImage.TYPE_INT_RGB), "png",
                blank.toFile());
        Path empty = Files.createDirectories(dir.resolve("no-images"));
        Map<String, String> cases = Map.of(
                notImage.toString(), "notes.png: not a PNG or JPEG image",
                blank.toString(), "blank.png: no digit found",
                dir.resolve("missing.png").toString(), "missing.png: no such file or directory",
                empty.toString(), "no-images: no .png, .jpg or .jpeg file in this directory");
        cases.forEach((image, message) -> {
            CliRun r = CliRun.of("predict", "--model", model.toString(), "--image", image);
            assertEquals(2, r.code(), image + ": " + r.err());
            assertTrue(r.err().contains(message), r.err());
        });
        CliRun both = CliRun.of("predict", "--model", model.toString(), "--image", blank.toString(), "--data", train.toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("predict takes --image or --data, not both"), both.err());
        // a good one: the off-centre ring of the preprocessing test
        Path ring = dir.resolve("ring.png");
        javax.imageio.ImageIO.write(org.sparkdigits.image.DigitImageTest.offCentreZero(true), "png", ring.toFile());
        CliRun ok = CliRun.of("predict", "--model", model.toString(), "--image", ring.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().matches("(?s).*ring\\.png: \\d \\(probability [01]\\.\\d{4}\\); probabilities 0:.* 9:[01]\\.\\d{4}\\R.*"),
                ok.out());
        // a good image before a blank one: every image is read before anything is printed
        CliRun mixed = CliRun.of("predict", "--model", model.toString(), "--image", ring + "," + blank);
        assertEquals(2, mixed.code(), mixed.err());
        assertEquals("", mixed.out());
        assertTrue(mixed.err().contains("blank.png: no digit found"), mixed.err());
    }

    @Test
    void exportWritesAnOnnxFileThatOnnxRuntimeLoads() throws Exception {
        Path onnx = dir.resolve("export/model.onnx");
        CliRun r = CliRun.of("export", "--model", model.toString(), "--onnx", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ONNX opset 13, double 784-10-10 relu network"), r.out());
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession s = env.createSession(onnx.toString(), new ai.onnxruntime.OrtSession.SessionOptions())) {
            assertEquals(java.util.Set.of("pixels"), s.getInputNames());
        }
        try (var files = Files.list(onnx.getParent())) {
            assertEquals(List.of(onnx), files.toList(), "no temporary file left beside it");
        }
        Map<String[], String> bad = Map.of(
                new String[] {"export", "--model", model.toString()}, "export needs --onnx FILE",
                new String[] {"export", "--model", model.toString(), "--onnx", dir.toString()}, "--onnx " + dir + " is a directory",
                new String[] {"export", "--model", model.toString(), "--onnx", onnx.toString(), "--precision", "half"},
                "--precision must be double or float, got 'half'",
                new String[] {"export", "--model", dir.resolve("nope").toString(), "--onnx", onnx.toString()}, "nope");
        bad.forEach((args, message) -> {
            CliRun b = CliRun.of(args);
            assertEquals(2, b.code(), String.join(" ", args) + ": " + b.err());
            assertTrue(b.err().contains(message), b.err());
        });
    }

    @Test
    void gradcheckPassesOnRandomAndRealRows() {
        CliRun r = CliRun.of("gradcheck", "--data", train.toString(), "--rows", "4");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("random 20-6-10 relu network, 16 random rows: 196 parameters, largest relative error"), r.out());
        assertTrue(r.out().contains("784-10-10 relu network (he init), 4 rows of"), r.out());
        assertTrue(r.out().contains("gradcheck passed"));
        CliRun reference = CliRun.of("gradcheck", "--data", train.toString(), "--rows", "3", "--kernel", "ojalgo");
        assertEquals(0, reference.code(), reference.out() + reference.err());
        assertTrue(reference.out().contains("kernel: ojalgo"), reference.out());
        CliRun dropped = CliRun.of("gradcheck", "--data", train.toString(), "--rows", "4", "--hidden", "16", "--dropout", "0.5");
        assertEquals(0, dropped.code(), dropped.out() + dropped.err());
        assertTrue(dropped.out().contains("kernel: simd, dropout 0.5 (the masks of one step)"), dropped.out());
        CliRun single = CliRun.of("gradcheck", "--kernel", "float");
        assertEquals(2, single.code());
        assertTrue(single.err().startsWith("error: --kernel float rounds to single precision"), single.err());
        CliRun strict = CliRun.of("gradcheck", "--tolerance", "1e-30");
        assertEquals(1, strict.code(), strict.out());
        assertTrue(strict.out().contains("gradcheck FAILED"));
    }

    @Test
    void badOptionsAreRefusedWithExitCode2() {
        Map<String[], String> cases = Map.of(
                new String[] {"fly"}, "unknown command 'fly'",
                new String[] {"train", "--hiden", "5"}, "unknown option --hiden for train",
                new String[] {"train", "--hidden", "0"}, "--hidden must be between 1 and 4096, got 0",
                new String[] {"train", "--lr", "-1"}, "--lr must be a positive number, got -1",
                new String[] {"train", "--iterations", "many"}, "--iterations must be a whole number, got 'many'",
                new String[] {"train", "--init", "glorot"}, "--init: unknown init 'glorot': expected one of he, xavier, seed",
                new String[] {"train", "--on-bad-row", "ignore"}, "--on-bad-row must be fail or skip, got 'ignore'",
                new String[] {"train", "--storage-level", "RAM"}, "--storage-level must be a Spark storage level",
                new String[] {"evaluate", "--data", "x.csv"}, "evaluate needs --model DIR",
                new String[] {"train", "--seed"}, "--seed needs a value (N)");
        cases.forEach((args, message) -> {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertTrue(r.err().startsWith("error: " + message), r.err());
        });
    }

    @Test
    void badTrainingOptionsAreRefusedBeforeSparkWork() {
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put("--optimizer: unknown optimizer 'rmsprop': expected one of sgd, momentum, nesterov, adam, adamw, lbfgs, cg",
                new String[] {"--optimizer", "rmsprop"});
        cases.put("--momentum must be in [0, 1), got 1", new String[] {"--momentum", "1"});
        cases.put("--beta2 must be in [0, 1), got -0.1", new String[] {"--beta2", "-0.1"});
        cases.put("--eps must be in (0, 1], got 0", new String[] {"--eps", "0"});
        cases.put("--l2 must be in [0, inf), got -0.001", new String[] {"--l2", "-0.001"});
        cases.put("--lr must be a positive number, got -0.5", new String[] {"--lr", "-0.5"});
        cases.put("--schedule: unknown schedule 'linear': expected one of constant, step, cosine", new String[] {"--schedule", "linear"});
        cases.put("--activation: unknown activation 'tanh': expected one of relu, sigmoid", new String[] {"--activation", "tanh"});
        cases.put("--kernel: unknown kernel 'gpu': expected one of simd, sparse, ojalgo", new String[] {"--kernel", "gpu"});
        cases.put("--optimizer lbfgs is a full-batch method: drop --batch-size", new String[] {"--optimizer", "lbfgs", "--batch-size", "64"});
        cases.put("--local-steps 4 needs mini-batches: give --batch-size too", new String[] {"--local-steps", "4"});
        cases.put("--early-stopping needs a validation set: give --validation N", new String[] {"--early-stopping", "3"});
        cases.put("--epochs counts passes of mini-batch training: give --batch-size too", new String[] {"--epochs", "3"});
        cases.put("--batch-size must be between 0 and", new String[] {"--batch-size", "-5"});
        cases.put("--decay-rate must be in (0, 1], got 2", new String[] {"--decay-rate", "2"});
        cases.put("--dropout must be in [0, 1), got 1", new String[] {"--dropout", "1"});
        cases.put("--dropout draws new masks every step, which the line search of --optimizer cg cannot follow",
                new String[] {"--dropout", "0.5", "--optimizer", "cg"});
        cases.forEach((message, extra) -> {
            List<String> args = new ArrayList<>(List.of("train", "--data", "/nonexistent/never-read.csv", "--out", dir.resolve("x").toString()));
            args.addAll(List.of(extra));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(2, r.code(), message);
            assertTrue(r.err().startsWith("error: " + message), r.err());
        });
    }

    @Test
    void aBatchLargerThanTheDataIsRefusedAfterLoading() {
        Path out = dir.resolve("too-big");
        CliRun r = CliRun.of("train", "--data", train.toString(), "--batch-size", "5000", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: --batch-size 5000 is larger than the 400 training rows"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void miniBatchTrainingWithValidationRecordsEpochsAndValidation() throws IOException {
        Path out = dir.resolve("mini");
        CliRun r = CliRun.of("train", "--data", train.toString(), "--test", dir.resolve("test.csv").toString(),
                "--out", out.toString(), "--batch-size", "40", "--epochs", "3", "--optimizer", "adam", "--lr", "0.01",
                "--validation", "50", "--early-stopping", "5", "--schedule", "cosine", "--warmup", "3", "--l2", "1e-4",
                "--dropout", "0.2", "--log-every", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("validation accuracy "), r.out());
        JsonNode metrics = json(out.resolve("metrics.json"));
        assertEquals(350, metrics.get("train_rows").asInt());
        assertEquals(50, metrics.get("validation_rows").asInt());
        assertEquals(27, metrics.get("iterations").asInt(), "3 epochs of ceil(350/40) = 9 steps");
        assertEquals(3.0, metrics.get("epochs").asDouble());
        JsonNode training = json(out.resolve("model.json")).get("training");
        assertEquals("adam", training.get("optimizer").asText());
        assertEquals(40, training.get("batch-size").asInt());
        assertEquals("cosine", training.get("schedule").asText());
        assertEquals(0.2, training.get("dropout").asDouble());
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        List<String> epochEnds = history.subList(1, history.size()).stream().filter(l -> l.split(",", -1)[5].length() > 0).toList();
        assertEquals(3, epochEnds.size(), "a validation evaluation per epoch: " + history);
        assertTrue(epochEnds.get(0).startsWith("9,1.000000,"), epochEnds.get(0));
    }

    @Test
    void badInputExitsWith2AndLeavesNoModelDirectory() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        byte[] gz = Files.readAllBytes(train);
        Path cut = Files.write(dir.resolve("cut.csv.gz"), Arrays.copyOf(gz, gz.length / 3));
        List<String> lines = new ArrayList<>(TestCsv.rows(50, 24, true));
        lines.set(20, lines.get(20).replaceFirst(",0,", ",abc,"));
        Path bad = TestCsv.write(dir.resolve("bad.csv"), lines);
        Map<String, String> cases = Map.of(
                dir.resolve("missing.csv").toString(), "missing.csv: no such file or directory",
                empty.toString(), "empty.csv: file is empty",
                cut.toString(), "cut.csv.gz: cannot read (truncated compressed data",
                bad.toString(), "bad.csv:21: field ");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path out = dir.resolve("never-" + Path.of(c.getKey()).getFileName());
            CliRun r = CliRun.of("train", "--data", c.getKey(), "--test", dir.resolve("test.csv").toString(),
                    "--out", out.toString(), "--iterations", "2");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().startsWith("error: training data: ") && r.err().contains(c.getValue()), r.err());
            assertEquals(1, r.err().lines().count(), "one line: " + r.err());
            assertFalse(Files.exists(out), "no model directory for " + c.getKey());
        }
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".never")), "no temporary directories");
        }
    }

    @Test
    void skipModeTrainsWithoutTheBadRowsAndCountsThem() throws IOException {
        List<String> lines = new ArrayList<>(TestCsv.rows(80, 25, true));
        lines.set(5, "3,4,5");
        lines.set(6, lines.get(6).replaceFirst("^\\d", "10"));
        Path bad = TestCsv.write(dir.resolve("skip.csv"), lines);
        Path out = dir.resolve("skip-model");
        CliRun r = CliRun.of("train", "--data", bad.toString(), "--holdout", "10", "--out", out.toString(),
                "--iterations", "3", "--on-bad-row", "skip");
        assertEquals(0, r.code(), r.err());
        JsonNode metrics = json(out.resolve("metrics.json"));
        assertEquals(2, metrics.get("skipped_rows").asInt());
        assertEquals(68, metrics.get("train_rows").asInt());
        assertEquals(10, metrics.get("holdout_rows").asInt());
        assertEquals("holdout", metrics.get("test_source").asText());
    }

    @Test
    void benchPrintsAndWritesEveryFigure() throws IOException {
        Path out = dir.resolve("bench.json");
        CliRun r = CliRun.of("bench", "--data", train.toString(), "--repeats", "2", "--passes", "3", "--steps", "10",
                "--jobs", "4", "--partitions", "2", "--json", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = json(out);
        assertEquals(400, j.get("rows").asInt());
        assertEquals(2, j.get("partitions").asInt());
        for (String k : List.of("load_s", "kernel_h10_simd_ms", "kernel_h10_sparse_ms", "kernel_h10_ojalgo_ms",
                "kernel_h10_float_ms", "kernel_h128_simd_ms", "kernel_h128_float_ms", "job_bare_ms", "job_with_result_ms",
                "job_with_broadcast_ms", "full_batch_h10_simd_ms", "full_batch_h10_float_ms", "full_batch_h10_ojalgo_ms",
                "full_batch_h128_simd_ms", "full_batch_h128_float_ms",
                "mini_batch_b256_h10_step_ms", "mini_batch_b256_task_compute_ms")) {
            JsonNode f = j.get(k);
            assertTrue(f != null && f.get("median").asDouble() > 0
                    && f.get("min").asDouble() <= f.get("median").asDouble()
                    && f.get("median").asDouble() <= f.get("max").asDouble(), k + ": " + f);
        }
        assertTrue(r.out().contains("full-batch iteration, H=128, simd (ms)"), r.out());
        CliRun tooSmall = CliRun.of("bench", "--data", dir.resolve("test.csv").toString());
        assertEquals(2, tooSmall.code(), tooSmall.err());
        assertTrue(tooSmall.err().contains("bench needs at least 256 rows"), tooSmall.err());
    }

    @Test
    void theShippedDefaultsFileIsValid() throws IOException {
        Path conf = Path.of("conf/train.properties");
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(conf)) {
            p.load(r);
        }
        // it changes no default: the built-in ones (the notebook's) live in TrainOption alone
        assertEquals(org.sparkdigits.DigitTrainer.builder().build().spec(),
                org.sparkdigits.DigitTrainer.builder().defaults(p, conf.toString()).build().spec());
        // and the examples in its comments are settings the builder takes
        java.util.Map<String, String> examples = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(conf)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("#\\s+([a-z0-9-]+) = (\\S+)").matcher(line);
            if (m.matches()) {
                examples.put(m.group(1), m.group(2));
            }
        }
        assertTrue(examples.size() >= 3, examples.toString());
        org.sparkdigits.train.TrainingSpec changed = org.sparkdigits.DigitTrainer.builder().defaults(examples, "examples")
                .build().spec();
        assertEquals(128, changed.network().hidden());
    }
}
