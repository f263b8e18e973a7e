package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Distillation;
import org.sparkdigits.core.kernel.Dropout;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.loss.LabelSmoothing;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelException;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TestLoads;
import org.sparkdigits.train.TrainingSpec;

/** {@code --teacher}: teachers read from model directories, broadcast once, evaluated in the gradient tasks, on real Spark. */
@Tag("spark-layer")
class DistillationTrainingTest {

    private static final NetworkShape SHAPE = NetworkShape.mnist(10);

    @TempDir
    static Path dir;
    static Path csv;
    static Path teacher;
    static Path sigmoidTeacher;

    @BeforeAll
    static void setUp() throws IOException {
        SparkTestSession.get();
        csv = TestCsv.labelled(dir.resolve("train.csv"), 600, 31, false);
        teacher = dir.resolve("teacher model");   // a space in the path, on purpose
        DigitTrainer.builder().data(csv.toString()).hidden(24).batchSize(50).epochs(3).optimizer("adam").lr(0.01)
                .partitions(2).seed(2).out(teacher.toString()).build().fit();
        sigmoidTeacher = dir.resolve("sigmoid teacher");
        DigitTrainer.builder().data(csv.toString()).hidden(8).activation("sigmoid").batchSize(50).epochs(2).optimizer("adam")
                .lr(0.02).partitions(2).seed(3).out(sigmoidTeacher.toString()).build().fit();
    }

    private static DigitTrainer.Builder student() {
        return DigitTrainer.builder().data(csv.toString()).hidden(10).batchSize(60).epochs(2).optimizer("adam").lr(0.01)
                .partitions(2).seed(4).dropout(0.1).logEvery(100);
    }

    private static byte[] weights(Path model) throws IOException {
        return Files.readAllBytes(model.resolve(ModelStore.WEIGHTS));
    }

    @Test
    void theDistilledLossReachesTheTasks() throws IOException {
        LoadedData data = TestLoads.shuffled(csv, 3);
        Model t = ModelStore.read(teacher);
        Distillation d = new Distillation(List.of(new Distillation.Teacher(t.parameters(), t.activation())), 3, 0.7,
                KernelKind.SIMD);
        TrainingSpec spec = DigitTrainer.builder().optimizer("adam").lr(0.01).iterations(1).labelSmoothing(0.1)
                .build().spec();
        SparkTrainer.Result r = SparkTrainer.train(data.blocks(), data.rows(), Initializer.HE.initialize(SHAPE, 6), spec,
                SparkTrainer.Monitors.NONE, d);
        Parameters initial = Initializer.HE.initialize(SHAPE, 6);
        GradientSum local = new GradientSum(SHAPE);
        GradientSum plain = new GradientSum(SHAPE);
        for (DigitBlock b : data.blocks().collect()) {
            KernelKind.SIMD.create(initial, Activation.RELU).accumulateGradient(b, null, 0, b.rows(), local, Dropout.NONE,
                    d.targets(b, null, 0, b.rows(), new LabelSmoothing(0.1)));
            KernelKind.SIMD.create(initial, Activation.RELU).accumulateGradient(b, null, 0, b.rows(), plain, Dropout.NONE,
                    new LabelSmoothing(0.1));
        }
        assertEquals(local.meanLoss(), r.history().get(0).loss(), 1e-12 * local.meanLoss(), "the distilled loss");
        assertTrue(Math.abs(plain.meanLoss() - r.history().get(0).loss()) > 1e-3, "not the labels' loss alone");
    }

    @Test
    void aStudentTrainsFromATeachersDirectoryTheSameBitsEveryRun() throws IOException {
        Path a = dir.resolve("student a");
        Path b = dir.resolve("student b");
        Path alone = dir.resolve("alone");
        Path local = dir.resolve("local steps");
        Path localAlone = dir.resolve("local steps alone");
        student().teacher(teacher.toString()).distillTemperature(3).distillWeight(0.7).out(a.toString()).build().fit();
        student().teacher(teacher.toString()).distillTemperature(3).distillWeight(0.7).out(b.toString()).build().fit();
        student().out(alone.toString()).build().fit();
        student().teachers(List.of(teacher.toString(), sigmoidTeacher.toString())).distillTemperature(3).distillWeight(0.7)
                .localSteps(3).out(local.toString()).build().fit();
        student().localSteps(3).out(localAlone.toString()).build().fit();
        assertArrayEquals(weights(a), weights(b), "a rerun is bit-identical");
        assertFalse(java.util.Arrays.equals(weights(a), weights(alone)), "the teacher changes the training");
        JsonNode m = new ObjectMapper().readTree(a.resolve(ModelStore.MODEL_JSON).toFile());   // its training settings
        JsonNode training = m.get("training");
        assertEquals(3.0, training.get("distill-temperature").asDouble());
        assertEquals(0.7, training.get("distill-weight").asDouble());
        JsonNode one = training.get("teacher").get(0);
        assertEquals(teacher.toString(), one.get("dir").asText());
        assertEquals(24, one.get("hidden").asInt());
        assertEquals(64, one.get("weights_sha256").asText().length());
        assertTrue(new ObjectMapper().readTree(alone.resolve(ModelStore.MODEL_JSON).toFile()).get("training").get("teacher") == null);
        JsonNode two = new ObjectMapper().readTree(local.resolve(ModelStore.MODEL_JSON).toFile()).get("training").get("teacher");
        assertEquals(2, two.size());
        assertEquals("sigmoid", two.get(1).get("activation").asText());
        assertEquals("relu", one.get("activation").asText());
        assertFalse(java.util.Arrays.equals(weights(local), weights(localAlone)), "local steps distil too");
    }

    @Test
    void badTeachersAreNamedBeforeTheDataIsRead() throws IOException {
        Path missing = dir.resolve("no such model");
        ModelException e = assertThrows(ModelException.class,
                () -> student().teacher(missing.toString()).out(dir.resolve("x").toString()).build().fit());
        assertTrue(e.getMessage().startsWith("--teacher " + missing + ": no such directory"), e.getMessage());
        Path other = dir.resolve("other inputs");
        NetworkShape small = new NetworkShape(100, 5, 10);
        ModelStore.write(other, new Model(Initializer.HE.initialize(small, 1), Activation.RELU, Map.of()), Map.of(),
                List.of("step,epoch,loss"));
        e = assertThrows(ModelException.class,
                () -> student().teacher(other.toString()).out(dir.resolve("y").toString()).build().fit());
        assertEquals("--teacher " + other + ": " + other.resolve("model.json") + ": inputs is 100, expected 784",
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("y")), "nothing written");
    }

    @Test
    void theDistillationSettingsAreCheckedWithTheirOptionsMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> student().distillWeight(0.3).build());
        assertEquals("--distill-weight sets the distillation of --teacher: give that too", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> student().teacher("a,,b").build());
        assertEquals("--teacher: an empty model directory in the list", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> student().teacher("t").distillWeight(1.5).build());
        assertEquals("--distill-weight must be in [0, 1], got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> student().teacher("t").distillTemperature(0).build());
        assertEquals("--distill-temperature must be in (0, inf), got 0", e.getMessage());
    }
}
