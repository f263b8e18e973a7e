package org.sparkdigits.collective;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-way authenticated channel from a task (rank 0 of a collective stage) to the driver, for live progress.
 *
 * <p>The driver {@link #serve}s: a listening socket and a thread accepting any number of clients over its life (a
 * retried segment reconnects). Each connection runs the {@link Handshake} (kind {@code 'P'}, the client as rank 0,
 * the driver as rank -1, the config's secret and stage), then the server reads its messages on a thread of its own
 * and hands each to {@code onMessage} in order. A connection that fails the handshake (wrong secret or stage,
 * garbage, a stranger, more than a few seconds) is closed and logged at WARN with its remote address; nothing it
 * sent is delivered. Frames are {@link Link}'s, encrypted if the config says so. The server never writes after the
 * handshake. An exception from {@code onMessage} is logged and the next message delivered.
 *
 * <p>A task {@link #connect}s (deadline: the config's timeout) and {@link Client#send}s; a send blocks while the
 * driver's buffers are full, at most the timeout, after which the client is closed and the send throws.
 */
public final class ProgressChannel {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressChannel.class);

    private ProgressChannel() {
    }

    /** Listens on {@code host} (an ephemeral port or the config's range) and delivers every message to onMessage. */
    public static Server serve(String host, MeshConfig config, Consumer<byte[]> onMessage) throws IOException {
        if (onMessage == null) {
            throw new IllegalArgumentException("no consumer for progress messages");
        }
        return new Server(host, config, onMessage);
    }

    /** Connects to a server's {@link Server#address()} and authenticates, within the config's timeout. */
    public static Client connect(String address, MeshConfig config) throws IOException {
        long start = System.nanoTime();
        long deadline = start + config.timeout().toNanos();
        InetSocketAddress target = Net.parse(address);
        Socket socket = new Socket();
        Net.Watchdog watchdog = null;
        try {
            socket.connect(target, (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.timeout().toMillis())));
            watchdog = Net.closeAt(socket, deadline);
            Link.tune(socket);
            BufferedInputStream in = Link.input(socket);
            BufferedOutputStream out = Link.output(socket);
            Handshake.Session session = Handshake.connect(in, out, Handshake.KIND_PROGRESS, 0, Handshake.DRIVER,
                    config, Handshake.key(config));
            if (!watchdog.disarm()) {
                throw new IOException("socket closed");
            }
            return new Client(address, config, new Link(socket, in, out, session));
        } catch (SocketTimeoutException e) {
            Net.closeQuietly(socket);
            throw new IOException("the progress channel at " + address + " did not answer within "
                    + Net.describe(config.timeout()) + " in " + config.stage(), e);
        } catch (IOException e) {
            Net.closeQuietly(socket);
            if (watchdog != null && watchdog.fired()) {
                throw new IOException("the progress channel at " + address + " did not finish the handshake within "
                        + Net.describe(config.timeout()) + " in " + config.stage(), e);
            }
            if (e instanceof HandshakeException) {
                throw new HandshakeException("the progress channel at " + address + " in " + config.stage()
                        + ": " + e.getMessage(), e);
            }
            throw new IOException("cannot connect to the progress channel at " + address + " in " + config.stage()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The driver's end. */
    public static final class Server implements AutoCloseable {

        private final MeshConfig config;
        private final byte[] key;
        private final Consumer<byte[]> onMessage;
        private final ServerSocket listener;
        private final String address;
        private final ThreadPoolExecutor handshakes;
        private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
        private final AtomicLong refused = new AtomicLong();
        private final AtomicLong delivered = new AtomicLong();
        private volatile boolean closed;

        private Server(String host, MeshConfig config, Consumer<byte[]> onMessage) throws IOException {
            this.config = config;
            this.key = Handshake.key(config);
            this.onMessage = onMessage;
            this.listener = Net.listen(host, config);
            this.address = Net.address(host, listener.getLocalPort());
            this.handshakes = new ThreadPoolExecutor(0, Mesh.MAX_HANDSHAKES, 10, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), Net.daemon("progress-handshake"));
            Net.daemon("progress-accept").newThread(this::acceptLoop).start();
        }

        /** "host:port" for the tasks. */
        public String address() {
            return address;
        }

        /** Connections refused so far, for tests and diagnostics. */
        long refusedConnections() {
            return refused.get();
        }

        /** Messages delivered so far. */
        long delivered() {
            return delivered.get();
        }

        private void acceptLoop() {
            while (!closed) {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (IOException e) {
                    if (!closed) {
                        LOG.warn("progress channel {} in {}: accepting failed: {}", address, config.stage(),
                                e.toString());
                    }
                    continue;
                }
                try {
                    handshakes.execute(() -> handshake(socket));
                } catch (RejectedExecutionException e) {
                    refuse(socket, String.valueOf(socket.getRemoteSocketAddress()), "too many handshakes under way");
                }
            }
        }

        private void handshake(Socket socket) {
            String remote = String.valueOf(socket.getRemoteSocketAddress());
            Net.Watchdog watchdog = Net.closeAt(socket, Net.handshakeDeadline(config.timeout()));
            Link link;
            try {
                Link.tune(socket);
                BufferedInputStream in = Link.input(socket);
                BufferedOutputStream out = Link.output(socket);
                Handshake.Session session = Handshake.verify(in, out, Handshake.KIND_PROGRESS, Handshake.DRIVER,
                        from -> from == 0, config, key);
                Handshake.accept(out);
                if (!watchdog.disarm()) {
                    throw new IOException("socket closed");
                }
                link = new Link(socket, in, out, session);
            } catch (IOException | RuntimeException e) {
                refuse(socket, remote, watchdog.fired() ? "no handshake in time"
                        : e.getMessage());
                return;
            }
            clients.add(socket);
            if (closed) {
                link.close();
                return;
            }
            Net.daemon("progress-read-" + remote).newThread(() -> readLoop(link, socket, remote)).start();
        }

        private void readLoop(Link link, Socket socket, String remote) {
            try {
                while (true) {
                    byte[] message = link.read();
                    delivered.incrementAndGet();
                    try {
                        onMessage.accept(message);
                    } catch (RuntimeException e) {
                        LOG.warn("progress channel {} in {}: a progress message from {} failed: {}", address,
                                config.stage(), remote, e.toString(), e);
                    }
                }
            } catch (EOFException e) {
                LOG.debug("progress channel {}: {} closed", address, remote);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("progress channel {} in {}: the connection from {} failed: {}", address,
                            config.stage(), remote, e.getMessage());
                }
            } finally {
                link.close();
                clients.remove(socket);
            }
        }

        private void refuse(Socket socket, String remote, String why) {
            Net.closeQuietly(socket);
            if (closed) {
                return;
            }
            refused.incrementAndGet();
            LOG.warn("progress channel {} in {} refused a connection from {}: {}", address, config.stage(), remote,
                    why);
        }

        /** Stops accepting and closes every client's connection. Idempotent. */
        @Override
        public void close() {
            closed = true;
            Net.closeQuietly(listener);
            handshakes.shutdownNow();
            for (Socket s : clients) {
                Net.closeQuietly(s);
            }
        }
    }

    /** A task's end: send only. */
    public static final class Client implements AutoCloseable {

        private final String address;
        private final MeshConfig config;
        private final Link link;

        private Client(String address, MeshConfig config, Link link) {
            this.address = address;
            this.config = config;
            this.link = link;
        }

        /** Sends one message, written to the socket within the config's timeout (else the client is closed). */
        public synchronized void send(byte[] message) throws IOException {
            if (link.isClosed()) {
                throw new IOException("the progress channel to " + address + " in " + config.stage() + " is closed");
            }
            Net.Watchdog watchdog = Net.closeAt(link, System.nanoTime() + config.timeout().toNanos());
            try {
                link.write(message);
            } catch (IOException e) {
                link.close();
                if (watchdog.fired()) {
                    throw new IOException("the progress channel at " + address + " did not take a message within "
                            + Net.describe(config.timeout()) + " in " + config.stage(), e);
                }
                throw new IOException("the progress channel at " + address + " in " + config.stage() + " failed: "
                        + e.getMessage(), e);
            } finally {
                watchdog.disarm();
            }
        }

        /** Closes the connection; the driver receives every message sent before. Idempotent. */
        @Override
        public void close() {
            link.close();
        }
    }
}
