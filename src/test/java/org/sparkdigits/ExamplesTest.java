package org.sparkdigits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.examples.TrainAndScore;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/**
 * The programs in examples/java (compiled with the tests: the build adds that folder as a test source) run as written,
 * here on small generated CSVs with the header, as {@code ./submit.sh download} writes MNIST's, in the shared session.
 */
@Tag("spark-layer")
class ExamplesTest {

    @Test
    void trainAndScoreTrainsScoresSavesAndLoads(@TempDir Path dir) throws IOException {
        Path train = TestCsv.labelled(dir.resolve("train.csv"), 640, 11, true);
        Path test = TestCsv.labelled(dir.resolve("test.csv"), 200, 12, true);
        Path model = dir.resolve("model");
        DigitScores ev = TrainAndScore.run(SparkTestSession.get(), train.toString(), test.toString(), model.toString());
        assertEquals(200, ev.count());
        assertTrue(ev.accuracy() > 0.5, "the generated digits are learnable: " + ev.accuracy());
        for (String f : new String[] {"model.safetensors", "model.json", "metrics.json", "history.csv"}) {
            assertTrue(Files.isRegularFile(model.resolve(f)), f);
        }
        assertTrue(Files.readString(model.resolve("metrics.json")).contains("\"test_rows\" : 200"));
    }
}
