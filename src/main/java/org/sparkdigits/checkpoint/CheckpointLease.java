package org.sparkdigits.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.io.Echo;
import org.sparkdigits.io.HadoopFs;
import org.sparkdigits.io.InputException;

/**
 * A run's hold on its {@code --checkpoint-dir} for the run's lifetime, so that two runs never share one (each one's
 * "keep the newest two" would delete the other's checkpoints): a lease file {@value #NAME} in the directory, created
 * exclusively (HDFS's create without overwrite; on the local disk {@code O_EXCL}, since Hadoop's local create checks and
 * then opens), naming the run (host, pid, start time, the YARN application and attempt when there is one). A daemon
 * thread refreshes it every {@link #HEARTBEAT} (its modification time, or the file rewritten where a file system keeps
 * no settable times); {@link #close} deletes it, and so does a shutdown hook if the JVM exits first.
 * <p>
 * Another run's lease is taken over only when provably stale: it names this host and a pid that is no longer running
 * (or is another process now), or it was not refreshed for longer than {@link #EXPIRY}, or it is held by an earlier
 * attempt of this driver's own YARN application (YARN started the driver again). Otherwise {@link #acquire} refuses
 * the directory, naming the run that holds it.
 */
public final class CheckpointLease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointLease.class);

    /** The lease file's name in the checkpoint directory (not a {@code ckpt-} name: never taken for a checkpoint). */
    public static final String NAME = ".lock";
    /** How often a live run refreshes its lease. */
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    /** A lease not refreshed for longer than this (six heartbeats) is stale. */
    static final Duration EXPIRY = HEARTBEAT.multipliedBy(6);
    private static final long MAX_BYTES = 4096;
    private static final String HEADER = "spark-digits --checkpoint-dir lease";
    /** The tokens of the leases this JVM holds: a lease naming this pid and another token is a leftover. */
    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();
    private static final String HOST = hostName();

    /**
     * The run a lease names.
     *
     * @param token       unique to the lease
     * @param application the YARN application id, or {@code null} outside YARN
     * @param attempt     the YARN attempt, 0 outside YARN
     */
    record Holder(String token, String host, long pid, Instant since, String application, int attempt) {

        String encode() {
            StringBuilder sb = new StringBuilder(HEADER).append('\n');
            sb.append("token=").append(token).append('\n');
            sb.append("host=").append(host).append('\n');
            sb.append("pid=").append(pid).append('\n');
            sb.append("since=").append(since).append('\n');
            if (application != null) {
                sb.append("application=").append(application).append('\n');
                sb.append("attempt=").append(attempt).append('\n');
            }
            return sb.toString();
        }

        /** The holder a lease file names, or {@code null} if it is not (or not yet: being written) a whole one. */
        static Holder decode(String text) {
            Map<String, String> m = new LinkedHashMap<>();
            String[] lines = text.split("\n");
            if (lines.length == 0 || !lines[0].equals(HEADER)) {
                return null;
            }
            for (int i = 1; i < lines.length; i++) {
                int eq = lines[i].indexOf('=');
                if (eq > 0) {
                    m.put(lines[i].substring(0, eq), lines[i].substring(eq + 1).trim());
                }
            }
            try {
                String app = m.get("application");
                return new Holder(m.get("token"), m.get("host"), Long.parseLong(m.get("pid")), Instant.parse(m.get("since")),
                        app, app == null ? 0 : Integer.parseInt(m.get("attempt")));
            } catch (RuntimeException e) {   // a missing or malformed field
                return null;
            }
        }

        /** For messages: {@code host H (pid P) since T}, with the YARN attempt when there is one. */
        String describe() {
            return "host " + Echo.value(host) + " (pid " + pid + (application == null ? ""
                    : ", YARN " + Echo.value(application) + " attempt " + attempt) + ") since " + since;
        }
    }

    private final FileSystem fs;
    private final Path file;
    private final String dir;
    private final Holder holder;
    private final ScheduledExecutorService heartbeat;
    private final Runnable onExit = this::close;
    private boolean released;
    private boolean lost;

    private CheckpointLease(FileSystem fs, Path file, String dir, Holder holder) {
        this.fs = fs;
        this.file = file;
        this.dir = dir;
        this.holder = holder;
        HELD.add(holder.token());
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "checkpoint-dir lease " + dir);
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::refresh, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        try {   // before Hadoop closes its file systems
            ShutdownHookManager.get().addShutdownHook(onExit, FileSystem.SHUTDOWN_HOOK_PRIORITY + 10);
        } catch (IllegalStateException e) {
            // the JVM is already exiting
        }
    }

    /**
     * Takes {@code dir}'s lease for this run (the directory is created if missing), or refuses it.
     *
     * @param attempt this driver's YARN attempt, if any: an earlier attempt's lease is taken over
     * @throws InputException naming the run that holds the directory, if that run may still be alive
     */
    public static CheckpointLease acquire(String dir, Optional<YarnAttempt> attempt, Configuration conf) {
        Path p = HadoopFs.path(dir, "--checkpoint-dir");
        Path file = new Path(p, NAME);
        FileSystem fs = HadoopFs.forWriting(HadoopFs.fileSystem(p, conf, "--checkpoint-dir"));
        Holder mine = new Holder(UUID.randomUUID().toString(), HOST, ProcessHandle.current().pid(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS), attempt.map(YarnAttempt::applicationId).orElse(null),
                attempt.map(YarnAttempt::attempt).orElse(0));
        try {
            fs.mkdirs(p);
            for (int tries = 0; tries < 5; tries++) {
                if (createExclusive(fs, file, mine)) {
                    LOG.info("--checkpoint-dir {}: holding it for this run ({})", dir, file);
                    return new CheckpointLease(fs, file, dir, mine);
                }
                FileStatus st;
                Holder held;
                try {
                    st = fs.getFileStatus(file);
                    held = read(fs, file);
                } catch (FileNotFoundException e) {
                    continue;   // let go of in the meantime
                }
                String stale = staleness(held, st.getModificationTime(), attempt);
                if (stale == null) {
                    throw new InputException(inUse(dir, held, st));
                }
                LOG.warn("--checkpoint-dir {}: taking over the lease {} of {}: {}", dir, file,
                        held == null ? "a run that never finished writing it" : "the run on " + held.describe(), stale);
                takeOver(fs, file, held);
            }
            throw new InputException("--checkpoint-dir " + dir + ": could not take its lease " + file
                    + " (other runs keep taking it): give another directory");
        } catch (IOException e) {
            throw new InputException("--checkpoint-dir " + dir + ": " + HadoopFs.describe(e, file), e);
        }
    }

    /** Why the lease of {@code held} (modified at {@code mtime}) is stale, or {@code null} if its run may be alive. */
    static String staleness(Holder held, long mtime, Optional<YarnAttempt> attempt) {
        if (held != null && attempt.isPresent() && attempt.get().applicationId().equals(held.application())
                && held.attempt() < attempt.get().attempt()) {
            return "it is attempt " + held.attempt() + " of this application, which YARN started again";
        }
        if (held != null && HOST.equals(held.host())) {
            if (held.pid() == ProcessHandle.current().pid()) {
                if (!HELD.contains(held.token())) {
                    return "this process holds no such lease any more";
                }
            } else {
                Optional<ProcessHandle> ph = ProcessHandle.of(held.pid());
                if (ph.isEmpty() || !ph.get().isAlive()) {
                    return "pid " + held.pid() + " is no longer running on " + held.host();
                }
                Optional<Instant> started = ph.get().info().startInstant();
                if (started.isPresent() && started.get().isAfter(held.since().plusSeconds(1))) {
                    return "pid " + held.pid() + " is another process now (started " + started.get().truncatedTo(ChronoUnit.SECONDS) + ")";
                }
            }
        }
        long age = System.currentTimeMillis() - mtime;
        if (age > EXPIRY.toMillis()) {
            return "not refreshed for " + age / 1000 + " s (a live run refreshes it every " + HEARTBEAT.toSeconds() + " s)";
        }
        return null;
    }

    private static String inUse(String dir, Holder held, FileStatus st) {
        String who = held == null ? "a run whose lease " + st.getPath() + " is being written (modified "
                + Instant.ofEpochMilli(st.getModificationTime()).truncatedTo(ChronoUnit.SECONDS) + ")"
                : "the run on " + held.describe();
        return "--checkpoint-dir " + dir + " is in use by " + who + ": wait for it to end, or give another directory";
    }

    /**
     * Moves a stale lease aside under a name of its own (a rename: of two runs taking it over at once, one wins), then
     * checks that what was moved is the lease found stale and not a new one that another run took meanwhile.
     */
    private static void takeOver(FileSystem fs, Path file, Holder stale) throws IOException {
        Path aside = new Path(file.getParent(), NAME + ".stale-" + UUID.randomUUID());
        if (!fs.rename(file, aside)) {
            return;   // another run moved it first: try again
        }
        Holder moved = null;
        try {
            moved = read(fs, aside);
        } catch (FileNotFoundException e) {
            // gone
        }
        if (stale != null && moved != null && !stale.token().equals(moved.token())) {
            // a fresh lease that another run took meanwhile: give it back (if no third run has taken it since)
            if (!fs.exists(file) && fs.rename(aside, file)) {
                return;
            }
        }
        fs.delete(aside, false);
    }

    /** Creates {@code file} with {@code h}'s record unless it exists; whether it was created. */
    private static boolean createExclusive(FileSystem fs, Path file, Holder h) throws IOException {
        byte[] bytes = h.encode().getBytes(StandardCharsets.UTF_8);
        java.nio.file.Path local = HadoopFs.local(fs, file);
        try (OutputStream out = local != null
                ? Files.newOutputStream(local, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                : fs.create(file, false)) {
            out.write(bytes);
            return true;
        } catch (FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(file)) {   // some file systems report it otherwise
                return false;
            }
            throw e;
        }
    }

    /** The holder {@code file} names, or {@code null} if it is not a whole lease record. */
    static Holder read(FileSystem fs, Path file) throws IOException {
        return Holder.decode(new String(HadoopFs.readAll(fs, file, "--checkpoint-dir", MAX_BYTES), StandardCharsets.UTF_8));
    }

    /** The run this lease names. */
    Holder holder() {
        return holder;
    }

    /**
     * Refreshes the lease (the heartbeat): its modification time set to now, or the file rewritten where the file
     * system keeps no settable times. A lease found gone is taken again; one that another run took over is given up.
     */
    synchronized void refresh() {
        if (released || lost) {
            return;
        }
        try {
            Holder now;
            try {
                now = read(fs, file);
            } catch (FileNotFoundException e) {
                if (createExclusive(fs, file, holder)) {
                    LOG.warn("--checkpoint-dir {}: the lease {} was gone: taken again", dir, file);
                    return;
                }
                now = read(fs, file);
            }
            if (now == null || !holder.token().equals(now.token())) {
                lost = true;
                LOG.error("--checkpoint-dir {}: another run took over this run's lease {} ({}): two runs may now write "
                        + "checkpoints there", dir, file, now == null ? "unreadable" : "the run on " + now.describe());
                return;
            }
            long t = System.currentTimeMillis();
            try {
                fs.setTimes(file, t, -1);
            } catch (UnsupportedOperationException | IOException e) {
                // below: rewritten
            }
            if (fs.getFileStatus(file).getModificationTime() < t - 1000) {   // the file system ignored it (object stores)
                try (OutputStream out = fs.create(file, true)) {
                    out.write(holder.encode().getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("--checkpoint-dir {}: cannot refresh the lease {}: {}", dir, file, HadoopFs.describe(e, file));
        }
    }

    /** Lets go of the directory: the heartbeat stops and the lease file is deleted (if it is still this run's). */
    @Override
    public void close() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        heartbeat.shutdownNow();
        HELD.remove(holder.token());
        try {
            ShutdownHookManager.get().removeShutdownHook(onExit);
        } catch (IllegalStateException e) {
            // the JVM is exiting (this may be the hook)
        }
        try {
            Holder now = read(fs, file);
            if (now != null && holder.token().equals(now.token())) {
                fs.delete(file, false);
                LOG.info("--checkpoint-dir {}: released", dir);
            }
        } catch (FileNotFoundException e) {
            // already gone
        } catch (IOException | RuntimeException e) {
            LOG.warn("--checkpoint-dir {}: cannot delete the lease {}: {}", dir, file, HadoopFs.describe(e, file));
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            String h = System.getenv("HOSTNAME");
            return h == null || h.isBlank() ? "localhost" : h.trim();
        }
    }

    /** This JVM's host as leases name it. */
    static String host() {
        return HOST;
    }
}
