package org.sparkdigits.spark;

import java.util.Locale;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.sparkdigits.io.InputException;
import org.sparkdigits.train.Engine;
import org.sparkdigits.train.EngineSpec;
import org.sparkdigits.train.TrainingSpec;

/**
 * Which engine a run uses, and why ({@code --engine}), decided before any step.
 *
 * <p>The collective engine runs each segment of steps as one Spark barrier stage, which Spark starts only when it can
 * gang-schedule every partition's task at once and refuses under dynamic allocation. Spark's own refusal comes late:
 * it retries a barrier stage that does not fit ({@code spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures},
 * 40 times 15 s) before failing the job. Here the same checks are made in advance, so that {@code auto} falls back to
 * the jobs engine saying why, and {@code --engine collective} fails within seconds with a one-line error.
 *
 * @param engine {@link Engine#COLLECTIVE} or {@link Engine#JOBS}, never {@link Engine#AUTO}
 * @param reason why, for the log and metrics.json: {@code asked for}, or {@code auto: ...} with what decided it
 */
public record EngineChoice(Engine engine, String reason) {

    /**
     * How long a cluster whose executors are still registering is given before its task slots are judged: Spark's own
     * {@value #REGISTRATION_WAIT} (how long its scheduler waits for executors to register), 30 s by default. Executors
     * of a fresh standalone application register some 10 s after the driver starts, later on a busy machine.
     */
    static final String REGISTRATION_WAIT = "spark.scheduler.maxRegisteredResourcesWaitingTime";

    static long registrationWaitMs(SparkConf conf) {
        try {
            return Math.max(0, org.apache.spark.network.util.JavaUtils.timeStringAsMs(conf.get(REGISTRATION_WAIT, "30s")));
        } catch (RuntimeException e) {
            return 30_000;   // Spark itself refuses such a value when it starts
        }
    }

    public EngineChoice {
        if (engine == Engine.AUTO) {
            throw new IllegalArgumentException("a choice of engine is collective or jobs, not auto");
        }
    }

    /**
     * Resolves the engine {@code spec} asks for on this SparkContext for a stage of {@code partitions} tasks:
     * <ul>
     *   <li>{@code jobs}: jobs, asked for;</li>
     *   <li>{@code collective} or {@code auto}: collective when the steps are synchronous mini-batch steps
     *       ({@link EngineSpec#jobsOnly}) and the cluster can gang-schedule a barrier stage of {@code partitions} tasks:
     *       dynamic allocation off, and at least {@code partitions} concurrent task slots (a cluster whose executors
     *       are still registering is waited for, {@value #REGISTRATION_WAIT} at most);</li>
     *   <li>{@code auto} otherwise: jobs, the reason saying why;</li>
     *   <li>{@code collective} otherwise: an {@link InputException} naming the reason.</li>
     * </ul>
     *
     * @throws InputException for {@code --engine collective} where it cannot run
     */
    public static EngineChoice resolve(SparkContext sc, int partitions, TrainingSpec spec) {
        return resolve(sc, partitions, spec, registrationWaitMs(sc.getConf()));
    }

    static EngineChoice resolve(SparkContext sc, int partitions, TrainingSpec spec, long waitMs) {
        Engine requested = spec.engine().engine();
        if (requested == Engine.JOBS) {
            return new EngineChoice(Engine.JOBS, "asked for");
        }
        String refusal = EngineSpec.refusal(spec.loop(), spec.optimizer().kind());
        if (requested == Engine.COLLECTIVE && refusal != null) {
            throw new InputException(refusal);   // the spec refuses it too: a spec made otherwise still ends here
        }
        String steps = EngineSpec.jobsOnly(spec.loop(), spec.optimizer().kind());
        if (steps != null) {   // the cluster does not matter
            return decide(requested, steps, false, partitions, partitions, 0);
        }
        SparkConf conf = sc.getConf();
        if (dynamicAllocation(conf)) {
            return decide(requested, null, true, 0, partitions, 0);
        }
        int slots = slots(sc);
        long waited = 0;
        if (slots < partitions && !local(conf)) {
            // executors may still be registering (a fresh cluster, or ones lost and replaced): give them a moment
            long deadline = System.nanoTime() + waitMs * 1_000_000;
            while (slots < partitions && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                slots = slots(sc);
            }
            waited = slots < partitions ? waitMs : 0;
        }
        return decide(requested, null, false, slots, partitions, waited);
    }

