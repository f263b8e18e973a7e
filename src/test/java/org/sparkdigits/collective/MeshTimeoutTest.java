package org.sparkdigits.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** A silent peer times the others out, naming it; a peer that closes or dies mid-message fails them at once. */
class MeshTimeoutTest {

    private static final Duration GUARD = Duration.ofSeconds(60);

    @Test
    void aPeerThatNeverCallsAllGatherTimesTheOthersOutNamingIt() {
        assertTimeoutPreemptively(GUARD, () -> {
            Mesh[] meshes = Meshes.connected(3, Meshes.config(false, Duration.ofSeconds(2), "segment 3 attempt 1"));
            try {
                List<IOException> failures = Meshes.parallel(2, r -> {
                    try {
                        meshes[r].allGather(new byte[] {(byte) r});
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                });
                for (int r = 0; r < 2; r++) {
                    PeerTimeoutException e = assertInstanceOf(PeerTimeoutException.class, failures.get(r));
                    assertEquals(r, e.rank());
                    assertEquals(2, e.peer());
                    assertEquals(meshes[2].address(), e.peerAddress());
                    assertTrue(e.getMessage().startsWith("rank " + r + " waited 2 s for rank 2 ("
                            + meshes[2].address() + ") in segment 3 attempt 1: "), e.getMessage());
                }
                // the mesh is unusable after a failure
                IOException again = assertThrows(IOException.class, () -> meshes[0].allGather(new byte[1]));
                assertTrue(again.getMessage().contains("failed earlier"), again.getMessage());
            } finally {
                Meshes.closeAll(meshes);
            }
        });
    }

    /**
     * A peer whose process is frozen takes no bytes: a large write fills the buffers and blocks. The write is watched:
     * at the deadline the connection is closed and the call fails naming the peer, instead of hanging.
     */
    @Test
    void aPeerThatStopsTakingOurBytesTimesTheWriteOutNamingIt() {
        assertTimeoutPreemptively(GUARD, () -> {
            MeshConfig config = Meshes.config(false, Duration.ofSeconds(2), "frozen");
            Mesh[] meshes = Meshes.bind(2, config);
            ExecutorService pool = Executors.newCachedThreadPool();
            try (Strangers.FlippingRelay relay = new Strangers.FlippingRelay(meshes[0].address(), -1)) {
                Future<?> connected = pool.submit(() -> {
                    meshes[1].connect(List.of(relay.address(), meshes[1].address()));
                    return null;
                });
                meshes[0].connect(Meshes.addresses(meshes));
                connected.get();
                relay.stall();
                PeerTimeoutException e = assertThrows(PeerTimeoutException.class,
                        () -> meshes[0].allGather(new byte[64 << 20]));
                assertEquals(0, e.rank());
                assertEquals(1, e.peer());
                assertTrue(e.getMessage().startsWith("rank 0 waited 2 s for rank 1 (" + meshes[1].address()
                        + ") in frozen: it did not take our message"), e.getMessage());
            } finally {
                pool.shutdownNow();
                Meshes.closeAll(meshes);
            }
        });
    }

    @Test
    void aPeerThatNeverConnectsTimesTheConnectOutNamingIt() {
        assertTimeoutPreemptively(GUARD, () -> {
            Mesh[] meshes = Meshes.bind(3, Meshes.config(false, Duration.ofSeconds(2), "late"));
            List<String> addresses = Meshes.addresses(meshes);
            try {
                List<IOException> failures = Meshes.parallel(2, r -> {
                    try {
                        meshes[r].connect(addresses);
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                });
                for (int r = 0; r < 2; r++) {
                    PeerTimeoutException e = assertInstanceOf(PeerTimeoutException.class, failures.get(r));
                    assertEquals(2, e.peer());
                    assertTrue(e.getMessage().contains("rank 2 (" + meshes[2].address() + ")"), e.getMessage());
                }
            } finally {
                Meshes.closeAll(meshes);
            }
        });
    }

    @Test
    void aPeerThatClosesFailsTheOthersAtOnceNotAtTheTimeout() {
        assertTimeoutPreemptively(GUARD, () -> {
            // a timeout longer than the guard: only a prompt failure passes
            Mesh[] meshes = Meshes.connected(3, Meshes.config(true, Duration.ofMinutes(5), "closing"));
            try {
                meshes[2].close();
                IOException e = assertThrows(IOException.class, () -> meshes[0].allGather(new byte[10]));
                assertFalse(e instanceof PeerTimeoutException);
                assertTrue(e.getMessage().contains("rank 2 (" + meshes[2].address() + ")"), e.getMessage());
            } finally {
                Meshes.closeAll(meshes);
            }
        });
    }

    @Test
    void aPeerThatDiesMidMessageFailsTheReceiveAtOnce() {
        assertTimeoutPreemptively(GUARD, () -> {
            MeshConfig config = Meshes.config(false, Duration.ofMinutes(5), "dying");
            Mesh[] meshes = Meshes.bind(2, config);
            meshes[1].close(); // its place is taken by a hand-made rank 1
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (Socket fake = new Socket()) {
                fake.connect(Net.parse(meshes[0].address()), 10_000);
                Future<?> connect = pool.submit(() -> {
                    meshes[0].connect(List.of(meshes[0].address(), "127.0.0.1:9"));
                    return null;
                });
                Handshake.connect(Link.input(fake), Link.output(fake), Handshake.KIND_MESH, 1, 0, config,
                        Handshake.key(config));
                connect.get();
                OutputStream out = fake.getOutputStream();
                out.write(new byte[] {0, 16, 0, 0}); // a message of 1 MiB ...
                out.write(new byte[1000]); // ... of which 1000 bytes come
                out.flush();
                fake.close();
                IOException e = assertThrows(IOException.class, () -> meshes[0].allGather(new byte[10]));
                assertFalse(e instanceof PeerTimeoutException);
                assertTrue(e.getMessage().contains("rank 1 (127.0.0.1:9)") && e.getMessage().contains("mid-message"),
                        e.getMessage());
            } finally {
                pool.shutdownNow();
                Meshes.closeAll(meshes);
            }
        });
    }

    @Test
    void anAbsurdLengthIsRefusedBeforeAllocating() {
        assertTimeoutPreemptively(GUARD, () -> {
            MeshConfig config = Meshes.config(false, Duration.ofMinutes(5), "absurd");
            Mesh[] meshes = Meshes.bind(2, config);
            meshes[1].close();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (Socket fake = new Socket()) {
                fake.connect(Net.parse(meshes[0].address()), 10_000);
                Future<?> connect = pool.submit(() -> {
                    meshes[0].connect(List.of(meshes[0].address(), "127.0.0.1:9"));
                    return null;
                });
                Handshake.connect(Link.input(fake), Link.output(fake), Handshake.KIND_MESH, 1, 0, config,
                        Handshake.key(config));
                connect.get();
                fake.getOutputStream().write(new byte[] {0x7f, -1, -1, -1}); // 2^31 - 1
                fake.getOutputStream().flush();
                IOException e = assertThrows(IOException.class, () -> meshes[0].receive(1));
                assertTrue(e.getMessage().contains("largest frame"), e.getMessage());
            } finally {
                pool.shutdownNow();
                Meshes.closeAll(meshes);
            }
        });
    }
}
