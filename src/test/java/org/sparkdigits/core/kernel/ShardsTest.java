package org.sparkdigits.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdigits.core.block.BatchPlan;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.loss.Regularization;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.core.optim.WeightAverage;
import org.sparkdigits.testing.SyntheticDigits;

/**
 * The collective engine's shares of a step ({@link Shards}): each owner's part of the partitions' sums, added in
 * partition order, divides to the whole sum's mean gradient bit for bit on its elements, dense, compact or mixed; the
 * optimisers and the average, run shard by shard, make the whole step's bits.
 */
class ShardsTest {

    @Test
    void theShardsCoverTheVectorOnceWithUnitsInWholeGroups() {
        for (int hidden : new int[] {1, 10, 64, 65, 128, 130, 800, 4096}) {
            for (int ranks : new int[] {1, 2, 3, 4, 7, 64}) {
                NetworkShape shape = NetworkShape.mnist(hidden);
                Shards s = Shards.of(shape, ranks);
                int[] seen = new int[shape.parameterCount()];
                int owners = 0;
                for (int r = 0; r < ranks; r++) {
                    int[] g = s.ranges(r);
                    for (int k = 0; k < g.length; k += 2) {
                        for (int i = g[k]; i < g[k + 1]; i++) {
                            seen[i]++;
                        }
                    }
                    assertEquals(g[1] - g[0] + g[3] - g[2], s.size(r));
                    assertTrue(s.unitFrom(r) % Shards.UNIT_ALIGN == 0 || s.unitFrom(r) == hidden, s.toString());
                    owners += s.unitTo(r) > s.unitFrom(r) ? 1 : 0;
                }
                for (int i = 0; i < seen.length; i++) {
                    assertEquals(1, seen[i], "H=" + hidden + " ranks " + ranks + " element " + i);
                }
                assertEquals(Math.min(ranks, (hidden + 63) / 64), owners, s.toString());
                assertEquals(owners, s.w1Owners());
            }
        }
    }

    private static GradientSum partitionSum(KernelWeights w, boolean compact, DigitBlock block, int[] order, int rows,
                                            Dropout dropout) {
        GradientSum s = compact ? GradientSum.compact(w.shape()) : new GradientSum(w.shape());
        Kernel net = w.kernel(Activation.RELU);
        net.accumulateGradient(block, order, 0, Math.min(rows, block.rows()), s, dropout);
        net.accumulateGradient(block, order, 0, Math.min(5, block.rows()), s, dropout); // a second segment
        return CompactSumTest.roundTrip(s);
    }

    @ParameterizedTest(name = "{0} H={1} P={2}")
    @CsvSource({"float, 800, 2", "float, 130, 2", "float, 300, 3", "simd, 800, 2", "simd, 257, 5", "sparse, 200, 4",
        "float, 800, 8", "simd, 65, 2"})
    void eachOwnersPartOfTheSumIsTheWholeSumsBits(String kernel, int hidden, int ranks) {
        NetworkShape shape = NetworkShape.mnist(hidden);
        KernelWeights w = CompactSumTest.roundTrip(KernelWeights.of(Initializer.HE.initialize(shape, 3),
                KernelKind.parse(kernel)));
        DigitBlock[] parts = SyntheticDigits.split(SyntheticDigits.block(120 * ranks, 784, 10, 5), ranks);
        Dropout d = Dropout.forStep(0.25, 4, 2);
        Shards shards = Shards.of(shape, ranks);
        // all compact (the mini-batch case), all dense, and mixed (a partition's rule depends on its rows)
        for (int mix = 0; mix < 3; mix++) {
            GradientSum[] sums = new GradientSum[ranks];
            for (int k = 0; k < ranks; k++) {
                boolean compact = mix == 0 || (mix == 2 && k % 2 == 1);
                sums[k] = partitionSum(w, compact, parts[k], BatchPlan.permutation(parts[k].rows(), 2, 1, k),
                        70 + 13 * k, d);
            }
            GradientSum whole = CompactSumTest.roundTrip(sums[0]);
            for (int k = 1; k < ranks; k++) {
                whole.add(CompactSumTest.roundTrip(sums[k]));
            }
            double[] mean = whole.meanGradient(1);
            for (int q = 0; q < ranks; q++) {
                GradientSum owner = CompactSumTest.roundTrip(sums[0].part(shards, q));
                for (int k = 1; k < ranks; k++) {
                    owner.add(CompactSumTest.roundTrip(sums[k].part(shards, q)));
                }
                assertEquals(whole.loss(), owner.loss());
                assertEquals(whole.count(), owner.count());
                assertEquals(whole.correct(), owner.correct());
                assertArrayEquals(shards.gather(mean, q), owner.meanGradient(1),
                        kernel + " H=" + hidden + " mix " + mix + " owner " + q + " of " + shards);
                // the owner's mean written straight into the step's vector, in the flat order and pixel-major (then
                // put back in order): the same bits, whatever the vector held there
                for (boolean pixelMajor : new boolean[] {false, true}) {
                    GradientSum again = CompactSumTest.roundTrip(sums[0].part(shards, q));
                    for (int k = 1; k < ranks; k++) {
                        again.add(CompactSumTest.roundTrip(sums[k].part(shards, q)));
                    }
                    double[] flat = new double[shape.parameterCount()];
                    java.util.Arrays.fill(flat, Double.NaN);
                    again.meanInto(shards, q, flat, pixelMajor);
                    if (pixelMajor) {
                        shards.reorderW1(flat, q, false, new double[shards.size(q)]);
                    }
                    assertArrayEquals(shards.gather(mean, q), shards.gather(flat, q), kernel + " H=" + hidden + " mix "
                            + mix + " owner " + q + (pixelMajor ? " pixel-major" : " flat"));
                }
            }
        }
    }