    /**
     * The decision, given what was asked and what the run and the cluster are.
     *
     * @param steps             why the steps stay on the jobs engine ({@link EngineSpec#jobsOnly}), or {@code null}
     * @param dynamicAllocation whether Spark's dynamic allocation is on (it refuses barrier stages)
     * @param slots             the tasks the cluster runs at once
     * @param waitedMs          how long executors were waited for before the slots were counted (0: not waited)
     * @throws InputException for {@code collective} where it cannot run
     */
    static EngineChoice decide(Engine requested, String steps, boolean dynamicAllocation, int slots, int partitions,
                               long waitedMs) {
        if (requested == Engine.JOBS) {
            return new EngineChoice(Engine.JOBS, "asked for");
        }
        String against;
        if (steps != null) {
            if (requested == Engine.COLLECTIVE) {
                throw new InputException("--engine collective: " + steps + "; use --engine jobs or auto");
            }
            return new EngineChoice(Engine.JOBS, "auto: " + steps);
        } else if (dynamicAllocation) {
            against = "dynamic allocation is on (spark.dynamicAllocation.enabled=true): barrier stages need a fixed set "
                    + "of executors";
        } else if (slots < partitions) {
            against = String.format(Locale.ROOT, "the cluster has %d task slot%s for %d partitions%s: a barrier stage "
                    + "needs all at once (lower --partitions to %d, or add executors/cores)", slots, slots == 1 ? "" : "s",
                    partitions, waitedMs > 0 ? " (after waiting " + (waitedMs % 1000 == 0 ? waitedMs / 1000 + " s" : waitedMs + " ms")
                            + " for executors to register)"
                            : "", Math.max(1, slots));
        } else {
            String fits = String.format(Locale.ROOT, "a barrier stage of %d task%s fits in the cluster's %d task slot%s",
                    partitions, partitions == 1 ? "" : "s", slots, slots == 1 ? "" : "s");
            return new EngineChoice(Engine.COLLECTIVE, (requested == Engine.AUTO ? "auto: " : "asked for: ") + fits);
        }
        if (requested == Engine.COLLECTIVE) {
            throw new InputException("--engine collective: " + against + "; use --engine jobs or auto");
        }
        return new EngineChoice(Engine.JOBS, "auto: " + against);
    }

    /**
     * Whether Spark refuses barrier stages for dynamic allocation under {@code conf}: as Spark decides it, on when
     * {@code spark.dynamicAllocation.enabled} is, except on a {@code local} master (where Spark ignores it unless
     * {@code spark.dynamicAllocation.testing} is set).
     */
    static boolean dynamicAllocation(SparkConf conf) {
        return conf.getBoolean("spark.dynamicAllocation.enabled", false)
                && (!local(conf) || conf.getBoolean("spark.dynamicAllocation.testing", false));
    }

    /** Whether the master is {@code local}, {@code local[N]}, {@code local[*]} or {@code local[N,F]}, as Spark says it. */
    static boolean local(SparkConf conf) {
        String master = conf.get("spark.master", "");
        return master.equals("local") || master.startsWith("local[");
    }

    /**
     * The tasks of the default resource profile the cluster runs at once, as Spark counts them before it starts a
     * barrier stage: on a {@code local[N]} master N (all processors for {@code *}) over {@code spark.task.cpus}; on a
     * cluster the registered executors' cores over {@code spark.task.cpus}.
     */
    static int slots(SparkContext sc) {
        return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
    }
}
