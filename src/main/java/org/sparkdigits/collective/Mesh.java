package org.sparkdigits.collective;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full mesh of TCP connections among the {@code size} ranks of one collective stage, for exchanging byte arrays
 * step after step. Spark-free: the barrier-stage code makes one per task.
 *
 * <p>Life: {@link #bind} (a listening socket, before the rendezvous; it starts accepting at once, so a faster peer
 * never waits for this one to reach {@code connect}), publish {@link #address()}, learn every rank's address from
 * the rendezvous, {@link #connect} (all {@code size - 1} connections up and authenticated, then the listener is
 * closed), any number of {@link #allGather} / {@link #send} / {@link #receive}, {@link #close}.
 *
 * <p>Topology: one socket per pair; the higher rank connects, the lower accepts (rank r connects to
 * {@code 0..r-1} and accepts {@code r+1..size-1}). Every connection runs the {@link Handshake} first (mutual
 * HMAC-SHA256 challenge-response over the stage's key, the connecting rank named and checked: expected, not yet
 * connected). A connection that fails it (wrong secret or stage, garbage, a stranger, a rank already connected,
 * more than a few seconds) is closed and logged at WARN with its remote address, never read as data, and the mesh
 * goes on accepting: each handshake runs on its own thread, so a stranger cannot hold up the peers (up to
 * {@value #MAX_HANDSHAKES} handshakes at once; more are refused until some end). With
 * {@link MeshConfig#encrypt()} every message is then AES-GCM encrypted ({@link Link}).
 *
 * <p>Messages: per peer, a reader thread takes each message off the socket as soon as it arrives into that peer's
 * inbox (so no rank's sends can block on a peer that is itself sending: TCP buffers never stay full, and the caller
 * can write its messages itself, with no hand-over to another thread: a step's latency is the network's). A
 * {@link #allGather} writes its array to each peer in turn (from the next rank up, so that the ranks do not all
 * write to the same one first), then takes one message from each inbox in the order they arrive (so a peer that
 * failed fails the call at once, whatever its rank). Messages between a pair are FIFO. A write that a peer does not
 * take (a frozen process: its buffers full) is bounded by the same deadline: a watch thread closes that connection
 * when the deadline passes, and the call fails naming the peer.
 * Inboxes are unbounded: what a peer sends ahead of this rank's receives waits in this JVM's heap (one step's
 * messages in a lock-step algorithm).
 *
 * <p>Deadlines: {@link MeshConfig#timeout()} bounds the whole {@code connect}, and every {@code allGather},
 * {@code send} and {@code receive} (counted from the call); past it a {@link PeerTimeoutException} names the rank
 * and address waited for. A peer that closes or dies fails the next receive from it at once with an IOException
 * naming it. After any failure the mesh is unusable (the exchange of that step is incomplete): every later call
 * throws; close it. A thread interrupted while waiting gets an {@link InterruptedIOException}.
 *
 * <p>One caller at a time: {@code allGather}, {@code send} and {@code receive} are meant for the task's thread.
 */
public final class Mesh implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Mesh.class);

    /** The most handshakes under way at once; more connections are refused until some end. */
    static final int MAX_HANDSHAKES = 32;

    private static final Object FAILED = new Object();

    private final int rank;
    private final int size;
    private final MeshConfig config;
    private final byte[] key;
    private final ServerSocket listener;
    private final String address;
    private final ThreadPoolExecutor handshakes;
    private final Thread acceptor;
    private final Peer[] peers;
    private final boolean[] claimed;
    private final AtomicLong refused = new AtomicLong();
    private final ReentrantLock arrivalLock = new ReentrantLock();
    private final Condition arrived = arrivalLock.newCondition();
    private long arrivals;
    private volatile boolean closed;
    /** The peer a write of the caller's is under way to, and until when ({@code 0}: none); read by {@link #watch}. */
    private volatile int writing = -1;
    private volatile long writeDeadline;
    /** The peer whose connection {@link #watch} closed because a write to it passed its deadline, or -1. */
    private volatile int overdue = -1;
    private Thread watcher;
    private volatile List<String> addresses;
    private boolean connected;
    private IOException broken;

    private Mesh(int rank, int size, String host, MeshConfig config) throws IOException {
        this.rank = rank;
        this.size = size;
        this.config = config;
        this.key = Handshake.key(config);
        this.peers = new Peer[size];
        this.claimed = new boolean[size];
        this.listener = Net.listen(host, config);
        this.address = Net.address(host, listener.getLocalPort());
        String name = "mesh-" + rank + "-of-" + size;
        this.handshakes = new ThreadPoolExecutor(0, MAX_HANDSHAKES, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                Net.daemon(name + "-handshake"));
        this.acceptor = Net.daemon(name + "-accept").newThread(this::acceptLoop);
        if (rank == size - 1) {
            Net.closeQuietly(listener); // nobody connects to the highest rank
        } else {
            acceptor.start();
        }
    }

    /**
     * Binds {@code rank}'s listening socket on {@code host} (the address peers reach it at), before the rendezvous:
     * on an ephemeral port, or the first free one in {@code [portFrom, portTo]}; starts accepting peers. The socket
     * is bound to {@code host}'s address if it is this machine's (or loopback), else to every interface (an
     * advertised or NAT'd name).
     *
     * @throws java.net.BindException no free port in the range
     */
    public static Mesh bind(int rank, int size, String host, MeshConfig config) throws IOException {
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " of " + size);
        }
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host for rank " + rank);
        }
        return new Mesh(rank, size, host, config);
    }

    /** "host:port" to publish in the rendezvous. */
    public String address() {
        return address;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** The config's stage label. */
    public String stage() {
        return config.stage();
    }

    /** Connections refused so far (failed handshakes, too many at once), for tests and diagnostics. */
    long refusedConnections() {
        return refused.get();
    }

    /** Whether the connection with {@code peer} is up (authenticated), for tests and diagnostics. */
    synchronized boolean hasPeer(int peer) {
        return peers[peer] != null;
    }

    /**
     * Connects to every peer and authenticates each connection both ways; returns when all {@code size - 1}
     * connections are up. The deadline is {@link MeshConfig#timeout()} for the whole of it.
     *
     * @param addresses every rank's {@link #address()}, indexed by rank, this rank's own included
     * @throws PeerTimeoutException a peer did not connect or could not be reached in time (the first such rank)
     * @throws HandshakeException a peer at a published address failed to prove it holds the key
     */
    public void connect(List<String> addresses) throws IOException {
        long start = System.nanoTime();
        long deadline = start + config.timeout().toNanos();
        if (addresses == null || addresses.size() != size) {
            throw new IllegalArgumentException("rank " + rank + " needs " + size + " addresses, got "
                    + (addresses == null ? null : addresses.size()));
        }
        synchronized (this) {
            usable();
            if (connected || this.addresses != null) {
                throw new IllegalStateException("rank " + rank + " of " + stage() + " is already connected");
            }
            this.addresses = List.copyOf(addresses);
        }
        try {
            for (int peer = 0; peer < rank; peer++) {
                connectTo(peer, deadline);
            }
            synchronized (this) {
                int missing;
                while ((missing = firstMissing()) >= 0 && !closed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new PeerTimeoutException(rank, missing, addressOf(missing), config.timeout(), stage(),
                                "it did not connect (missing ranks " + missingRanks() + ")");
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                usable();
                connected = true;
            }
            Net.closeQuietly(listener);
            handshakes.shutdown();
            if (size > 1) {
                watcher = Net.daemon("mesh-" + rank + "-of-" + size + "-watch").newThread(this::watch);
                watcher.start();
            }
            LOG.debug("rank {} of {} connected in {} ({})", rank, size, stage(), Net.describe(Net.since(start)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(new InterruptedIOException("rank " + rank + " was interrupted while connecting in "
                    + stage()));
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Closes the connection of a write that passed its deadline (the peer does not take our bytes: its process is
     * frozen or its machine gone), which fails that write; looks a few times per deadline, at most every second.
     */
    private void watch() {
        long every = Math.max(10, Math.min(1000, config.timeout().toMillis() / 10));
        while (!closed) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            long d = writeDeadline;
            int p = writing;
            if (d != 0 && p >= 0 && System.nanoTime() - d > 0 && writeDeadline == d) {
                overdue = p;
                Peer peer = peers[p];
                if (peer != null) {
                    LOG.debug("rank {} in {}: rank {} did not take our message in time: closing", rank, stage(), p);
                    peer.link.close();
                }
            }
        }
    }

    private void connectTo(int peer, long deadline) throws IOException {
        String peerAddress = addressOf(peer);
        InetSocketAddress target = Net.parse(peerAddress);
        long start = System.nanoTime();
        while (true) {
            usable();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new PeerTimeoutException(rank, peer, peerAddress, config.timeout(), stage(),
                        "could not reach it");
            }
            Socket socket = new Socket();
            try {
                socket.connect(target, (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
            } catch (ConnectException | NoRouteToHostException e) {
                // not listening (yet) or unreachable for now: try again until the deadline
                Net.closeQuietly(socket);
                sleep(Math.min(100, left / 1_000_000));
                continue;
            } catch (SocketTimeoutException e) {
                Net.closeQuietly(socket);
                throw new PeerTimeoutException(rank, peer, peerAddress, config.timeout(), stage(),
                        "could not reach it");
            } catch (IOException e) {
                Net.closeQuietly(socket);
                throw new IOException("rank " + rank + " cannot connect to rank " + peer + " (" + peerAddress
                        + ") in " + stage() + ": " + e.getMessage(), e);
            }
            Net.Watchdog watchdog = Net.closeAt(socket, deadline);
            try {
                Link.tune(socket);
                BufferedInputStream in = Link.input(socket);
                BufferedOutputStream out = Link.output(socket);
                Handshake.Session session = Handshake.connect(in, out, Handshake.KIND_MESH, rank, peer, config,
                        key);
                if (!watchdog.disarm()) {
                    throw new IOException("socket closed");
                }
                install(peer, new Link(socket, in, out, session));
                return;
            } catch (IOException e) {
                Net.closeQuietly(socket);
                if (watchdog.fired()) {
                    throw new PeerTimeoutException(rank, peer, peerAddress, config.timeout(), stage(),
                            "it did not finish the handshake");
                }
                throw new HandshakeException("rank " + rank + " could not authenticate with rank " + peer + " ("
                        + peerAddress + ") in " + stage() + ": " + e.getMessage(), e);
            }
        }
    }

    private static void sleep(long ms) throws InterruptedIOException {
        try {
            Thread.sleep(Math.max(1, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting");
        }
    }

    private void acceptLoop() {
        while (!closed && !listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed && !listener.isClosed()) {
                    LOG.warn("rank {} in {}: accepting failed: {}", rank, stage(), e.toString());
                }
                continue;
            }
            try {
                handshakes.execute(() -> handshake(socket));
            } catch (RejectedExecutionException e) {
                refuse(socket, String.valueOf(socket.getRemoteSocketAddress()),
                        "too many handshakes under way (" + MAX_HANDSHAKES + ")");
            }
        }
    }

    private void handshake(Socket socket) {
        String remote = String.valueOf(socket.getRemoteSocketAddress());
        Net.Watchdog watchdog = Net.closeAt(socket, Net.handshakeDeadline(config.timeout()));
        int claim = -1;
        try {
            Link.tune(socket);
            BufferedInputStream in = Link.input(socket);
            BufferedOutputStream out = Link.output(socket);
            Handshake.Session session = Handshake.verify(in, out, Handshake.KIND_MESH, rank,
                    from -> from > rank && from < size && !isClaimed(from), config, key);
            if (!claim(session.peerRank())) {
                throw new HandshakeException("rank " + session.peerRank() + " is already connected");
            }
            claim = session.peerRank();
            Handshake.accept(out);
            if (!watchdog.disarm()) {
                throw new IOException("socket closed");
            }
            install(claim, new Link(socket, in, out, session));
        } catch (IOException | RuntimeException e) {
            if (claim >= 0) {
                release(claim);
            }
            String why = watchdog.fired()
                    ? "no handshake within " + Net.describe(Net.HANDSHAKE.compareTo(config.timeout()) < 0
                            ? Net.HANDSHAKE : config.timeout())
                    : e.getMessage();
            refuse(socket, remote, why);
        }
    }

    private void refuse(Socket socket, String remote, String why) {
        Net.closeQuietly(socket);
        if (closed) {
            return;
        }
        refused.incrementAndGet();
        LOG.warn("rank {} of {} in {} refused a connection from {}: {}", rank, size, stage(), remote, why);
    }

    private synchronized boolean isClaimed(int peer) {
        return claimed[peer];
    }

    private synchronized boolean claim(int peer) {
        if (claimed[peer]) {
            return false;
        }
        claimed[peer] = true;
        return true;
    }

    private synchronized void release(int peer) {
        if (peers[peer] == null) {
            claimed[peer] = false;
        }
    }

    private void install(int peer, Link link) {
        synchronized (this) {
            if (!closed) {
                claimed[peer] = true;
                peers[peer] = new Peer(peer, link);
                notifyAll();
                return;
            }
        }
        link.close();
    }

    private int firstMissing() {
        for (int p = 0; p < size; p++) {
            if (p != rank && peers[p] == null) {
                return p;
            }
        }
        return -1;
    }

    private List<Integer> missingRanks() {
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < size; p++) {
            if (p != rank && peers[p] == null) {
                missing.add(p);
            }
        }
        return missing;
    }

    private String addressOf(int peer) {
        List<String> a = addresses;
        return a == null ? "unknown address" : a.get(peer);
    }

    /**
     * Every rank's bytes, indexed by rank; this rank's own array in its slot, not copied. Sends {@code mine} to
     * every peer and receives one message from each, concurrently; returns when all are in and all of ours are
     * written. {@code mine} must not change until then. Any length, 0 included, up to 2^31 - 9 bytes.
     *
     * @throws PeerTimeoutException a peer's message did not arrive (or ours was not taken) within the timeout
     */
    public byte[][] allGather(byte[] mine) throws IOException {
        checkLength(mine);
        byte[][] outgoing = new byte[size][];
        java.util.Arrays.fill(outgoing, mine);
        return allToAll(outgoing);
    }

    /**
     * Sends {@code outgoing[p]} to every peer {@code p} and receives one message from each, concurrently (a
     * reduce-scatter's exchange: each rank's share of its data to the rank that owns it); returns every peer's
     * message to this rank by rank, {@code outgoing[rank]} (not sent, not copied) in this rank's slot. The arrays must
     * not change until the call returns. Deadlines and failures as {@link #allGather}.
     */
    public byte[][] allToAll(byte[][] outgoing) throws IOException {
        long start = System.nanoTime();
        long deadline = start + config.timeout().toNanos();
        ready();
        if (outgoing == null || outgoing.length != size) {
            throw new IllegalArgumentException("rank " + rank + " of " + size + " was given "
                    + (outgoing == null ? null : outgoing.length) + " messages to send");
        }
        for (int p = 0; p < size; p++) {
            if (p != rank) {
                checkLength(outgoing[p]);
            }
        }
        byte[][] all = new byte[size][];
        all[rank] = outgoing[rank];
        try {
            for (int k = 1; k < size; k++) {
                int p = (rank + k) % size;
                peers[p].write(outgoing[p], deadline, start);
            }
            // take each peer's message as it arrives: a peer that failed fails the call at once, whatever its rank
            boolean[] received = new boolean[size];
            received[rank] = true;
            int pending = size - 1;
            while (pending > 0) {
                long seen = arrivals();
                for (int p = 0; p < size; p++) {
                    if (!received[p]) {
                        Object m = peers[p].inbox.poll();
                        if (m != null) {
                            all[p] = peers[p].unwrap(m);
                            received[p] = true;
                            pending--;
                        }
                    }
                }
                if (pending > 0) {
                    awaitArrival(seen, deadline, start, received);
                }
            }
            return all;
        } catch (IOException e) {
            throw fail(e);
        }
    }

    private long arrivals() {
        arrivalLock.lock();
        try {
            return arrivals;
        } finally {
            arrivalLock.unlock();
        }
    }

    private void signalArrival() {
        arrivalLock.lock();
        try {
            arrivals++;
            arrived.signalAll();
        } finally {
            arrivalLock.unlock();
        }
    }

    /** Waits until a message (or failure) arrived from any peer since {@code seen}; past the deadline, throws. */
    private void awaitArrival(long seen, long deadline, long start, boolean[] received) throws IOException {
        arrivalLock.lock();
        try {
            while (arrivals == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    List<Integer> waiting = new ArrayList<>();
                    for (int p = 0; p < size; p++) {
                        if (!received[p]) {
                            waiting.add(p);
                        }
                    }
                    int first = waiting.get(0);
                    throw new PeerTimeoutException(rank, first, addressOf(first), config.timeout(), stage(),
                            "no message arrived" + (waiting.size() > 1 ? " (waiting for ranks " + waiting + ")" : ""));
                }
                arrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("rank " + rank + " was interrupted in an exchange in " + stage());
        } finally {
            arrivalLock.unlock();
        }
    }

    /** Sends one message to {@code peer}; returns once it is written to the socket (within the timeout). */
    public void send(int peer, byte[] message) throws IOException {
        long start = System.nanoTime();
        long deadline = start + config.timeout().toNanos();
        ready();
        checkPeer(peer);
        checkLength(message);
        try {
            peers[peer].write(message, deadline, start);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** The next message from {@code peer} (FIFO per pair), waiting at most the timeout. */
    public byte[] receive(int peer) throws IOException {
        long start = System.nanoTime();
        long deadline = start + config.timeout().toNanos();
        ready();
        checkPeer(peer);
        try {
            return peers[peer].take(deadline, start);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    private void checkPeer(int peer) {
        if (peer < 0 || peer >= size || peer == rank) {
            throw new IllegalArgumentException("rank " + rank + " of " + size + " has no peer " + peer);
        }
    }

    private void checkLength(byte[] message) {
        int max = Link.MAX_FRAME;
        if (message == null || message.length > max) {
            throw new IllegalArgumentException("a message of " + (message == null ? null : message.length)
                    + " bytes: at most " + max);
        }
    }

    private synchronized void ready() throws IOException {
        usable();
        if (!connected) {
            throw new IllegalStateException("rank " + rank + " of " + stage() + " is not connected yet");
        }
    }

    private synchronized void usable() throws IOException {
        if (closed) {
            throw new IOException("the mesh of rank " + rank + " in " + stage() + " is closed");
        }
        if (broken != null) {
            throw new IOException("the mesh of rank " + rank + " in " + stage() + " failed earlier: "
                    + broken.getMessage(), broken);
        }
    }

    private synchronized IOException fail(IOException e) {
        if (broken == null) {
            broken = e;
        }
        return e;
    }

    /**
     * The bytes of the messages this rank has written to its peers so far (each with its 4-byte length; without the
     * encryption's tags and the handshakes).
     */
    public long bytesSent() {
        return sent.get();
    }

    /** The bytes of the messages this rank has received from its peers so far, counted as {@link #bytesSent}. */
    public long bytesReceived() {
        return received.get();
    }

    private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();

    /** Closes every socket and the listener; threads end. Idempotent. */
    @Override
    public void close() {
        Peer[] all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = peers.clone();
            notifyAll();
        }
        Net.closeQuietly(listener);
        handshakes.shutdownNow();
        if (watcher != null) {
            watcher.interrupt();
        }
        for (Peer p : all) {
            if (p != null) {
                p.close();
            }
        }
    }

    /** One connected peer: its link, its reader thread and inbox. */
    private final class Peer {
        final int peer;
        final Link link;
        final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final Thread reader;
        volatile Throwable failure;

        Peer(int peer, Link link) {
            this.peer = peer;
            this.link = link;
            String name = "mesh-" + rank + "-of-" + size + "-peer-" + peer;
            this.reader = Net.daemon(name + "-read").newThread(this::readLoop);
            reader.start();
        }

        private void readLoop() {
            try {
                while (true) {
                    byte[] m = link.read();
                    received.addAndGet(m.length + 4L);
                    inbox.add(m);
                    signalArrival();
                }
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                failure = e;
                inbox.add(FAILED);
                signalArrival();
                if (!closed) {
                    LOG.debug("rank {} in {}: rank {} ended: {}", rank, stage(), peer, e.toString());
                }
            }
        }

        /**
         * Writes one message on the caller's thread, watched by {@link #watch}: past {@code deadline} the connection is
         * closed and this throws {@link PeerTimeoutException}.
         */
        void write(byte[] message, long deadline, long start) throws IOException {
            if (System.nanoTime() - deadline > 0) {
                throw new PeerTimeoutException(rank, peer, addressOf(peer), config.timeout(), stage(),
                        "it did not take our message");
            }
            writing = peer;
            writeDeadline = deadline;
            try {
                link.write(message);
                sent.addAndGet(message.length + 4L);
            } catch (IOException e) {
                if (overdue == peer) {
                    throw new PeerTimeoutException(rank, peer, addressOf(peer), config.timeout(), stage(),
                            "it did not take our message");
                }
                throw lost(e);
            } finally {
                writeDeadline = 0;
                writing = -1;
            }
        }

        byte[] take(long deadline, long start) throws IOException {
            Object m;
            try {
                m = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("rank " + rank + " was interrupted waiting for rank " + peer
                        + " (" + addressOf(peer) + ") in " + stage());
            }
            if (m == null) {
                throw new PeerTimeoutException(rank, peer, addressOf(peer), config.timeout(), stage(),
                        "no message arrived");
            }
            return unwrap(m);
        }

        /** A message taken from the inbox, or the failure it stands for (left in place for later calls). */
        byte[] unwrap(Object m) throws IOException {
            if (m == FAILED) {
                inbox.add(FAILED);
                throw lost(failure);
            }
            return (byte[]) m;
        }

        private IOException lost(Throwable cause) {
            return new IOException("rank " + rank + " lost rank " + peer + " (" + addressOf(peer) + ") in "
                    + stage() + ": " + (cause == null ? "unknown failure" : cause.getMessage()), cause);
        }

        void close() {
            link.close();
        }
    }
}
