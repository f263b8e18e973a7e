package org.sparkdigits.collective;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The plain socket chores of the package: binding a listener in a port range, "host:port" addresses, a watchdog
 * that closes a socket at a deadline (the one way to bound a blocking write or a whole handshake), daemon threads.
 */
final class Net {

    /** The longest a connection may take over its handshake (less if the configured timeout is shorter). */
    static final Duration HANDSHAKE = Duration.ofSeconds(5);

    private static final ScheduledThreadPoolExecutor WATCHDOG = new ScheduledThreadPoolExecutor(1,
            daemon("collective-watchdog"));

    static {
        WATCHDOG.setRemoveOnCancelPolicy(true);
    }

    private Net() {
    }

    /** The deadline of a handshake begun now. */
    static long handshakeDeadline(Duration timeout) {
        return System.nanoTime() + Math.min(timeout.toNanos(), HANDSHAKE.toNanos());
    }

    /**
     * A listening socket for peers that reach this process at {@code host}: on that address if it is one of this
     * machine's (or loopback), else on every interface (a NAT'd or advertised name); on an ephemeral port, or the
     * first free one of the config's range.
     */
    static ServerSocket listen(String host, MeshConfig config) throws IOException {
        InetAddress bindAddress = bindAddress(host);
        if (config.portFrom() == 0) {
            return bound(bindAddress, 0);
        }
        IOException last = null;
        for (int port = config.portFrom(); port <= config.portTo(); port++) {
            try {
                return bound(bindAddress, port);
            } catch (IOException e) {
                last = e;
            }
        }
        BindException e = new BindException("no free port in " + config.portFrom() + "-" + config.portTo() + " on "
                + (bindAddress == null ? "all interfaces" : bindAddress.getHostAddress()) + " for " + config.stage()
                + (last == null ? "" : ": " + last.getMessage()));
        if (last != null) {
            e.initCause(last);
        }
        throw e;
    }

    private static ServerSocket bound(InetAddress address, int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(new InetSocketAddress(address, port), 128);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static InetAddress bindAddress(String host) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return address;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null ? address : null;
        } catch (SocketException e) {
            return null;
        }
    }

    /** "host:port", IPv6 literals in brackets. */
    static String address(String host, int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The socket address of a "host:port" (IPv6 in brackets), resolved. */
    static InetSocketAddress parse(String address) throws IOException {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IOException("not a host:port address: " + address);
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IOException("not a host:port address: " + address);
        }
        if (port < 1 || port > 65535) {
            throw new IOException("port out of range in " + address);
        }
        InetSocketAddress resolved = new InetSocketAddress(host, port);
        if (resolved.isUnresolved()) {
            throw new IOException("cannot resolve the host of " + address);
        }
        return resolved;
    }

    /** Closes {@code c} at {@code deadlineNanos} (System.nanoTime) unless disarmed first. */
    static Watchdog closeAt(Closeable c, long deadlineNanos) {
        Watchdog w = new Watchdog();
        w.future = WATCHDOG.schedule(() -> {
            if (w.state.compareAndSet(0, 1)) {
                closeQuietly(c);
            }
        }, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        return w;
    }

    /** A pending close: disarm it, or learn that it fired (decided atomically, before the close happens). */
    static final class Watchdog {
        private final AtomicInteger state = new AtomicInteger(); // 0 armed, 1 fired, 2 disarmed
        private volatile ScheduledFuture<?> future;

        /** True if it will never fire; false if it fired (the closeable is closed or being closed). */
        boolean disarm() {
            boolean disarmed = state.compareAndSet(0, 2) || state.get() == 2;
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
            return disarmed;
        }

        boolean fired() {
            return state.get() == 1;
        }
    }

    static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // closing is best effort
            }
        }
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, count.getAndIncrement() == 0 ? name : name + "-" + count.get());
            t.setDaemon(true);
            return t;
        };
    }

    /** "30 s", "1.5 s", "200 ms". */
    static String describe(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + " s";
        }
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** The time since {@code startNanos}. */
    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
