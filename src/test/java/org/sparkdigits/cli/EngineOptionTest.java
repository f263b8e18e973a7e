package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.report.TrainingMetrics;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.train.Engine;

/** {@code train --engine collective|jobs|auto}: parsed, refused where it cannot run, and recorded in metrics.json. */
class EngineOptionTest {

    @TempDir
    Path dir;

    private static JsonNode metrics(Path model) throws IOException {
        return new ObjectMapper().readTree(Files.readString(model.resolve("metrics.json")));
    }

    @Test
    void aBadEngineIsAUsageErrorNamingTheChoices() {
        CliRun r = CliRun.of("train", "--engine", "bogus");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: --engine must be one of collective, jobs, auto, got 'bogus'"), r.err());
        CliRun lbfgs = CliRun.of("train", "--engine", "collective", "--optimizer", "lbfgs");
        assertEquals(2, lbfgs.code(), lbfgs.err());
        assertTrue(lbfgs.err().startsWith("error: --engine collective runs gradient steps (sgd, momentum, nesterov, adam "
                + "or adamw): lbfgs keeps its line search on the jobs engine; use --engine jobs or auto"), lbfgs.err());
        assertTrue(CliRun.of("train", "--help").out().contains("--engine"));
        assertEquals(Engine.AUTO, DigitTrainer.builder().build().spec().engine().engine(), "the default");
        assertEquals(Engine.AUTO, DigitTrainer.builder().engine("AUTO").build().spec().engine().engine());
    }

    @Test
    void metricsJsonSaysWhichEngineRanAndWhy() throws IOException {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("rows.csv"), 120, 5, true);
        String[] common = {"train", "--data", data.toString(), "--hidden", "8", "--log-every", "1", "--holdout", "20"};
        CliRun jobs = CliRun.of(concat(common, "--iterations", "2", "--engine", "jobs", "--out",
                dir.resolve("jobs").toString()));
        assertEquals(0, jobs.code(), jobs.err());
        JsonNode m = metrics(dir.resolve("jobs"));
        assertEquals("jobs", m.get("engine").asText(), m.toString());
        assertEquals("jobs", m.get("engine_requested").asText());
        assertEquals("asked for", m.get("engine_reason").asText());

        CliRun auto = CliRun.of(concat(common, "--iterations", "2", "--engine", "auto", "--out",
                dir.resolve("auto").toString()));
        assertEquals(0, auto.code(), auto.err());
        JsonNode a = metrics(dir.resolve("auto"));
        assertEquals("collective", a.get("engine").asText(), a.toString());
        assertEquals("auto", a.get("engine_requested").asText());
        assertTrue(a.get("engine_reason").asText().startsWith("auto: a barrier stage of "), a.toString());
        TrainingMetrics read = TrainingMetrics.fromJson(a);
        assertEquals(new TrainingMetrics.EngineUse("collective", "auto", a.get("engine_reason").asText()), read.engine());
        CliRun line = CliRun.of(concat(common, "--iterations", "2", "--optimizer", "lbfgs", "--engine", "auto", "--out",
                dir.resolve("auto-lbfgs").toString()));
        assertEquals(0, line.code(), line.err());
        assertEquals(new TrainingMetrics.EngineUse("jobs", "auto", "auto: lbfgs keeps its line search on the jobs engine"),
                TrainingMetrics.fromJson(metrics(dir.resolve("auto-lbfgs"))).engine());
        // the model's training settings, and so the checkpoints' fingerprint, do not name the engine
        assertFalse(Files.readString(dir.resolve("auto/model.json")).contains("engine"));

        // more partitions than local[2] has slots: auto trains on jobs, saying why
        CliRun wide = CliRun.of(concat(common, "--batch-size", "25", "--epochs", "1", "--partitions", "4", "--engine",
                "auto", "--out", dir.resolve("wide").toString()));
        assertEquals(0, wide.code(), wide.err());
        JsonNode w = metrics(dir.resolve("wide"));
        assertEquals("jobs", w.get("engine").asText(), w.toString());
        assertTrue(w.get("engine_reason").asText().startsWith("auto: the cluster has 2 task slots for 4 partitions"),
                w.toString());
    }

    @Test
    void collectiveOnTooFewSlotsFailsBeforeTheLoadWithOneLine() throws IOException {
        SparkTestSession.get();
        Path data = TestCsv.labelled(dir.resolve("rows.csv"), 60, 6, true);
        CliRun r = CliRun.of("train", "--data", data.toString(), "--batch-size", "10", "--epochs", "1", "--partitions", "4",
                "--engine", "collective", "--out", dir.resolve("m").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: --engine collective: the cluster has 2 task slots for 4 partitions: a "
                + "barrier stage needs all at once (lower --partitions to 2, or add executors/cores); use --engine jobs "
                + "or auto"), r.err());
        assertFalse(Files.exists(dir.resolve("m/model.json")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
