package org.sparkdigits.spark;

import org.sparkdigits.spark.load.ScalaCollections;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.Dropout;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.KernelWeights;
import org.sparkdigits.core.kernel.Shards;
import org.sparkdigits.core.loss.Regularization;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.core.optim.WeightAverage;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

/**
 * The collective engine's synchronous mini-batch steps: one barrier stage runs a segment of steps (up to the next
 * evaluation, checkpoint or end of epoch), its P tasks (one per partition, all running at once) exchanging their
 * gradient sums among themselves for every step instead of sending them to the driver.
 *
 * <p>Each task, for every step of the segment, computes its partition's sum over its slice of the step (the same
 * kernel call on the same rows as the jobs engine's task: the permutation, the slice, the dropout masks, the targets,
 * dense or compact by the same rule). Then, past 64 hidden units ({@link #sharded}: the step is shared out, as in
 * ZeRO), each task owns a {@link Shards shard} of the parameters:
 * <pre>
 *   reduce-scatter   each task sends every owner its part of its sum (GradientSum.part: the owner's rows of W1,
 *                    a compact sum's rows sliced to the owner's units, and its share of the rest) (Exchange.allToAll)
 *   add              each owner adds the P parts in partition order, exactly as OrderedAggregation adds the sums
 *                    (one fold, or groups of 32 folded and the groups folded), and divides once
 *   update           each owner applies L2, the optimiser and the weights' average to its shard only, with its shard
 *                    of their state
 *   all-gather       each owner sends its new weights to every task: W1's columns of its units in the kernel's
 *                    layout (float for the float kernel), the rest as doubles; every task updates its layout in place
 * </pre>
 * At 64 hidden units or fewer (or one task) every task receives every sum ({@link Exchange#allGather}), adds them in
 * the same order and applies the whole update. Either way every task holds the same weights after every step, the
 * same bits as the jobs engine's driver. At the end of the segment rank 0 returns the steps' sums and phases, every
 * task its shards of the weights and of the optimiser's state (with shards), and the driver puts them together,
 * evaluates, checkpoints and logs as for the jobs engine.
 */
final class CollectiveSteps {

    private CollectiveSteps() {
    }

    /**
     * Where a segment starts: the weights, the optimiser's state and the weights' average, as the driver holds them.
     * Broadcast once per segment.
     */
    @DefaultSerializer(JavaSerializer.class)
    record Start(double[] theta, Map<String, double[]> optimizer, double[] ema, long emaUpdates) implements Serializable {
    }

    /**
     * What a segment runs: steps {@code first..last-1} of epoch {@code epoch} (global step numbers from
     * {@code firstStep + 1}), each with its learning rate; full batch ({@code plan} null): iterations
     * {@code firstStep + 1..}, each over every row with its own distortions and dropout masks ({@code epoch} 0).
     */
    @DefaultSerializer(JavaSerializer.class)
    record Segment(int epoch, int first, int last, long firstStep, double[] rates, BatchPlan plan, long seed,
                   double dropout, Optimizer.Kind optimizer, double momentum, double beta1, double beta2, double eps,
                   double weightDecay, double coupledL2, double emaDecay) implements Serializable {

        int steps() {
            return last - first;
        }

        /** Its steps in words: "epoch 2 steps 11-20", or "iterations 11-20" (full batch). */
        String where() {
            return plan == null ? "iterations " + (firstStep + 1) + "-" + (firstStep + steps())
                    : "epoch " + (epoch + 1) + " steps " + (first + 1) + "-" + last;
        }

        Optimizer.Settings settings() {
            return new Optimizer.Settings(optimizer, momentum, beta1, beta2, eps, weightDecay);
        }
    }