    @Test
    void theOptimisersAndTheAverageShardByShardAreTheWholeStep() {
        NetworkShape shape = NetworkShape.mnist(130);
        int n = shape.parameterCount();
        Shards shards = Shards.of(shape, 3);
        for (Optimizer.Kind kind : new Optimizer.Kind[] {Optimizer.Kind.SGD, Optimizer.Kind.MOMENTUM,
            Optimizer.Kind.NESTEROV, Optimizer.Kind.ADAM, Optimizer.Kind.ADAMW}) {
            Optimizer.Settings settings = new Optimizer.Settings(kind, 0.9, 0.9, 0.999, 1e-8, 0.01);
            Random r = new Random(kind.ordinal());
            double[] theta = new double[n];
            for (int i = 0; i < n; i++) {
                theta[i] = r.nextGaussian();
            }
            double[] sharded = theta.clone();
            Optimizer whole = Optimizer.create(settings, shape);
            Optimizer[] owners = new Optimizer[3];
            for (int q = 0; q < 3; q++) {
                owners[q] = Optimizer.create(settings, shape);
            }
            WeightAverage wholeAverage = new WeightAverage(0.99, theta);
            WeightAverage[] ownerAverages = new WeightAverage[3];
            for (int q = 0; q < 3; q++) {
                ownerAverages[q] = new WeightAverage(0.99, theta);
            }
            for (int step = 0; step < 4; step++) {
                double[] g = new double[n];
                for (int i = 0; i < n; i++) {
                    g[i] = r.nextGaussian() * 1e-2;
                }
                double[] g2 = g.clone();
                Regularization.addL2(theta, g, shape, 0.003);
                whole.step(theta, g, 0.01 * (step + 1));
                wholeAverage.update(theta);
                for (int q = 0; q < 3; q++) {
                    Regularization.addL2(sharded, g2, shape, 0.003, shards.ranges(q));
                    owners[q].step(sharded, g2, 0.01 * (step + 1), shards.ranges(q));
                    ownerAverages[q].update(sharded, shards.ranges(q));
                }
                assertArrayEquals(theta, sharded, kind + " step " + step);
            }
            double[] average = new double[n];
            for (int q = 0; q < 3; q++) {
                shards.scatter(shards.gather(ownerAverages[q].values(), q), q, average);
                for (var e : whole.state().entrySet()) {
                    double[] mine = owners[q].state().get(e.getKey());
                    if (mine.length == n) {
                        assertArrayEquals(shards.gather(e.getValue(), q), shards.gather(mine, q), kind + " " + e.getKey());
                    } else {
                        assertArrayEquals(e.getValue(), mine, kind + " " + e.getKey());
                    }
                }
            }
            assertArrayEquals(wholeAverage.values(), average, kind + " average");
        }
    }

    @Test
    void anOwnerKeepingItsRowsPixelMajorTakesTheSameSteps() {
        NetworkShape shape = NetworkShape.mnist(200);
        int n = shape.parameterCount();
        Shards shards = Shards.of(shape, 2);
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            if (kind == Optimizer.Kind.LBFGS || kind == Optimizer.Kind.CG) {
                continue;
            }
            Optimizer.Settings settings = new Optimizer.Settings(kind, 0.9, 0.9, 0.999, 1e-8, 0.01);
            Random r = new Random(7 + kind.ordinal());
            double[] theta = new double[n];
            for (int i = 0; i < n; i++) {
                theta[i] = r.nextGaussian();
            }
            for (int q = 0; q < 2; q++) {
                double[] plain = theta.clone();
                double[] reordered = theta.clone();
                Optimizer a = Optimizer.create(settings, shape);
                Optimizer b = Optimizer.create(settings, shape);
                WeightAverage avgA = new WeightAverage(0.99, theta);
                WeightAverage avgB = new WeightAverage(0.99, theta);
                double[] scratch = new double[shards.size(q)];
                int[] own = shards.ranges(q);
                for (int step = 0; step < 3; step++) {
                    if (step == 1) {   // the segment starts after a first step: the state holds something
                        shards.reorderW1(reordered, q, true, scratch);
                        for (double[] v : b.state().values()) {
                            if (v.length == n) {
                                shards.reorderW1(v, q, true, scratch);
                            }
                        }
                        shards.reorderW1(avgB.values(), q, true, scratch);
                    }
                    double[] g = new double[n];
                    for (int i = 0; i < n; i++) {
                        g[i] = r.nextGaussian() * 1e-2;
                    }
                    double[] g2 = g.clone();
                    if (step >= 1) {
                        shards.reorderW1(g2, q, true, scratch);
                    }
                    Regularization.addL2(plain, g, shape, 0.003, own);
                    a.step(plain, g, 0.01, own);
                    avgA.update(plain, own);
                    Regularization.addL2(reordered, g2, shape, 0.003, own);
                    b.step(reordered, g2, 0.01, own);
                    avgB.update(reordered, own);
                }
                shards.reorderW1(reordered, q, false, scratch);
                shards.reorderW1(avgB.values(), q, false, scratch);
                assertArrayEquals(shards.gather(plain, q), shards.gather(reordered, q), kind + " owner " + q);
                assertArrayEquals(shards.gather(avgA.values(), q), shards.gather(avgB.values(), q), kind + " average");
                for (var e : a.state().entrySet()) {
                    double[] mine = b.state().get(e.getKey());
                    if (mine.length == n) {
                        shards.reorderW1(mine, q, false, scratch);
                        assertArrayEquals(shards.gather(e.getValue(), q), shards.gather(mine, q), kind + " " + e.getKey());
                    }
                }
            }
        }
    }
}
