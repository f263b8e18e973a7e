package org.sparkdigits.checkpoint;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.core.optim.WeightAverage;
import org.sparkdigits.train.EarlyStopping;
import org.sparkdigits.train.History;

/**
 * Everything that decides the rest of a run, and its checkpoint form: the weights, the optimiser's state, the
 * average of the weights ({@code --ema}), the history so far (with the sums pending since its last row) and the
 * early-stopping state, all live (the loop updates them in place). The position (step, epoch, step within the epoch,
 * time spent) is given when a checkpoint is made and read back from it. There is no random generator state: batches,
 * masks and initialisation are pure functions of the seed and the position.
 */
public record TrainingState(Parameters weights, Optimizer optimizer, WeightAverage average, History history,
                            EarlyStopping early) {

    /** Without an average of the weights. */
    public TrainingState(Parameters weights, Optimizer optimizer, History history, EarlyStopping early) {
        this(weights, optimizer, null, history, early);
    }

    /** The weights evaluations and the result use: the average with {@code --ema} (a copy), else the weights. */
    public Parameters evaluated() {
        return average == null ? weights : new Parameters(weights.shape(), average.values().clone());
    }

    /** Numbers per history row in a checkpoint. */
    static final int HISTORY_FIELDS = History.FIELDS;

    /**
     * Where a run is: {@code step} steps done, {@code position} of them in {@code epoch}, after {@code elapsedMs} of
     * training (in this process and the ones it resumed).
     */
    public record Position(long step, int epoch, int position, long elapsedMs) {
    }

    /** This state at {@code at}, as a checkpoint of the run {@code fingerprint}. */
    public Checkpoint checkpoint(String fingerprint, Position at) {
        Map<String, Double> c = new LinkedHashMap<>();
        c.put("step", (double) at.step());
        c.put("epoch", (double) at.epoch());
        c.put("position", (double) at.position());
        c.put("elapsed_ms", (double) at.elapsedMs());
        c.put("pending_rows", (double) history.pendingRows());
        c.put("pending_correct", (double) history.pendingCorrect());
        EarlyStopping.State e = early.state();
        c.put("best_step", (double) e.bestStep());
        c.put("without_improvement", (double) e.withoutImprovement());
        c.put("stop", e.stopped() ? 1.0 : 0.0);
        Map<String, double[]> a = new LinkedHashMap<>();
        a.put("theta", weights.values().clone());
        optimizer.state().forEach((k, v) -> a.put("optimizer." + k, v.clone()));
        if (average != null) {
            a.put("ema", average.values().clone());
            c.put("ema_updates", (double) average.updates());
        }
        a.put("history", history.flatten());
        a.put("pending_loss", new double[] {history.rawPendingLoss()});
        a.put("best_loss", new double[] {e.bestLoss()});
        if (e.best() != null) {
            a.put("best", e.best().values().clone());
        }
        return new Checkpoint(fingerprint, c, a);
    }

    /**
     * Restores checkpoint {@code c} (checked with {@link #problem} first) into this state's live weights, optimiser,
     * history and early stopping; returns its position.
     */
    public Position restore(Checkpoint c) {
        Map<String, double[]> a = c.arrays();
        System.arraycopy(a.get("theta"), 0, weights.values(), 0, weights.values().length);
        Map<String, double[]> state = new HashMap<>();
        a.forEach((k, v) -> {
            if (k.startsWith("optimizer.")) {
                state.put(k.substring("optimizer.".length()), v);
            }
        });
        optimizer.restore(state);
        if (average != null) {
            average.restore(a.get("ema"), (long) c.counter("ema_updates"));
        }
        history.restore(a.get("history"), a.get("pending_loss")[0], (long) c.counter("pending_rows"),
                (long) c.counter("pending_correct"));
        early.restore(new EarlyStopping.State(a.get("best_loss")[0],
                a.containsKey("best") ? new Parameters(weights.shape(), a.get("best").clone()) : null,
                (long) c.counter("best_step"), (int) c.counter("without_improvement"), c.counter("stop") != 0));
        return new Position((long) c.counter("step"), (int) c.counter("epoch"), (int) c.counter("position"),
                (long) c.counter("elapsed_ms"));
    }

    /** The largest file a checkpoint of this state can be, for a run of {@code totalSteps} steps. */
    public long maxCheckpointBytes(long totalSteps) {
        long params = weights.values().length;
        long doubles = params * (2 + optimizer.state().size() + (average == null ? 0 : 1))
                + HISTORY_FIELDS * (totalSteps + 1) + 16;
        return 64 + Checkpoint.MAX_HEADER + 8 * doubles;
    }

    /**
     * What makes checkpoint {@code c} unfit for this run, or {@code null}: every counter present, whole and in range
     * (the step within the run, the epoch and position within their bounds), every vector of this network's length.
     *
     * @param totalSteps steps of the whole run
     * @param perEpoch   steps per epoch (mini-batch), 0 for full batch
     * @param epochs     epochs of the run (mini-batch)
     */
    public String problem(Checkpoint c, long totalSteps, int perEpoch, int epochs) {
        Map<String, Double> k = c.counters();
        for (String name : List.of("step", "epoch", "position", "elapsed_ms", "pending_rows", "pending_correct",
                "best_step", "without_improvement", "stop")) {
            Double v = k.get(name);
            if (v == null || !Double.isFinite(v) || v != Math.rint(v)) {
                return "counter " + name + " is " + (v == null ? "missing" : "not a whole number (" + v + ")");
            }
        }
        long step = k.get("step").longValue();
        if (step < 1 || step > totalSteps) {
            return "step " + step + " is outside this run's 1-" + totalSteps;
        }
        if (perEpoch > 0) {
            long epoch = k.get("epoch").longValue();
            long position = k.get("position").longValue();
            if (epoch < 0 || epoch >= epochs || position < 0 || position > perEpoch || epoch * perEpoch + position != step) {
                return "epoch " + epoch + ", position " + position + " do not make step " + step + " of " + perEpoch
                        + " steps per epoch";
            }
        }
        if (k.get("pending_rows") < 0 || k.get("pending_correct") < 0 || k.get("pending_correct") > k.get("pending_rows")
                || k.get("best_step") < -1 || k.get("best_step") > step || k.get("without_improvement") < 0
                || k.get("elapsed_ms") < 0) {
            return "its counters are out of range";
        }
        Map<String, double[]> a = c.arrays();
        int n = weights.values().length;
        if (a.get("theta") == null || a.get("theta").length != n) {
            return "theta " + (a.get("theta") == null ? "is missing" : "has " + a.get("theta").length + " values, not " + n);
        }
        if (a.containsKey("best") && a.get("best").length != n) {
            return "best has " + a.get("best").length + " values, not " + n;
        }
        for (Map.Entry<String, double[]> e : optimizer.state().entrySet()) {
            double[] saved = a.get("optimizer." + e.getKey());
            if (saved == null || saved.length != e.getValue().length) {
                return "optimizer state " + e.getKey() + " is missing or of another length";
            }
        }
        if (average != null) {
            Double updates = k.get("ema_updates");
            if (a.get("ema") == null || a.get("ema").length != n || updates == null || updates != Math.rint(updates)
                    || updates < 0 || updates > step) {
                return "its average of the weights (--ema) is missing or malformed";
            }
        }
        double[] h = a.get("history");
        if (h == null || h.length % HISTORY_FIELDS != 0 || h.length / HISTORY_FIELDS > step + 1) {
            return "its history is missing or malformed";
        }
        for (String one : List.of("pending_loss", "best_loss")) {
            if (a.get(one) == null || a.get(one).length != 1) {
                return one + " is missing";
            }
        }
        return null;
    }
}