    /**
     * What the segment ends with: the state after its last step (or before the step whose loss was not finite), and
     * each step's sums (loss, rows, correct) in step order.
     *
     * @param diverged the index (in the segment) of the step whose summed loss was not finite, or -1
     * @param phaseMs  rank 0's wall time in each of {@link #PHASES} over the segment's steps (ms)
     * @param meshBytes the most bytes any task sent to its peers over the segment, and the most any received
     */
    @DefaultSerializer(JavaSerializer.class)
    record Outcome(double[] theta, Map<String, double[]> optimizer, double[] ema, long emaUpdates, double[] loss,
                   long[] count, long[] correct, int diverged, double[] phaseMs, long[] meshBytes) implements Serializable {

        Outcome withMeshBytes(long[] bytes) {
            return new Outcome(theta, optimizer, ema, emaUpdates, loss, count, correct, diverged, phaseMs, bytes);
        }
    }

    /**
     * The phases of a task's step: laying out the weights for the kernel, the gradient of its slice, the exchange of the
     * sums (serialized, sent, received), adding them up and dividing, the update (L2, optimiser, average), and the
     * exchange of the owners' new weights (0 without shards).
     */
    static final List<String> PHASES = List.of("weights", "gradient", "exchange", "sum", "update", "gather");

    /**
     * What a task returns: rank 0 the whole {@link Outcome}; with {@link Shards} every rank also (rank 0 included) its
     * shard of the weights, of the optimiser's state and of the weights' average ({@link Shards#gather} order; the
     * optimiser's counters, arrays not of the parameters' length, whole). (A task's weights outside its shard may be
     * stale: the tasks exchange the kernel's layout of {@code W1}, not the flat weights.)
     */
    @DefaultSerializer(JavaSerializer.class)
    record TaskResult(int rank, Outcome outcome, Map<String, double[]> optimizerPart, double[] emaPart,
                      double[] thetaPart, long[] meshBytes) implements Serializable {
    }

    /** One exchange of every task's bytes with every other's, once per step. */
    interface Exchange extends AutoCloseable {
        /** Every rank's bytes, by rank. */
        byte[][] allGather(byte[] mine) throws IOException;

        /** {@code outgoing[q]} to each rank {@code q}; every rank's bytes for this one, by rank. */
        byte[][] allToAll(byte[][] outgoing) throws IOException;

        /** The bytes this rank has sent to its peers and received from them so far: {@code {sent, received}}. */
        default long[] bytes() {
            return new long[2];
        }

        @Override
        default void close() {
        }
    }

    /** Opens a task's exchange with its peers (after the one rendezvous of the barrier stage). */
    interface Exchanges extends Serializable {
        Exchange open(BarrierTaskContext context) throws IOException;

        /** Rank 0's channel to the driver for live progress, or {@code null} for none. */
        default Reporter reporter() throws IOException {
            return null;
        }
    }

    /** Where rank 0 sends each step's sums as it goes: the driver logs them and tells its listener, live. */
    interface Reporter extends AutoCloseable {
        void send(byte[] message) throws IOException;

        @Override
        void close();
    }

    /** A step's sums as rank 0 reports them: its index in the segment, the summed loss, the rows, the correct ones. */
    record Step(int index, double loss, long count, long correct) {

        byte[] bytes() {
            return java.nio.ByteBuffer.allocate(28).putInt(index).putDouble(loss).putLong(count).putLong(correct).array();
        }

        static Step of(byte[] b) {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
            return new Step(in.getInt(), in.getDouble(), in.getLong(), in.getLong());
        }
    }

