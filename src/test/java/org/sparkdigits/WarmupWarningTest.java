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
import org.sparkdigits.core.optim.LearningRateSchedule;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.train.ScheduleSpec;

/**
 * A warm-up as long as the run or longer keeps the learning rate below its base value for the whole run: one WARN line
 * says so (the README's old library example did this on small data and reached 63%).
 */
@Tag("spark-layer")
class WarmupWarningTest {

    @TempDir
    static Path dir;

    @Test
    void theWarningNamesTheWarmUpTheStepsAndTheLastRate() {
        ScheduleSpec s = new ScheduleSpec(LearningRateSchedule.Kind.COSINE, 0.001, 500, 1000, 0.5);
        assertTrue(s.warmupWarning(501).isEmpty());
        assertEquals("--warmup 500 is as long as the run's 48 steps or longer: the learning rate climbs towards --lr 0.001 "
                + "for the whole run and ends at 9.60e-05 (it never reaches its base value); give a shorter --warmup or "
                + "more steps", s.warmupWarning(48).orElseThrow());
        assertTrue(s.warmupWarning(500).orElseThrow().contains("ends at 0.00100 (its base value at the last step only)"));
        assertTrue(new ScheduleSpec(LearningRateSchedule.Kind.CONSTANT, 0.1, 0, 1000, 0.5).warmupWarning(1).isEmpty());
    }

    @Test
    void aRunShorterThanItsWarmUpLogsOneWarning() throws IOException {
        SparkTestSession.get();
        Path csv = TestCsv.labelled(dir.resolve("rows.csv"), 300, 5, true);
        // 300 rows in batches of 64: 5 steps an epoch, 10 in 2 epochs
        assertEquals(List.of("--warmup 10 is as long as the run's 10 steps or longer: the learning rate climbs towards "
                + "--lr 0.01 for the whole run and ends at 0.0100 (its base value at the last step only); give a shorter "
                + "--warmup or more steps"), warnings(() -> run(csv, 10)));
        assertEquals(List.of(), warnings(() -> run(csv, 9)));
    }

    private static void run(Path csv, int warmup) {
        DigitTrainer.builder().data(csv.toString()).hidden(8).batchSize(64).epochs(2).optimizer("adam").lr(0.01)
                .warmup(warmup).partitions(2).seed(1).build().fit();
    }

    /** The warm-up warnings logged while {@code r} runs. */
    private static List<String> warnings(Runnable r) {
        List<String> lines = new CopyOnWriteArrayList<>();
        AbstractAppender capture = new AbstractAppender("warmup-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent e) {
                String m = e.getMessage().getFormattedMessage();
                if (e.getLevel() == Level.WARN && m.startsWith("--warmup")) {
                    lines.add(m);
                }
            }
        };
        capture.start();
        Logger logger = (Logger) LogManager.getLogger("org.sparkdigits.spark.TrainingRun");
        logger.addAppender(capture);
        try {
            r.run();
        } finally {
            logger.removeAppender(capture);
            capture.stop();
        }
        return lines;
    }
}
