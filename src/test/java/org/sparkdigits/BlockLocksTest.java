package org.sparkdigits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/**
 * Every task that reads the cached blocks releases their read locks: Spark's executor logs "N block locks were not
 * released by TID ..." for a task that ends holding one (an iterator over a cached partition left undrained), which a
 * library {@code fit} printed on every step.
 */
@Tag("spark-layer")
class BlockLocksTest {

    @TempDir
    static Path dir;

    @Test
    void fitEvaluateAndTransformReleaseEveryBlockLock() throws IOException {
        SparkTestSession.get();
        Path train = TestCsv.labelled(dir.resolve("train.csv"), 300, 41, true);
        Path test = TestCsv.labelled(dir.resolve("test.csv"), 60, 42, true);
        List<String> leaks = leaks(() -> {
            // full batch, mini-batch with a validation set, the test set and the charts written, and a model's scoring
            DigitTrainer.builder().data(train.toString()).test(test.toString()).hidden(8).iterations(3).logEvery(1)
                    .partitions(2).seed(1).build().fit();
            DigitModel m = DigitTrainer.builder().data(train.toString()).test(test.toString()).hidden(8).batchSize(64)
                    .epochs(2).validationRows(50).partitions(2).seed(1).out(dir.resolve("m").toString()).build().fit();
            m.evaluate(test.toString(), "auto", "fail");
        });
        assertEquals(List.of(), leaks);
    }

    /** Spark's "block locks were not released" lines logged while {@code r} runs. */
    private static List<String> leaks(Runnable r) {
        List<String> lines = new CopyOnWriteArrayList<>();
        AbstractAppender capture = new AbstractAppender("lock-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent e) {
                String m = e.getMessage().getFormattedMessage();
                if (m.contains("block locks were not released")) {
                    lines.add(m);
                }
            }
        };
        capture.start();
        Logger logger = (Logger) LogManager.getLogger("org.apache.spark.executor.Executor");
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addAppender(capture);
        try {
            r.run();
        } finally {
            logger.removeAppender(capture);
            logger.setLevel(level);
            capture.stop();
        }
        return lines;
    }
}
