package org.sparkdigits.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.io.InputException;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.train.Engine;
import org.sparkdigits.train.EngineSpec;
import org.sparkdigits.train.TrainingSpec;

/**
 * {@code --engine}: which engine a run uses and why, decided before any step; the collective engine where Spark can
 * gang-schedule a barrier stage of all the partitions, a quick one-line refusal of {@code collective} where it cannot.
 */
@Tag("spark-layer")
class EngineChoiceTest {

    static SparkContext sc;

    @BeforeAll
    static void session() {
        sc = SparkTestSession.get().sparkContext();
    }

    private static TrainingSpec miniBatch(String engine) {
        return DigitTrainer.builder().batchSize(32).epochs(1).engine(engine).build().spec();
    }

    @Test
    void slotsAreCountedAsSparkCountsThemForABarrierStage() {
        assertEquals(2, EngineChoice.slots(sc), "local[2]: two task slots");
        assertTrue(EngineChoice.local(sc.getConf()));
        assertFalse(EngineChoice.dynamicAllocation(sc.getConf()));
    }

    @Test
    void autoPicksCollectiveWhenEveryPartitionHasASlot() {
        EngineChoice c = EngineChoice.resolve(sc, 2, miniBatch("auto"));
        assertEquals(Engine.COLLECTIVE, c.engine());
        assertEquals("auto: a barrier stage of 2 tasks fits in the cluster's 2 task slots", c.reason());
        EngineChoice asked = EngineChoice.resolve(sc, 1, miniBatch("collective"));
        assertEquals(Engine.COLLECTIVE, asked.engine());
        assertEquals("asked for: a barrier stage of 1 task fits in the cluster's 2 task slots", asked.reason());
    }

    @Test
    void autoFallsBackToJobsWhenThePartitionsOutnumberTheSlots() {
        EngineChoice c = EngineChoice.resolve(sc, 4, miniBatch("auto"));
        assertEquals(Engine.JOBS, c.engine());
        assertEquals("auto: the cluster has 2 task slots for 4 partitions: a barrier stage needs all at once (lower "
                + "--partitions to 2, or add executors/cores)", c.reason());
    }

    @Test
    void collectiveWhereItCannotRunIsAOneLineErrorNotSparksRetries() {
        InputException e = assertThrows(InputException.class, () -> EngineChoice.resolve(sc, 4, miniBatch("collective")));
        assertEquals("--engine collective: the cluster has 2 task slots for 4 partitions: a barrier stage needs all at "
                + "once (lower --partitions to 2, or add executors/cores); use --engine jobs or auto", e.getMessage());
    }

    @Test
    void jobsIsTakenAsAskedAndTheStepsDecideBeforeTheCluster() {
        assertEquals(new EngineChoice(Engine.JOBS, "asked for"), EngineChoice.resolve(sc, 400, miniBatch("jobs")));
        TrainingSpec full = DigitTrainer.builder().engine("auto").build().spec();
        assertEquals(new EngineChoice(Engine.COLLECTIVE, "auto: a barrier stage of 2 tasks fits in the cluster's 2 task "
                + "slots"), EngineChoice.resolve(sc, 2, full), "full-batch steps run collectively too");
        TrainingSpec lbfgs = DigitTrainer.builder().engine("auto").optimizer("lbfgs").build().spec();
        assertEquals("auto: lbfgs keeps its line search on the jobs engine", EngineChoice.resolve(sc, 2, lbfgs).reason());
        TrainingSpec local = DigitTrainer.builder().engine("auto").batchSize(32).epochs(1).localSteps(3).build().spec();
        assertEquals("auto: --local-steps 3 averages its rounds on the jobs engine",
                EngineChoice.resolve(sc, 2, local).reason());
    }

    @Test
    void dynamicAllocationRulesOutABarrierStageAsSparkDecidesIt() {
        SparkConf yarn = sc.getConf().clone().setMaster("yarn").set("spark.dynamicAllocation.enabled", "true");
        assertTrue(EngineChoice.dynamicAllocation(yarn));
        // Spark ignores dynamic allocation on a local master (unless testing it), and so does the choice
        assertFalse(EngineChoice.dynamicAllocation(sc.getConf().clone().set("spark.dynamicAllocation.enabled", "true")));
        assertTrue(EngineChoice.dynamicAllocation(sc.getConf().clone().set("spark.dynamicAllocation.enabled", "true")
                .set("spark.dynamicAllocation.testing", "true")));
        assertFalse(EngineChoice.dynamicAllocation(yarn.clone().set("spark.dynamicAllocation.enabled", "false")));
        String reason = "dynamic allocation is on (spark.dynamicAllocation.enabled=true): barrier stages need a fixed "
                + "set of executors";
        assertEquals(new EngineChoice(Engine.JOBS, "auto: " + reason),
                EngineChoice.decide(Engine.AUTO, null, true, 100, 2, 0));
        InputException e = assertThrows(InputException.class,
                () -> EngineChoice.decide(Engine.COLLECTIVE, null, true, 100, 2, 0));
        assertEquals("--engine collective: " + reason + "; use --engine jobs or auto", e.getMessage());
    }

    @Test
    void theDecisionOfEveryCase() {
        assertEquals(Engine.COLLECTIVE, EngineChoice.decide(Engine.AUTO, null, false, 8, 8, 0).engine());
        assertEquals(Engine.JOBS, EngineChoice.decide(Engine.JOBS, null, false, 8, 8, 0).engine());
        assertEquals("auto: the cluster has 0 task slots for 4 partitions (after waiting 5 s for executors to register): "
                + "a barrier stage needs all at once (lower --partitions to 1, or add executors/cores)",
                EngineChoice.decide(Engine.AUTO, null, false, 0, 4, 5_000).reason());
        assertEquals("auto: the cluster has 1 task slot for 3 partitions: a barrier stage needs all at once (lower "
                + "--partitions to 1, or add executors/cores)", EngineChoice.decide(Engine.AUTO, null, false, 1, 3, 0)
                .reason());
        assertThrows(IllegalArgumentException.class, () -> new EngineChoice(Engine.AUTO, "never"));
    }

    @Test
    void theEngineStaysOutOfTheFingerprintSoARunMayResumeOnTheOther() {
        TrainingSpec jobs = miniBatch("jobs");
        for (Engine e : List.of(Engine.COLLECTIVE, Engine.AUTO)) {
            TrainingSpec other = jobs.with(new EngineSpec(e));
            assertEquals(org.sparkdigits.TrainOption.recorded(jobs), org.sparkdigits.TrainOption.recorded(other));
        }
        assertFalse(org.sparkdigits.TrainOption.recorded(jobs).toString().contains("engine"));
    }
}
