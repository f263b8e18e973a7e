package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.report.Sample;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TestLoads;

/** The samples gallery: the most confidently wrong rows of the whole data set first, then right ones. */
@Tag("spark-layer")
class GalleryTest {

    @TempDir
    static Path dir;

    @Test
    void picksTheMostConfidentlyWrongRowsOfAllPartitionsFirst() throws IOException {
        SparkTestSession.get();
        LoadedData d = TestLoads.shuffled(TestCsv.labelled(dir.resolve("g.csv"), 300, 5, false), 4);
        Parameters p = Initializer.HE.initialize(NetworkShape.mnist(12), 9);   // untrained: mostly wrong
        List<Sample> picked = Gallery.pick(d.blocks(), p, Activation.RELU, 10);
        assertEquals(10, picked.size());

        // every row on the driver, predicted by the same kernel
        List<Double> wrongConfidences = new ArrayList<>();
        int right = 0;
        for (DigitBlock b : d.blocks().collect()) {
            byte[] predicted = new byte[b.rows()];
            double[] probabilities = new double[b.rows() * 10];
            KernelKind.SIMD.create(p, Activation.RELU).predict(b, predicted, probabilities);
            for (int i = 0; i < b.rows(); i++) {
                if (predicted[i] != b.label(i)) {
                    wrongConfidences.add(probabilities[i * 10 + predicted[i]]);
                } else {
                    right++;
                }
            }
        }
        wrongConfidences.sort(Comparator.reverseOrder());
        int wrong = (int) picked.stream().filter(s -> !s.correct()).count();
        assertEquals(Math.min(wrongConfidences.size(), Math.max(5, 10 - right)), wrong);
        for (int i = 0; i < wrong; i++) {
            assertFalse(picked.get(i).correct(), "wrong ones come first");
            assertEquals(wrongConfidences.get(i), picked.get(i).confidence(), 0.0, "the " + i + "-th most confident wrong row");
        }
        for (Sample s : picked.subList(wrong, picked.size())) {
            assertTrue(s.correct());
        }
        for (Sample s : picked) {
            assertEquals(784, s.pixels().length);
            assertEquals(1.0, java.util.Arrays.stream(s.probabilities()).sum(), 1e-12);
        }
        d.unpersist();
    }
}
