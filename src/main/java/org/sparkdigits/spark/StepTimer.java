package org.sparkdigits.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the driver's time per step goes, phase by phase (wall time, one {@link #lap()} per step or round): laying out
 * the weights for the kernel, creating their broadcast, the gradient job (tasks, their results, the ordered sum),
 * the optimiser's update and destroying the broadcast. Two {@code nanoTime} calls per phase: always on.
 */
final class StepTimer {

    /** The phases of a step in their order. */
    static final List<String> PHASES = List.of("weights", "broadcast", "job", "update", "destroy");

    private final List<double[]> laps = new ArrayList<>();

    /** Starts timing one step; {@link Lap#mark} ends each phase in {@link #PHASES} order. */
    Lap lap() {
        return new Lap();
    }

    /** Steps timed. */
    int count() {
        return laps.size();
    }

    /**
     * The median of each phase over the steps timed from index {@code from} on (ms), with {@code "total"}: an empty
     * map when there are none.
     */
    Map<String, Double> medians(int from) {
        Map<String, Double> out = new LinkedHashMap<>();
        List<double[]> kept = laps.subList(Math.min(from, laps.size()), laps.size());
        if (kept.isEmpty()) {
            return out;
        }
        for (int p = 0; p <= PHASES.size(); p++) {
            double[] v = new double[kept.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = kept.get(i)[p];
            }
            out.put(p < PHASES.size() ? PHASES.get(p) : "total", Math.round(median(v) * 100) / 100.0);
        }
        return out;
    }

    /** The median of {@code values} (NaN when empty). */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** {@link #medians} in words, for the log. */
    static String describe(Map<String, Double> medians) {
        StringBuilder s = new StringBuilder();
        medians.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%.2f", v)));
        return s.toString();
    }

    /** One step's phases. */
    final class Lap {
        private final double[] ms = new double[PHASES.size() + 1];
        private final long start = System.nanoTime();
        private long last = start;
        private int phase;

        /** Ends the current phase (they come in {@link #PHASES} order); after the last one the lap is recorded. */
        void mark() {
            long now = System.nanoTime();
            ms[phase++] = (now - last) / 1e6;
            last = now;
            if (phase == PHASES.size()) {
                ms[PHASES.size()] = (now - start) / 1e6;
                laps.add(ms);
            }
        }

        @Override
        public String toString() {
            return Arrays.toString(ms);
        }
    }
}
