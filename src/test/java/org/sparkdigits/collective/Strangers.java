package org.sparkdigits.collective;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Test helpers: ends that speak the protocol wrongly, or not at all, and a relay that flips a bit. */
final class Strangers {

    private Strangers() {
    }

    /** Runs the connecting side of the handshake as {@code claim} towards {@code to}; the failure, or null. */
    static IOException handshake(String address, MeshConfig config, byte kind, int claim, int to) {
        try (Socket s = new Socket()) {
            s.connect(Net.parse(address), 10_000);
            s.setSoTimeout(20_000);
            Handshake.connect(Link.input(s), Link.output(s), kind, claim, to, config, Handshake.key(config));
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** Sends bytes, then reads until the other end closes; true if it did (never answered with data first). */
    static boolean sendAndExpectClose(String address, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(Net.parse(address), 10_000);
            s.setSoTimeout(20_000);
            if (bytes.length > 0) {
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
            }
            InputStream in = s.getInputStream();
            try {
                while (in.read() >= 0) {
                    // a hello reply to garbage would show up here; it must not be data for us anyway
                }
            } catch (IOException e) {
                return true; // reset
            }
            return true;
        }
    }

    /**
     * A one-connection TCP relay to target that flips bit 0 of the byte at flipAt of the client-to-server stream (none
     * when negative); after {@link #stall} it stops reading the server-to-client stream, as a frozen client would.
     */
    static final class FlippingRelay implements Closeable {
        private final ServerSocket server;
        private final InetSocketAddress target;
        private final long flipAt;
        private volatile Socket a;
        private volatile Socket b;
        private volatile boolean stalled;

        /** Stops taking the server's bytes (they pile up in the buffers, then the server's writes block). */
        void stall() {
            stalled = true;
        }

        FlippingRelay(String target, long flipAt) throws IOException {
            this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            this.target = Net.parse(target);
            this.flipAt = flipAt;
            Thread t = new Thread(this::run, "flipping-relay");
            t.setDaemon(true);
            t.start();
        }

        String address() {
            return Net.address(server.getInetAddress().getHostAddress(), server.getLocalPort());
        }

        private void run() {
            try {
                a = server.accept();
                b = new Socket();
                b.connect(target, 10_000);
                pump(a, b, flipAt, false);
                pump(b, a, -1, true);
            } catch (IOException e) {
                close();
            }
        }

        private void pump(Socket from, Socket to, long flip, boolean stallable) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    byte[] buf = new byte[8192];
                    long pos = 0;
                    int n;
                    while (true) {
                        while (stallable && stalled && !from.isClosed()) {
                            Thread.sleep(10);
                        }
                        if ((n = in.read(buf)) < 0) {
                            break;
                        }
                        if (flip >= pos && flip < pos + n) {
                            buf[(int) (flip - pos)] ^= 1;
                        }
                        pos += n;
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // either end gone
                } finally {
                    close();
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() {
            Net.closeQuietly(server);
            Net.closeQuietly(a);
            Net.closeQuietly(b);
        }
    }
}