    /**
     * Runs one segment as a barrier stage over {@code blocks} and returns rank 0's outcome.
     *
     * @param pass the pass of the epoch (dropout is set per step here)
     */
    static Outcome run(JavaRDD<DigitBlock> blocks, Segment segment, Broadcast<Start> start, Pass pass, Exchanges exchanges) {
        NetworkShape shape = pass.shape();
        int ranks = blocks.getNumPartitions();
        Shards shards = sharded(shape, ranks) ? Shards.of(shape, ranks) : null;
        List<TaskResult> results = blocks.rdd().barrier().mapPartitions(
                (scala.Function1<scala.collection.Iterator<DigitBlock>, scala.collection.Iterator<TaskResult>>)
                        new TaskBody(segment, start, pass, exchanges, shape, shards),
                false, scala.reflect.ClassTag$.MODULE$.apply(TaskResult.class)).toJavaRDD().collect();
        Outcome whole = null;
        long[] most = new long[2];
        for (TaskResult r : results) {
            if (r.rank() == 0) {
                whole = r.outcome();
            }
            most[0] = Math.max(most[0], r.meshBytes()[0]);
            most[1] = Math.max(most[1], r.meshBytes()[1]);
        }
        if (whole == null) {
            throw new IllegalStateException("the barrier stage of " + segment.where() + " returned no state");
        }
        if (shards == null) {
            return whole.withMeshBytes(most);
        }
        // the owners' shards of the state, put together
        int n = shape.parameterCount();
        Map<String, double[]> optimizer = new java.util.LinkedHashMap<>();
        Start s = start.value();
        s.optimizer().forEach((k, v) -> optimizer.put(k, v.length == n ? new double[n] : null));
        double[] ema = s.ema() == null ? null : new double[n];
        double[] theta = new double[n];
        for (TaskResult r : results) {
            shards.scatter(r.thetaPart(), r.rank(), theta);
            r.optimizerPart().forEach((k, v) -> {
                if (optimizer.get(k) != null && optimizer.get(k).length == n) {
                    shards.scatter(v, r.rank(), optimizer.get(k));
                } else if (r.rank() == 0) {   // a counter: every rank has it whole
                    optimizer.put(k, v.clone());
                }
            });
            if (ema != null) {
                shards.scatter(r.emaPart(), r.rank(), ema);
            }
        }
        return new Outcome(theta, optimizer, ema, whole.emaUpdates(), whole.loss(), whole.count(), whole.correct(),
                whole.diverged(), whole.phaseMs(), most);
    }

    /**
     * Whether a stage of {@code ranks} tasks shares out the step ({@link Shards}: each task adds up, updates and sends
     * out its shard of the parameters) rather than every task adding up all the sums and updating all the weights: when
     * at least two ranks own units of {@code W1} (H > 64). Either way the same bits.
     */
    static boolean sharded(NetworkShape shape, int ranks) {
        return ranks > 1 && Shards.of(shape, ranks).w1Owners() > 1;
    }

