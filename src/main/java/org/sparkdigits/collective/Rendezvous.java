package org.sparkdigits.collective;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meeting of a collective stage's {@code size} tasks through the driver: each task tells the driver its mesh
 * address ({@link Mesh#address()}) and receives every rank's, in the time of a few round trips (Spark's
 * {@code BarrierTaskContext.allGather}, the other way to learn them, polls in one-second sleeps).
 *
 * <p>The driver {@link #serve}s one rendezvous per stage attempt: a listening socket and a thread accepting
 * connections. Each connection runs the {@link Handshake} (kind {@code 'R'}, the client stating its rank, the driver
 * as rank -1, the config's secret and stage, as the {@link ProgressChannel}), each on a thread of its own so a stranger
 * cannot hold up the tasks. A rank out of {@code [0, size)} or one that already arrived is refused in the handshake,
 * before the challenge. After it, the client sends its request (its rank, the stage's size, its address; a size other
 * than the server's is refused with a message saying so). When all {@code size} ranks have arrived the server answers
 * every connection with the addresses by rank and closes it. A connection that fails any of this (wrong secret or
 * stage, garbage, a stranger, a duplicate or unexpected rank, more than a few seconds) is closed and logged at WARN
 * with its remote address; it counts for nothing. While ranks are missing the server tells the waiting tasks which
 * (when arrivals change, at most once per tenth of the timeout, 10 ms to 1 s), so that a task that gives up can name
 * them. Frames are {@link Link}'s, encrypted if the config says so.
 *
 * <pre>
 * C -&gt; S  request: rank(4) size(4) addressLength(4) address(UTF-8)
 * S -&gt; C  status:  'S' missingCount(4) listed(4) rank(4) x listed       (the first {@value #LISTED} missing ranks)
 *          answer:  'A' size(4) { addressLength(4) address(UTF-8) } x size
 *          refusal: 'E' reason(UTF-8)
 * </pre>
 *
 * <p>A task {@link #join}s: it returns the list, or throws within the config's timeout (for the whole of it: connect,
 * handshake and wait); a timeout names the ranks the driver was still missing. A server that is closed (the attempt
 * ended) fails its waiting clients at once. One server serves one meeting: a retried attempt gets a new one (its stage
 * label differs, so a task of an earlier attempt fails the handshake).
 */
public final class Rendezvous {

    private static final Logger LOG = LoggerFactory.getLogger(Rendezvous.class);

    /** The longest a task tries to open the TCP connection (less if the configured timeout is shorter). */
    static final Duration CONNECT = Duration.ofSeconds(10);
    /** The longest address accepted, in bytes of UTF-8. */
    static final int MAX_ADDRESS = 1024;
    /** The most missing ranks a status lists (it gives the count of all). */
    static final int LISTED = 32;

    private static final byte STATUS = 'S';
    private static final byte ANSWER = 'A';
    private static final byte REFUSAL = 'E';

    private Rendezvous() {
    }

    /** Listens on {@code host} (an ephemeral port or the config's range) for the {@code size} ranks of one stage. */
    public static Server serve(String host, int size, MeshConfig config) throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("a rendezvous of " + size + " ranks");
        }
        return new Server(host, size, config);
    }

    /**
     * Tells the driver's rendezvous at {@code server} that rank {@code rank} of {@code size} listens at
     * {@code address}; returns every rank's address, by rank, once all have arrived.
     *
     * @throws PeerTimeoutException the ranks did not all arrive within the config's timeout (it names the missing)
     * @throws HandshakeException the server refused this rank or did not prove it holds the key
     */
    public static List<String> join(String server, int rank, int size, String address, MeshConfig config)
            throws IOException {
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " of " + size);
        }
        byte[] mine = utf8(address);
        if (mine.length == 0 || mine.length > MAX_ADDRESS) {
            throw new IllegalArgumentException("rank " + rank + "'s address has " + mine.length + " bytes (1 to "
                    + MAX_ADDRESS + ")");
        }
        long start = System.nanoTime();
        long deadline = start + config.timeout().toNanos();
        String at = "the driver's rendezvous at " + server;
        String where = at + " in " + config.stage();
        Socket socket = new Socket();
        Net.Watchdog watchdog = null;
        Status status = null;
        try {
            try {
                InetSocketAddress target = Net.parse(server);
                socket.connect(target, (int) Math.max(1, Math.min(CONNECT.toMillis(), config.timeout().toMillis())));
            } catch (SocketTimeoutException e) {
                throw new IOException("rank " + rank + " cannot reach " + where + ": no answer to its connection within "
                        + Net.describe(CONNECT.compareTo(config.timeout()) < 0 ? CONNECT : config.timeout())
                        + " (a firewall?)", e);
            } catch (IOException e) {
                throw new IOException("rank " + rank + " cannot reach " + where + ": " + e.getMessage(), e);
            }
            watchdog = Net.closeAt(socket, deadline);
            Link.tune(socket);
            BufferedInputStream in = Link.input(socket);
            BufferedOutputStream out = Link.output(socket);
            Handshake.Session session;
            try {
                session = Handshake.connect(in, out, Handshake.KIND_RENDEZVOUS, rank, Handshake.DRIVER, config,
                        Handshake.key(config));
            } catch (HandshakeException e) {
                if (watchdog.fired()) {
                    throw e;
                }
                throw new HandshakeException("rank " + rank + " could not authenticate with " + where
                        + " (a different secret or stage, or rank " + rank + " already arrived): " + e.getMessage(), e);
            }
            Link link = new Link(socket, in, out, session);
            link.write(ByteBuffer.allocate(12 + mine.length).putInt(rank).putInt(size).putInt(mine.length).put(mine)
                    .array());
            while (true) {
                byte[] frame = link.read();
                if (frame.length == 0) {
                    throw new IOException("rank " + rank + ": " + where + " sent an empty frame");
                }
                if (frame[0] == STATUS) {
                    status = Status.of(frame);
                } else if (frame[0] == ANSWER) {
                    List<String> all = answer(frame, size);
                    if (!all.get(rank).equals(address)) {
                        throw new IOException("rank " + rank + ": " + where + " answered " + all.get(rank)
                                + " as its address, not " + address);
                    }
                    if (!watchdog.disarm()) {
                        throw new IOException("socket closed");
                    }
                    link.close();
                    LOG.debug("rank {} of {} met its peers through {} in {}", rank, size, where,
                            Net.describe(Net.since(start)));
                    return all;
                } else if (frame[0] == REFUSAL) {
                    throw new HandshakeException("rank " + rank + " was refused by " + where + ": "
                            + new String(frame, 1, frame.length - 1, StandardCharsets.UTF_8));
                } else {
                    throw new IOException("rank " + rank + ": " + where + " sent a frame of unknown type "
                            + (frame[0] & 0xff));
                }
            }
        } catch (IOException | RuntimeException e) {
            Net.closeQuietly(socket);
            if (watchdog != null && watchdog.fired()) {
                throw timedOut(rank, at, config, status, e);
            }
            if (e instanceof EOFException) {
                throw new IOException("rank " + rank + ": " + where + " closed the connection before every rank had "
                        + "arrived (the attempt ended?)" + (status == null ? "" : "; it was missing " + status), e);
            }
            if (e instanceof RuntimeException r) {   // a malformed frame of an authenticated server
                throw new IOException("rank " + rank + ": " + where + " sent a malformed frame: " + r, r);
            }
            throw (IOException) e;
        } finally {
            if (watchdog != null) {
                watchdog.disarm();
            }
        }
    }

    private static IOException timedOut(int rank, String at, MeshConfig config, Status status, Exception cause) {
        IOException e;
        if (status != null && status.missing > 0 && status.ranks.length > 0) {
            e = new PeerTimeoutException(rank, status.ranks[0], "address not yet known", config.timeout(),
                    config.stage(), at + " was still missing " + status);
        } else {
            e = new IOException("rank " + rank + " waited " + Net.describe(config.timeout()) + " at " + at + " in "
                    + config.stage() + (status == null ? ": no word from it"
                            : ": every rank had arrived but the answer did not come"));
        }
        e.initCause(cause);
        return e;
    }

    /** What a status frame says: how many ranks are missing, and the first of them. */
    private record Status(int missing, int[] ranks) {

        static Status of(byte[] frame) {
            ByteBuffer b = ByteBuffer.wrap(frame, 1, frame.length - 1);
            int missing = b.getInt();
            int listed = b.getInt();
            if (listed < 0 || listed > LISTED || listed > missing) {
                throw new IllegalArgumentException("a status listing " + listed + " of " + missing + " ranks");
            }
            int[] ranks = new int[listed];
            for (int i = 0; i < listed; i++) {
                ranks[i] = b.getInt();
            }
            return new Status(missing, ranks);
        }

        static byte[] bytes(List<Integer> missing) {
            int listed = Math.min(LISTED, missing.size());
            ByteBuffer b = ByteBuffer.allocate(9 + 4 * listed).put(STATUS).putInt(missing.size()).putInt(listed);
            for (int i = 0; i < listed; i++) {
                b.putInt(missing.get(i));
            }
            return b.array();
        }

        @Override
        public String toString() {
            if (missing == 0) {
                return "no rank";
            }
            StringBuilder b = new StringBuilder(missing == 1 ? "rank " : "ranks ");
            for (int i = 0; i < ranks.length; i++) {
                b.append(i == 0 ? "" : ", ").append(ranks[i]);
            }
            return b + (missing > ranks.length ? ", ... (" + missing + " in all)" : "");
        }
    }

    private static List<String> answer(byte[] frame, int size) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(frame, 1, frame.length - 1);
        int n = b.getInt();
        if (n != size) {
            throw new IOException("the answer has " + n + " addresses for a stage of " + size + " ranks");
        }
        List<String> all = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int len = b.getInt();
            if (len < 1 || len > MAX_ADDRESS || len > b.remaining()) {
                throw new IOException("the answer's address of rank " + r + " has " + len + " bytes");
            }
            all.add(new String(frame, b.position(), len, StandardCharsets.UTF_8));
            b.position(b.position() + len);
        }
        return List.copyOf(all);
    }

    private static byte[] utf8(String s) {
        if (s == null) {
            throw new IllegalArgumentException("no address");
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The driver's end: one meeting of {@code size} ranks. */
    public static final class Server implements AutoCloseable {

        private final int size;
        private final MeshConfig config;
        private final byte[] key;
        private final ServerSocket listener;
        private final String address;
        private final ThreadPoolExecutor handshakes;
        private final long tickNanos;
        private final AtomicLong refused = new AtomicLong();
        private final AtomicLong connections = new AtomicLong();
        // guarded by this
        private final boolean[] claimed;
        private final String[] addresses;
        private final Link[] waiting;
        private int arrived;
        private long firstArrival;
        private long changes;
        private boolean complete;
        private volatile boolean closed;

        private Server(String host, int size, MeshConfig config) throws IOException {
            this.size = size;
            this.config = config;
            this.key = Handshake.key(config);
            this.claimed = new boolean[size];
            this.addresses = new String[size];
            this.waiting = new Link[size];
            this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1),
                    config.timeout().toNanos() / 10));
            this.listener = Net.listen(host, config);
            this.address = Net.address(host, listener.getLocalPort());
            // each rank's handshake at once, and room for strangers beside them
            this.handshakes = new ThreadPoolExecutor(0, size + Mesh.MAX_HANDSHAKES, 10, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), Net.daemon("rendezvous-handshake"));
            Net.daemon("rendezvous-accept").newThread(this::acceptLoop).start();
            Net.daemon("rendezvous-status").newThread(this::statusLoop).start();
        }

        /** "host:port" for the tasks. */
        public String address() {
            return address;
        }

        /** The ranks it meets. */
        public int size() {
            return size;
        }

        /** Whether every rank has arrived (the answers then go out). */
        public synchronized boolean complete() {
            return complete;
        }

        /** The ranks that have arrived so far. */
        public synchronized int arrived() {
            return arrived;
        }

        /** Connections accepted so far (any, strangers included), for diagnostics: none means no task reached it. */
        public long connections() {
            return connections.get();
        }

        /** Connections refused so far, for tests and diagnostics. */
        long refusedConnections() {
            return refused.get();
        }

        private void acceptLoop() {
            while (!closed) {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (IOException e) {
                    if (!closed) {
                        LOG.warn("rendezvous {} in {}: accepting failed: {}", address, config.stage(), e.toString());
                        pause(10);
                    }
                    continue;
                }
                connections.incrementAndGet();
                try {
                    handshakes.execute(() -> handshake(socket));
                } catch (RejectedExecutionException e) {
                    refuse(socket, String.valueOf(socket.getRemoteSocketAddress()), closed ? "closed"
                            : "too many handshakes under way (" + (size + Mesh.MAX_HANDSHAKES) + ")");
                }
            }
        }

        private void handshake(Socket socket) {
            String remote = String.valueOf(socket.getRemoteSocketAddress());
            Net.Watchdog watchdog = Net.closeAt(socket, Net.handshakeDeadline(config.timeout()));
            int claim = -1;
            Link link = null;
            try {
                Link.tune(socket);
                BufferedInputStream in = Link.input(socket);
                BufferedOutputStream out = Link.output(socket);
                Handshake.Session session = Handshake.verify(in, out, Handshake.KIND_RENDEZVOUS, Handshake.DRIVER,
                        from -> from >= 0 && from < size && !isClaimed(from), config, key);
                int rank = session.peerRank();
                if (!claim(rank)) {
                    throw new HandshakeException("rank " + rank + " already arrived");
                }
                claim = rank;
                Handshake.accept(out);
                link = new Link(socket, in, out, session);
                String peerAddress = request(link.read(), rank);
                if (!watchdog.disarm()) {
                    throw new IOException("socket closed");
                }
                arrive(rank, peerAddress, link);
            } catch (Refusal e) {
                refuseWithReason(link, socket, claim, remote, e.getMessage());
            } catch (IOException | RuntimeException e) {
                if (claim >= 0) {
                    release(claim);
                }
                String why = watchdog.fired()
                        ? "no handshake and request within " + Net.describe(Net.HANDSHAKE.compareTo(config.timeout()) < 0
                                ? Net.HANDSHAKE : config.timeout())
                        : e.getMessage();
                refuse(socket, remote, why);
            }
        }

        /** The request's address, after checking it is the rank the handshake proved and the stage's size. */
        private String request(byte[] frame, int rank) throws Refusal {
            try {
                ByteBuffer b = ByteBuffer.wrap(frame);
                int claimedRank = b.getInt();
                int claimedSize = b.getInt();
                int len = b.getInt();
                if (claimedRank != rank) {
                    throw new Refusal("it authenticated as rank " + rank + " but speaks for rank " + claimedRank);
                }
                if (claimedSize != size) {
                    throw new Refusal("rank " + rank + " counts " + claimedSize + " ranks in the stage; this rendezvous"
                            + " meets " + size);
                }
                if (len < 1 || len > MAX_ADDRESS || len != b.remaining()) {
                    throw new Refusal("rank " + rank + " sent an address of " + len + " bytes (" + b.remaining()
                            + " follow)");
                }
                return new String(frame, 12, len, StandardCharsets.UTF_8);
            } catch (BufferUnderflowException e) {
                throw new Refusal("rank " + rank + " sent a request of " + frame.length + " bytes");
            }
        }

        private void arrive(int rank, String peerAddress, Link link) {
            Link[] answered = null;
            byte[] answer = null;
            synchronized (this) {
                if (closed) {
                    link.close();
                    return;
                }
                addresses[rank] = peerAddress;
                waiting[rank] = link;
                arrived++;
                if (arrived == 1) {
                    firstArrival = System.nanoTime();
                }
                changes++;
                if (arrived == size) {
                    complete = true;
                    answered = waiting.clone();
                    Arrays.fill(waiting, null);
                    answer = answerBytes();
                }
                notifyAll();
            }
            LOG.debug("rendezvous {} in {}: rank {} arrived from {} ({})", address, config.stage(), rank, link.remote(),
                    peerAddress);
            if (answered != null) {
                for (int r = 0; r < size; r++) {
                    send(answered[r], answer, r);
                    answered[r].close();
                }
                LOG.debug("rendezvous {} in {}: all {} ranks met, {} after the first", address, config.stage(), size,
                        Net.describe(Net.since(firstArrival)));
            }
        }

        private byte[] answerBytes() {
            byte[][] each = new byte[size][];
            int total = 5;
            for (int r = 0; r < size; r++) {
                each[r] = addresses[r].getBytes(StandardCharsets.UTF_8);
                total += 4 + each[r].length;
            }
            ByteBuffer b = ByteBuffer.allocate(total).put(ANSWER).putInt(size);
            for (byte[] a : each) {
                b.putInt(a.length).put(a);
            }
            return b.array();
        }

        /** Writes a frame to a waiting rank within the timeout; a rank that does not take it is logged, not waited. */
        private void send(Link link, byte[] frame, int rank) {
            Net.Watchdog watchdog = Net.closeAt(link, System.nanoTime() + config.timeout().toNanos());
            try {
                link.write(frame);
            } catch (IOException e) {
                if (!closed && (frame[0] == ANSWER || !complete())) {
                    LOG.warn("rendezvous {} in {}: rank {} ({}) did not take its {}: {}", address, config.stage(),
                            rank, link.remote(), frame[0] == ANSWER ? "answer" : "status",
                            watchdog.fired() ? "not within " + Net.describe(config.timeout()) : e.getMessage());
                }
                link.close();
            } finally {
                watchdog.disarm();
            }
        }

        /** Tells the waiting ranks which are missing when arrivals change, at most once a tick. */
        private void statusLoop() {
            long told = 0;
            while (true) {
                Link[] to;
                List<Integer> missing = new ArrayList<>();
                synchronized (this) {
                    while (!closed && !complete && changes == told) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (closed || complete) {
                        return;
                    }
                    told = changes;
                    to = waiting.clone();
                    for (int r = 0; r < size; r++) {
                        if (addresses[r] == null) {
                            missing.add(r);
                        }
                    }
                }
                byte[] status = Status.bytes(missing);
                for (int r = 0; r < size; r++) {
                    if (to[r] != null && !closed) {
                        send(to[r], status, r);
                    }
                }
                pause(TimeUnit.NANOSECONDS.toMillis(tickNanos));
            }
        }

        private synchronized boolean isClaimed(int rank) {
            return claimed[rank];
        }

        private synchronized boolean claim(int rank) {
            if (claimed[rank]) {
                return false;
            }
            claimed[rank] = true;
            return true;
        }

        private synchronized void release(int rank) {
            if (addresses[rank] == null) {
                claimed[rank] = false;
            }
        }

        private void refuseWithReason(Link link, Socket socket, int claim, String remote, String why) {
            if (claim >= 0) {
                release(claim);
            }
            if (link != null) {
                Net.Watchdog watchdog = Net.closeAt(link, Net.handshakeDeadline(config.timeout()));
                try {
                    byte[] reason = utf8(why);
                    link.write(ByteBuffer.allocate(1 + reason.length).put(REFUSAL).put(reason).array());
                } catch (IOException e) {
                    // it hears of it by the close
                } finally {
                    watchdog.disarm();
                }
            }
            refuse(socket, remote, why);
        }

        private void refuse(Socket socket, String remote, String why) {
            Net.closeQuietly(socket);
            if (closed) {
                return;
            }
            refused.incrementAndGet();
            LOG.warn("rendezvous {} in {} refused a connection from {}: {}", address, config.stage(), remote, why);
        }

        private static void pause(long ms) {
            try {
                Thread.sleep(Math.max(1, ms));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Stops accepting and closes every waiting connection (their tasks fail at once). Idempotent. */
        @Override
        public void close() {
            Link[] left;
            synchronized (this) {
                closed = true;
                left = waiting.clone();
                Arrays.fill(waiting, null);
                notifyAll();
            }
            Net.closeQuietly(listener);
            handshakes.shutdownNow();
            for (Link l : left) {
                if (l != null) {
                    l.close();
                }
            }
        }
    }

    /** A request the server refuses with a reason it tells the client. */
    private static final class Refusal extends IOException {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message);
        }
    }
}
