package org.sparkdigits.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** A port range is honoured (busy ports skipped, a full range refused); MeshConfig validates and hides its secret. */
class PortsAndConfigTest {

    /** A run of free ports below Linux's ephemeral range, the first of them then held by another listener. */
    @Test
    void aPortRangeIsHonoured() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int from = -1;
            ServerSocket busy = null;
            for (int base = 21000 + (int) (ProcessHandle.current().pid() % 500) * 10; busy == null; base += 10) {
                try {
                    busy = new ServerSocket(base, 5, InetAddress.getByName(Meshes.HOST));
                    from = base;
                } catch (IOException e) {
                    // taken: try the next block
                }
            }
            int to = from + 5;
            MeshConfig config = new MeshConfig(Meshes.secret(1), false, Duration.ofSeconds(10), from, to, "ports");
            List<Mesh> meshes = new ArrayList<>();
            try (ServerSocket held = busy) {
                for (int r = 0; r < 3; r++) {
                    meshes.add(Mesh.bind(r, 3, Meshes.HOST, config));
                }
                List<String> addresses = new ArrayList<>();
                for (Mesh m : meshes) {
                    int port = Integer.parseInt(m.address().substring(m.address().lastIndexOf(':') + 1));
                    assertTrue(port > from && port <= to, m.address() + " in " + from + "-" + to);
                    assertNotEquals(held.getLocalPort(), port);
                    addresses.add(m.address());
                }
                Meshes.parallel(3, r -> {
                    meshes.get(r).connect(addresses);
                    meshes.get(r).allGather(new byte[] {(byte) r});
                    return null;
                });
                try (ProgressChannel.Server server = ProgressChannel.serve(Meshes.HOST, config, m -> { })) {
                    int port = Integer.parseInt(server.address().substring(server.address().lastIndexOf(':') + 1));
                    assertTrue(port >= from && port <= to, server.address());
                }
                MeshConfig full = new MeshConfig(Meshes.secret(1), false, Duration.ofSeconds(10), from, from, "full");
                BindException e = assertThrows(BindException.class, () -> Mesh.bind(0, 2, Meshes.HOST, full));
                assertTrue(e.getMessage().contains(from + "-" + from), e.getMessage());
            } finally {
                for (Mesh m : meshes) {
                    m.close();
                }
            }
        });
    }

    @Test
    void anEphemeralPortByDefault() throws IOException {
        try (Mesh a = Mesh.bind(0, 2, Meshes.HOST, MeshConfig.token(Duration.ofSeconds(5), "x"))) {
            assertTrue(a.address().startsWith(Meshes.HOST + ":"));
            assertFalse(a.address().endsWith(":0"));
        }
    }

    @Test
    void aConfigValidatesAndKeepsItsSecret() throws Exception {
        Duration t = Duration.ofSeconds(5);
        assertThrows(IllegalArgumentException.class, () -> new MeshConfig(new byte[15], false, t, 0, 0, "s"));
        assertThrows(IllegalArgumentException.class, () -> new MeshConfig(new byte[16], false, Duration.ZERO, 0, 0,
                "s"));
        assertThrows(IllegalArgumentException.class, () -> new MeshConfig(new byte[16], false, t, 1023, 2000, "s"));
        assertThrows(IllegalArgumentException.class, () -> new MeshConfig(new byte[16], false, t, 3000, 2000, "s"));
        assertThrows(IllegalArgumentException.class, () -> new MeshConfig(new byte[16], false, t, 2000, 65536, "s"));
        assertThrows(IllegalArgumentException.class, () -> new MeshConfig(new byte[16], false, t, 0, 2000, "s"));
        assertThrows(NullPointerException.class, () -> new MeshConfig(new byte[16], false, t, 0, 0, null));

        byte[] secret = Meshes.secret(3);
        MeshConfig c = new MeshConfig(secret, true, t, 2000, 2010, "segment 1 attempt 0");
        secret[0] ^= 1;
        assertNotEquals(secret[0], c.secret()[0], "the config keeps its own copy");
        c.secret()[1] ^= 1;
        assertEquals(Meshes.secret(3)[1], c.secret()[1], "and hands out copies");
        assertFalse(c.toString().contains(java.util.Arrays.toString(c.secret())));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(c, in.readObject());
        }
        MeshConfig token = MeshConfig.token(t, "s");
        assertEquals(32, token.secret().length);
        assertNotEquals(token, MeshConfig.token(t, "s"));
        assertEquals(0, token.portFrom());
        assertFalse(token.encrypt());
    }
}