    /** A task of the barrier stage: its blocks, its peers, the segment's steps. */
    private static final class TaskBody extends scala.runtime.AbstractFunction1<scala.collection.Iterator<DigitBlock>,
            scala.collection.Iterator<TaskResult>> implements Serializable {

        private final Segment segment;
        private final Broadcast<Start> start;
        private final Pass pass;
        private final Exchanges exchanges;
        private final NetworkShape shape;
        /** The owners' shards, or {@code null}: every task adds up every sum and updates every weight. */
        private final Shards shards;

        TaskBody(Segment segment, Broadcast<Start> start, Pass pass, Exchanges exchanges, NetworkShape shape,
                 Shards shards) {
            this.segment = segment;
            this.start = start;
            this.pass = pass;
            this.exchanges = exchanges;
            this.shape = shape;
            this.shards = shards;
        }

        @Override
        public scala.collection.Iterator<TaskResult> apply(scala.collection.Iterator<DigitBlock> it) {
            BarrierTaskContext context = BarrierTaskContext.get();
            List<DigitBlock> mine = new ArrayList<>();
            while (it.hasNext()) {
                mine.add(it.next());
            }
            Rank r = new Rank(context.partitionId(), mine, start.value());
            try (Exchange exchange = exchanges.open(context)) {
                r.openReporter();
                for (int j = 0; j < segment.steps(); j++) {
                    // a killed task ends at its next step, interrupted or not (a job group cancelled without
                    // interruptOnCancel): its peers then fail at once on the closed connections, not at the segment's end
                    context.killTaskIfInterrupted();
                    if (!r.step(j, exchange)) {
                        break;
                    }
                }
                r.meshBytes = exchange.bytes();
            } catch (IOException e) {
                throw new UncheckedIOException("rank " + r.rank + " of " + segment.where() + ": " + e.getMessage(), e);
            } finally {
                r.closeReporter();
            }
            return ScalaCollections.asScala(List.of(r.result()).iterator());
        }

        /** One task's state for the segment: its rows, the weights, the optimiser and average, the steps' figures. */
        private final class Rank {
            final int rank;
            private final List<DigitBlock> mine;
            private final List<int[]> orders = new ArrayList<>();
            private final Parameters p;
            private final Optimizer optimizer;
            private final WeightAverage average;
            private final double[] loss;
            private final long[] count;
            private final long[] correct;
            private int diverged = -1;
            long[] meshBytes = new long[2];
            private Reporter reporter;
            /** The ranges of the parameters this rank updates (all of them without shards). */
            private final int[] own;
            private double[] g;
            private KernelWeights w;
            /**
             * With shards and a kernel's layout, the tasks keep one layout for the segment: each owner lays out its own
             * units after its update and sends them in that layout (float for the float kernel); the rest is small. And
             * each owner keeps its rows of W1 pixel-major for the segment (in the weights, the optimiser's state and the
             * average; their operations are elementwise): its mean gradient is written and its new weights laid out by
             * rows, with no transposition either way (Shards.reorderW1).
             */
            private final boolean inPlace;
            private final int u0;
            private final int u1;
            private final double[] scratch;
            private final long[] phase = new long[PHASES.size()];

            Rank(int rank, List<DigitBlock> mine, Start s) {
                this.rank = rank;
                this.mine = mine;
                for (int k = 0; k < mine.size() && segment.plan() != null; k++) {   // as JobSteps.permutations: a
                    // pure function of the position
                    orders.add(BatchPlan.permutation(mine.get(k).rows(), segment.seed(), segment.epoch(), rank * 1024 + k));
                }
                p = new Parameters(shape, s.theta().clone());
                optimizer = Optimizer.create(segment.settings(), shape);
                optimizer.restore(s.optimizer());
                if (s.ema() != null) {
                    average = new WeightAverage(segment.emaDecay(), s.ema());
                    average.restore(s.ema().clone(), s.emaUpdates());
                } else {
                    average = null;
                }
                int n = segment.steps();
                loss = new double[n];
                count = new long[n];
                correct = new long[n];
                own = shards == null ? new int[] {0, shape.parameterCount()} : shards.ranges(rank);
                g = shards == null ? null : new double[shape.parameterCount()];
                w = KernelWeights.of(p, pass.kernel(), 1);
                inPlace = shards != null && w.laidOut();
                u0 = shards == null ? 0 : shards.unitFrom(rank);
                u1 = shards == null ? 0 : shards.unitTo(rank);
                scratch = inPlace ? new double[(u1 - u0) * shape.inputs()] : null;
                if (inPlace) {
                    reorderOwn(p.values(), optimizer, average, shards, rank, true, scratch);
                }
            }

            /** Rank 0 sends each step's figures to the driver as it goes: a courtesy, the driver has them at the end. */
            void openReporter() {
                if (rank == 0) {
                    try {
                        reporter = exchanges.reporter();
                    } catch (IOException e) {
                        org.slf4j.LoggerFactory.getLogger(CollectiveSteps.class).warn("no live progress to the driver: {}",
                                e.getMessage());
                    }
                }
            }

            void closeReporter() {
                if (reporter != null) {
                    reporter.close();
                }
            }

            /**
             * Step {@code j} of the segment: this rank's gradient sum, the sums exchanged and added in partition order,
             * the update of the parameters it owns, the new weights exchanged. Returns {@code false} when the loss is
             * not finite (the segment stops there, as the jobs engine's loop).
             */
            boolean step(int j, Exchange exchange) throws IOException {
                long t = segment.firstStep() + j;   // the global step index from 0, as the jobs engine's t
                long t0 = System.nanoTime();
                if (j > 0 && !inPlace) {
                    w = KernelWeights.of(p, pass.kernel(), 1);
                }
                long t1 = System.nanoTime();
                Dropout masks = Dropout.forStep(segment.dropout(), segment.seed(), t);
                GradientSum mineSum = segment.plan() == null   // full batch: every row, the iteration's distortions
                        ? SparkPasses.whole(mine, w, pass.withEpoch((int) t).withDropout(masks))
                        : SparkPasses.slice(mine, orders, segment.plan(), segment.first() + j, w, pass.withDropout(masks));
                long t2 = System.nanoTime();
                byte[][] received = exchangeSums(mineSum, exchange);
                long t3 = System.nanoTime();
                GradientSum sum = fold(received);
                record(j, sum);
                if (sum.count() == 0) {
                    return true;   // every slice empty (tiny partitions): no update, as the jobs engine's step
                }
                if (shards == null) {
                    g = sum.meanGradient(1);
                } else {
                    sum.meanInto(shards, rank, g, inPlace);   // the owner's mean, straight into its elements of g
                }
                long t4 = System.nanoTime();
                Regularization.addL2(p.values(), g, shape, segment.coupledL2(), own);
                if (!Double.isFinite(sum.loss())) {
                    diverged = j;
                    return false;
                }
                optimizer.step(p.values(), g, segment.rates()[j], own);
                if (average != null) {
                    average.update(p.values(), own);
                }
                long t5 = System.nanoTime();
                exchangeWeights(exchange);
                long t6 = System.nanoTime();
                phase[0] += t1 - t0;
                phase[1] += t2 - t1;
                phase[2] += t3 - t2;
                phase[3] += t4 - t3;
                phase[4] += t5 - t4;
                phase[5] += t6 - t5;
                return true;
            }

            /** Without shards every task adds up every partition's sum; with them, each its shard of each. */
            private byte[][] exchangeSums(GradientSum mineSum, Exchange exchange) throws IOException {
                if (shards == null) {
                    return exchange.allGather(bytes(mineSum));
                }
                byte[][] parts = new byte[shards.ranks()][];
                for (int q = 0; q < parts.length; q++) {
                    parts[q] = bytes(mineSum.part(shards, q));
                }
                return exchange.allToAll(parts);
            }

            /** Step {@code j}'s loss, rows and correct rows, kept and sent on to the driver. */
            private void record(int j, GradientSum sum) {
                loss[j] = sum.loss();
                count[j] = sum.count();
                correct[j] = sum.correct();
                if (reporter != null) {
                    try {
                        reporter.send(new Step(j, loss[j], count[j], correct[j]).bytes());
                    } catch (IOException e) {
                        org.slf4j.LoggerFactory.getLogger(CollectiveSteps.class).warn("live progress to the driver "
                                + "stopped: {}", e.getMessage());
                        reporter.close();
                        reporter = null;
                    }
                }
            }

            /** Every owner's new weights to every task (with {@link #inPlace}, W1's in the kernel's layout). */
            private void exchangeWeights(Exchange exchange) throws IOException {
                if (inPlace) {
                    w.putUnitsPixelMajor(p.values(), own[0], u0, u1);
                    java.nio.ByteBuffer message = java.nio.ByteBuffer.allocate(w.unitsByteCount(u0, u1)
                            + 8 * (own[3] - own[2]));
                    w.putUnitsInto(message, u0, u1);
                    message.asDoubleBuffer().put(p.values(), own[2], own[3] - own[2]);
                    byte[][] all = exchange.allGather(message.array());
                    for (int q = 0; q < all.length; q++) {
                        if (q != rank) {
                            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(all[q]);
                            w.putUnits(in, shards.unitFrom(q), shards.unitTo(q));
                            in.asDoubleBuffer().get(p.values(), shards.restFrom(q), shards.restTo(q)
                                    - shards.restFrom(q));
                        }
                    }
                    w.refreshRest(p.values());
                } else if (shards != null) {
                    byte[][] all = exchange.allGather(doubles(shards.gather(p.values(), rank)));
                    for (int q = 0; q < all.length; q++) {
                        if (q != rank) {
                            shards.scatter(doubles(all[q]), q, p.values());
                        }
                    }
                }
            }

            /**
             * What this rank hands back: rank 0 the figures (and, without shards, the whole state), every rank with
             * shards its shard of the weights, the optimiser's state and the average.
             */
            TaskResult result() {
                if (inPlace) {
                    reorderOwn(p.values(), optimizer, average, shards, rank, false, scratch);
                }
                Outcome o = null;
                if (rank == 0) {
                    double[] phaseMs = new double[phase.length];
                    for (int k = 0; k < phase.length; k++) {
                        phaseMs[k] = phase[k] / 1e6;
                    }
                    o = shards == null ? new Outcome(p.values(), copy(optimizer.state()), average == null ? null
                            : average.values(), average == null ? 0 : average.updates(), loss, count, correct, diverged,
                            phaseMs, null)
                            : new Outcome(null, null, null, average == null ? 0 : average.updates(), loss, count,
                            correct, diverged, phaseMs, null);
                }
                Map<String, double[]> optimizerPart = new java.util.LinkedHashMap<>();
                double[] emaPart = null;
                double[] thetaPart = null;
                if (shards != null) {
                    thetaPart = shards.gather(p.values(), rank);
                    optimizer.state().forEach((k, v) -> optimizerPart.put(k, v.length == shape.parameterCount()
                            ? shards.gather(v, rank) : v.clone()));
                    emaPart = average == null ? null : shards.gather(average.values(), rank);
                }
                return new TaskResult(rank, o, optimizerPart, emaPart, thetaPart, meshBytes);
            }
        }
    }

