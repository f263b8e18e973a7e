package org.sparkdigits.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The driver's rendezvous on loopback: every rank gets every address, plain and encrypted; strangers, wrong keys,
 * duplicate and unexpected ranks are refused without holding up the others; a timeout names the missing ranks; a
 * closed server fails its waiting ranks at once.
 */
class RendezvousTest {

    private static final Duration GUARD = Duration.ofSeconds(60);

    private static String addressOf(int rank) {
        return "10.0.0." + (rank + 1) + ":" + (40000 + rank);
    }

    private static List<String> expected(int n) {
        List<String> all = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            all.add(addressOf(r));
        }
        return all;
    }

    @ParameterizedTest(name = "{0} ranks, encrypt {1}")
    @CsvSource({"1,false", "2,false", "5,false", "40,false", "1,true", "2,true", "5,true"})
    void everyRankGetsEveryAddressByRank(int n, boolean encrypt) {
        assertTimeoutPreemptively(GUARD, () -> {
            MeshConfig config = Meshes.config(encrypt, Duration.ofSeconds(20), "segment 1 attempt 1");
            try (Rendezvous.Server server = Rendezvous.serve(Meshes.HOST, n, config)) {
                List<List<String>> got = Meshes.parallel(n, r -> Rendezvous.join(server.address(), r, n, addressOf(r),
                        config));
                for (int r = 0; r < n; r++) {
                    assertEquals(expected(n), got.get(r), "rank " + r);
                }
                assertTrue(server.complete());
                assertEquals(n, server.arrived());
                assertEquals(0, server.refusedConnections());
            }
        });
    }

    @Test
    void meshesConnectThroughIt() {
        assertTimeoutPreemptively(GUARD, () -> {
            int n = 4;
            MeshConfig config = Meshes.config(true, Duration.ofSeconds(20), "segment 2 attempt 1");
            Mesh[] meshes = Meshes.bind(n, config);
            try (Rendezvous.Server server = Rendezvous.serve(Meshes.HOST, n, config)) {
                Meshes.parallel(n, r -> {
                    meshes[r].connect(Rendezvous.join(server.address(), r, n, meshes[r].address(), config));
                    byte[][] all = meshes[r].allGather(new byte[] {(byte) r});
                    for (int p = 0; p < n; p++) {
                        assertEquals(p, all[p][0]);
                    }
                    return null;
                });
            } finally {
                Meshes.closeAll(meshes);
            }
        });
    }

    @Test
    void wrongKeysAndStrangersAreRefusedAndTheRanksStillMeet() {
        assertTimeoutPreemptively(GUARD, () -> {
            int n = 3;
            MeshConfig config = Meshes.config(false, Duration.ofSeconds(20), "segment 3 attempt 2");
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (Rendezvous.Server server = Rendezvous.serve(Meshes.HOST, n, config);
                    Socket silent = new Socket()) {
                // a stranger that connects and says nothing holds no one up (its handshake has a thread of its own)
                silent.connect(Net.parse(server.address()), 10_000);
                MeshConfig wrongSecret = new MeshConfig(Meshes.secret(9), false, config.timeout(), 0, 0,
                        config.stage());
                HandshakeException e = assertThrows(HandshakeException.class,
                        () -> Rendezvous.join(server.address(), 0, n, addressOf(0), wrongSecret));
                assertTrue(e.getMessage().startsWith("rank 0 could not authenticate with the driver's rendezvous at "
                        + server.address() + " in segment 3 attempt 2"), e.getMessage());
                // the previous attempt's task, the right secret: its stage differs
                assertThrows(HandshakeException.class, () -> Rendezvous.join(server.address(), 1, n, addressOf(1),
                        config.withStage("segment 3 attempt 1")));
                // a different encryption setting
                assertThrows(HandshakeException.class, () -> Rendezvous.join(server.address(), 1, n, addressOf(1),
                        new MeshConfig(Meshes.secret(1), true, config.timeout(), 0, 0, config.stage())));
                // a mesh peer's hello, right secret and all, is not a rendezvous client
                assertInstanceOf(HandshakeException.class,
                        Strangers.handshake(server.address(), config, Handshake.KIND_MESH, 0, Handshake.DRIVER));
                // a progress client's neither
                assertInstanceOf(HandshakeException.class,
                        Strangers.handshake(server.address(), config, Handshake.KIND_PROGRESS, 0, Handshake.DRIVER));
                // a forged frame without any handshake (the server waits for the rest of a hello, then closes it)
                Future<Boolean> forged = pool.submit(() -> Strangers.sendAndExpectClose(server.address(),
                        new byte[] {0, 0, 0, 1, 42}));
                while (server.refusedConnections() < 5) {
                    Thread.sleep(10);
                }
                assertEquals(0, server.arrived(), "a refused connection claims no rank");
                List<List<String>> got = Meshes.parallel(n, r -> Rendezvous.join(server.address(), r, n, addressOf(r),
                        config));
                for (int r = 0; r < n; r++) {
                    assertEquals(expected(n), got.get(r));
                }
                // the ranks met while the silent and the forged connection were still open
                assertEquals(5, server.refusedConnections());
                assertTrue(forged.get());
                while (server.refusedConnections() < 7) {
                    Thread.sleep(10);
                }
            } finally {
                pool.shutdownNow();
            }
        });
    }

    @Test
    void aDuplicateAnUnexpectedRankOrAnotherSizeIsRefused() {
        assertTimeoutPreemptively(GUARD, () -> {
            int n = 2;
            MeshConfig config = Meshes.config(false, Duration.ofSeconds(20), "segment 4 attempt 1");
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (Rendezvous.Server server = Rendezvous.serve(Meshes.HOST, n, config)) {
                // a rank beyond the stage's
                assertThrows(HandshakeException.class, () -> Rendezvous.join(server.address(), 2, 3, addressOf(2),
                        config));
                // a task that counts another number of ranks: refused with the reason, its rank free again
                HandshakeException other = assertThrows(HandshakeException.class,
                        () -> Rendezvous.join(server.address(), 1, 3, addressOf(1), config));
                assertTrue(other.getMessage().contains("rank 1 counts 3 ranks in the stage; this rendezvous meets 2"),
                        other.getMessage());
                Future<List<String>> first = pool.submit(() -> Rendezvous.join(server.address(), 0, n, addressOf(0),
                        config));
                while (server.arrived() < 1) {
                    Thread.sleep(5);
                }
                HandshakeException twice = assertThrows(HandshakeException.class,
                        () -> Rendezvous.join(server.address(), 0, n, "10.9.9.9:1", config));
                assertTrue(twice.getMessage().contains("rank 0 already arrived"), twice.getMessage());
                assertEquals(expected(n), Rendezvous.join(server.address(), 1, n, addressOf(1), config));
                assertEquals(expected(n), first.get());
                assertEquals(3, server.refusedConnections());
                // a late duplicate once all have met
                assertThrows(HandshakeException.class, () -> Rendezvous.join(server.address(), 1, n, addressOf(1),
                        config));
            } finally {
                pool.shutdownNow();
            }
        });
    }

    @Test
    void aTimeoutNamesTheRanksStillMissing() {
        assertTimeoutPreemptively(GUARD, () -> {
            int n = 4;
            MeshConfig config = Meshes.config(false, Duration.ofSeconds(2), "segment 5 attempt 1");
            try (Rendezvous.Server server = Rendezvous.serve(Meshes.HOST, n, config)) {
                long start = System.nanoTime();
                List<IOException> failures = Meshes.parallel(2, i -> {
                    int r = 2 * i;   // ranks 0 and 2 come, 1 and 3 do not
                    try {
                        Rendezvous.join(server.address(), r, n, addressOf(r), config);
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                });
                double seconds = (System.nanoTime() - start) / 1e9;
                assertTrue(seconds >= 1.9 && seconds < 10, seconds + " s");
                for (int i = 0; i < 2; i++) {
                    PeerTimeoutException e = assertInstanceOf(PeerTimeoutException.class, failures.get(i));
                    assertEquals(2 * i, e.rank());
                    assertEquals(1, e.peer());
                    assertEquals("rank " + (2 * i) + " waited 2 s for rank 1 (address not yet known) in segment 5 "
                            + "attempt 1: the driver's rendezvous at " + server.address()
                            + " was still missing ranks 1, 3", e.getMessage());
                }
                assertFalse(server.complete());
                assertEquals(2, server.arrived());
            }
        });
    }

    @Test
    void aClosedServerFailsItsWaitingRanksAtOnce() {
        assertTimeoutPreemptively(GUARD, () -> {
            MeshConfig config = Meshes.config(true, Duration.ofSeconds(30), "segment 6 attempt 1");
            Rendezvous.Server server = Rendezvous.serve(Meshes.HOST, 2, config);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<List<String>> waiting = pool.submit(() -> Rendezvous.join(server.address(), 0, 2, addressOf(0),
                        config));
                while (server.arrived() < 1) {
                    Thread.sleep(5);
                }
                long start = System.nanoTime();
                server.close();
                server.close();
                Exception e = assertThrows(Exception.class, waiting::get);
                assertTrue((System.nanoTime() - start) / 1e9 < 10);
                assertInstanceOf(IOException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("closed the connection before every rank had arrived"),
                        e.getCause().getMessage());
                // refused (or, in the moment the closed listener's accepting thread takes to wake, accepted and
                // closed at once)
                IOException late = assertThrows(IOException.class,
                        () -> Rendezvous.join(server.address(), 1, 2, addressOf(1), config));
                assertTrue(late.getMessage().startsWith("rank 1 "), late.getMessage());
                assertTrue(late.getMessage().contains("the driver's rendezvous at " + server.address()),
                        late.getMessage());
            } finally {
                pool.shutdownNow();
                server.close();
            }
        });
    }
}
