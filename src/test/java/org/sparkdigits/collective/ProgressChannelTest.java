package org.sparkdigits.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/** Progress messages arrive in order per connection, from any number of clients over the server's life; strangers deliver nothing. */
class ProgressChannelTest {

    private static final Duration GUARD = Duration.ofSeconds(60);

    @Test
    void messagesArriveInOrderAndARetriedClientReconnects() {
        assertTimeoutPreemptively(GUARD, () -> {
            for (boolean encrypt : new boolean[] {false, true}) {
                MeshConfig config = Meshes.config(encrypt, Duration.ofSeconds(10), "run 7");
                List<Integer> got = new CopyOnWriteArrayList<>();
                try (ProgressChannel.Server server = ProgressChannel.serve(Meshes.HOST, config,
                        m -> got.add(ByteBuffer.wrap(m).getInt()))) {
                    for (int attempt = 0; attempt < 2; attempt++) {
                        try (ProgressChannel.Client client = ProgressChannel.connect(server.address(), config)) {
                            for (int i = 0; i < 1000; i++) {
                                client.send(ByteBuffer.allocate(4 + i % 300).putInt(attempt * 1000 + i).array());
                            }
                        }
                    }
                    while (got.size() < 2000) {
                        Thread.sleep(10);
                    }
                    // in order per connection; two connections' messages may interleave (each has its reader)
                    for (int attempt = 0; attempt < 2; attempt++) {
                        int a = attempt;
                        List<Integer> mine = got.stream().filter(v -> v / 1000 == a).toList();
                        assertEquals(1000, mine.size());
                        for (int i = 0; i < 1000; i++) {
                            assertEquals(a * 1000 + i, mine.get(i));
                        }
                    }
                    assertEquals(2000, got.size());
                    assertEquals(0, server.refusedConnections());
                }
            }
        });
    }

    @Test
    void aClientWithAWrongSecretOrStageIsRefusedAndNothingIsDelivered() {
        assertTimeoutPreemptively(GUARD, () -> {
            MeshConfig config = Meshes.config(false, Duration.ofSeconds(3), "run 7");
            List<byte[]> got = new CopyOnWriteArrayList<>();
            try (ProgressChannel.Server server = ProgressChannel.serve(Meshes.HOST, config, got::add)) {
                MeshConfig wrongSecret = new MeshConfig(Meshes.secret(9), false, config.timeout(), 0, 0, "run 7");
                assertThrows(HandshakeException.class, () -> ProgressChannel.connect(server.address(), wrongSecret));
                assertThrows(HandshakeException.class,
                        () -> ProgressChannel.connect(server.address(), config.withStage("run 8")));
                // a mesh peer's hello, right secret and all, is not a progress client
                IOException e = Strangers.handshake(server.address(), config, Handshake.KIND_MESH, 0,
                        Handshake.DRIVER);
                assertInstanceOf(HandshakeException.class, e);
                // a forged frame without any handshake
                assertTrue(Strangers.sendAndExpectClose(server.address(), new byte[] {0, 0, 0, 1, 42}));
                while (server.refusedConnections() < 4) {
                    Thread.sleep(10);
                }
                // the channel still serves its own
                try (ProgressChannel.Client client = ProgressChannel.connect(server.address(), config)) {
                    client.send(new byte[] {7});
                }
                while (got.isEmpty()) {
                    Thread.sleep(10);
                }
                Thread.sleep(200);
                assertEquals(1, got.size());
                assertEquals(7, got.get(0)[0]);
            }
        });
    }

    @Test
    void aClosedServerFailsItsClients() {
        assertTimeoutPreemptively(GUARD, () -> {
            MeshConfig config = Meshes.config(true, Duration.ofSeconds(3), "run 7");
            ProgressChannel.Server server = ProgressChannel.serve(Meshes.HOST, config, m -> { });
            ProgressChannel.Client client = ProgressChannel.connect(server.address(), config);
            client.send(new byte[10]);
            server.close();
            server.close();
            // the first sends may still land in the socket buffer; the client learns within a few
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    client.send(new byte[100_000]);
                    Thread.sleep(1);
                }
            });
            client.close();
            assertThrows(IOException.class, () -> ProgressChannel.connect(server.address(), config));
        });
    }
}