    /**
     * {@link Shards#reorderW1} of {@code rank}'s rows of W1 in the weights, in every optimiser state array of their
     * length and in the average.
     */
    static void reorderOwn(double[] theta, Optimizer optimizer, WeightAverage average, Shards shards, int rank,
                           boolean toPixelMajor, double[] scratch) {
        shards.reorderW1(theta, rank, toPixelMajor, scratch);
        for (double[] v : optimizer.state().values()) {
            if (v.length == theta.length) {
                shards.reorderW1(v, rank, toPixelMajor, scratch);
            }
        }
        if (average != null) {
            shards.reorderW1(average.values(), rank, toPixelMajor, scratch);
        }
    }

    /** {@code values} as bytes (big-endian), for the owners' weights. */
    static byte[] doubles(double[] values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 8);
        b.asDoubleBuffer().put(values);
        return b.array();
    }

    static double[] doubles(byte[] bytes) {
        double[] out = new double[bytes.length / 8];
        java.nio.ByteBuffer.wrap(bytes).asDoubleBuffer().get(out);
        return out;
    }

    /** A deep copy of an optimiser's state (its arrays are live). */
    static Map<String, double[]> copy(Map<String, double[]> state) {
        Map<String, double[]> out = new java.util.LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    /** The Java-serialized form of {@code sum}: the bytes a task result of the jobs engine carries. */
    static byte[] bytes(GradientSum sum) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(1 << 16);
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(sum);
        }
        return b.toByteArray();
    }

    static GradientSum sum(byte[] bytes) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (GradientSum) in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }
    }

    /**
     * The partitions' sums (by partition index) added as {@link OrderedAggregation#combineInOrder} adds them: in one
     * fold when there are at most {@value OrderedAggregation#FAN_IN}, else in groups of consecutive partitions, the
     * groups' sums folded in group order.
     */
    static GradientSum fold(byte[][] partials) throws IOException {
        int n = partials.length;
        if (n <= OrderedAggregation.FAN_IN) {
            GradientSum acc = sum(partials[0]);
            for (int i = 1; i < n; i++) {
                acc.add(sum(partials[i]));
            }
            return acc;
        }
        GradientSum total = null;
        for (int g = 0; g * OrderedAggregation.FAN_IN < n; g++) {
            GradientSum acc = null;
            for (int i = g * OrderedAggregation.FAN_IN; i < Math.min(n, (g + 1) * OrderedAggregation.FAN_IN); i++) {
                acc = acc == null ? sum(partials[i]) : acc.add(sum(partials[i]));
            }
            // a group's sum travels to the driver serialized, as here
            GradientSum travelled = sum(bytes(acc));
            total = total == null ? travelled : total.add(travelled);
        }
        return total;
    }
}
