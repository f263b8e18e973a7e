package org.sparkdigits.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Meshes of 1 to 8 ranks in threads on loopback exchange exactly what every rank gave, plain and encrypted. */
class MeshTest {

    private static final int MB = 1 << 20;
    private static final int[] SIZES = {0, 1, MB, 5 * MB, 10_000};
    private static final Duration GUARD = Duration.ofMinutes(3);

    @ParameterizedTest(name = "{0} ranks, encrypt {1}")
    @CsvSource({"1,false", "2,false", "3,false", "4,false", "8,false", "1,true", "2,true", "3,true", "4,true",
            "8,true"})
    void allGatherReturnsEveryRanksBytes(int n, boolean encrypt) {
        assertTimeoutPreemptively(GUARD, () -> {
            int rounds = n <= 4 ? 12 : 6;
            byte[][][] data = new byte[rounds][n][];
            Random random = new Random(n * 100 + (encrypt ? 1 : 0));
            for (int k = 0; k < rounds; k++) {
                for (int r = 0; r < n; r++) {
                    data[k][r] = new byte[SIZES[(r + k) % SIZES.length]];
                    random.nextBytes(data[k][r]);
                }
            }
            Mesh[] meshes = Meshes.connected(n, Meshes.config(encrypt, Duration.ofSeconds(60), "gather " + n));
            try {
                Meshes.parallel(n, r -> {
                    for (int k = 0; k < rounds; k++) {
                        byte[][] all = meshes[r].allGather(data[k][r]);
                        assertEquals(n, all.length);
                        assertSame(data[k][r], all[r], "this rank's own array, not a copy");
                        for (int p = 0; p < n; p++) {
                            assertTrue(Arrays.equals(data[k][p], all[p]),
                                    "rank " + r + " round " + k + " from rank " + p);
                        }
                    }
                    return null;
                });
            } finally {
                Meshes.closeAll(meshes);
            }
        });
    }

    @ParameterizedTest(name = "encrypt {0}")
    @CsvSource({"false", "true"})
    void sendAndReceiveAreFifoPerPairEvenWhenEveryoneSendsFirst(boolean encrypt) {
        assertTimeoutPreemptively(GUARD, () -> {
            int n = 3;
            int count = 200;
            Mesh[] meshes = Meshes.connected(n, Meshes.config(encrypt, Duration.ofSeconds(60), "fifo"));
            try {
                Meshes.parallel(n, r -> {
                    // every rank sends all its messages (20 MB to each peer) before receiving any
                    for (int i = 0; i < count; i++) {
                        for (int p = 0; p < n; p++) {
                            if (p != r) {
                                meshes[r].send(p, message(r, p, i));
                            }
                        }
                    }
                    for (int p = 0; p < n; p++) {
                        if (p != r) {
                            for (int i = 0; i < count; i++) {
                                assertArrayEquals(message(p, r, i), meshes[r].receive(p), "message " + i + " from " + p);
                            }
                        }
                    }
                    return null;
                });
            } finally {
                Meshes.closeAll(meshes);
            }
        });
    }

    private static byte[] message(int from, int to, int i) {
        ByteBuffer b = ByteBuffer.allocate(12 + (i * 1009) % 200_000);
        b.putInt(from).putInt(to).putInt(i);
        while (b.hasRemaining()) {
            b.put((byte) (from * 7 + to * 13 + i + b.position()));
        }
        return b.array();
    }

    @Test
    void misuseIsRefused() throws Exception {
        Mesh[] meshes = Meshes.bind(2, Meshes.config(false, Duration.ofSeconds(10), "misuse"));
        try {
            assertThrows(IllegalStateException.class, () -> meshes[0].allGather(new byte[1]), "not connected yet");
            assertThrows(IllegalArgumentException.class, () -> meshes[0].connect(List.of(meshes[0].address())));
            assertThrows(IllegalArgumentException.class, () -> Mesh.bind(2, 2, Meshes.HOST, Meshes.config(false,
                    Duration.ofSeconds(1), "x")));
        } finally {
            Meshes.closeAll(meshes);
        }
        assertThrows(java.io.IOException.class, () -> meshes[0].allGather(new byte[1]), "closed");
        meshes[0].close(); // idempotent
    }

    @Test
    void printsTheMedianAllGatherOf5MbBetweenTwoRanks() {
        assertTimeoutPreemptively(GUARD, () -> {
            for (boolean encrypt : new boolean[] {false, true}) {
                Mesh[] meshes = Meshes.connected(2, Meshes.config(encrypt, Duration.ofSeconds(60), "bench"));
                try {
                    List<long[]> times = Meshes.parallel(2, r -> {
                        byte[] mine = new byte[5 * MB];
                        new Random(r).nextBytes(mine);
                        long[] t = new long[50];
                        for (int k = 0; k < t.length; k++) {
                            long start = System.nanoTime();
                            meshes[r].allGather(mine);
                            t[k] = System.nanoTime() - start;
                        }
                        return t;
                    });
                    long[] t = times.get(0);
                    Arrays.sort(t);
                    System.out.printf("allGather of 5 MB between 2 ranks on loopback, encrypt=%s: median %.2f ms"
                            + " over %d rounds (min %.2f, max %.2f)%n", encrypt, t[t.length / 2] / 1e6, t.length,
                            t[0] / 1e6, t[t.length - 1] / 1e6);
                } finally {
                    Meshes.closeAll(meshes);
                }
            }
        });
    }
}
