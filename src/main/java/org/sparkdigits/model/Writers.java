package org.sparkdigits.model;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.io.Echo;
import org.sparkdigits.io.HadoopFs;

/**
 * Who is writing a model directory, so that two writers of the same directory (two {@code train --out SAME}, two
 * reports) lose nothing, in the spirit of Hadoop's {@code _temporary} directories and HDFS leases.
 *
 * <p>Every writer leaves an <em>owner record</em> beside the target: host name, process id, the process's start time
 * and the time the write began. A write's temporary directory {@code .NAME.tmp-ID} (and, while it replaces the
 * model, the previous model {@code .NAME.old-ID}) has its record in {@code .NAME.writer-ID}; the commit (the renames,
 * the in-place writes of the manifest mode, a replaced file) holds the lock {@code .NAME.lock}, a record created
 * exclusively (on the local disk with {@code O_EXCL}, on HDFS with {@code create(overwrite=false)}). A held record's
 * modification time is refreshed by a heartbeat: it is a lease.
 *
 * <p>A record's owner is <em>provably gone</em> when it ran on this host and its process no longer exists (or the
 * process id now belongs to a process started at another time), or when its lease is older than
 * {@value #LEASE_SETTING} (default {@value #DEFAULT_LEASE_SECONDS} s; a record on another host, or one that cannot
 * be read). Only leftovers of a provably gone owner are ever removed, and a lock of a provably gone owner is taken
 * over. On stores that cannot set a file's time (most object stores) the lease runs from the record's creation, and
 * {@code create(overwrite=false)} may not be exclusive there: the lock is then read back after it is taken.
 */
final class Writers {

    private static final Logger LOG = LoggerFactory.getLogger(Writers.class);

    /** Seconds after which a record not refreshed is taken for a dead writer's. */
    static final String LEASE_SETTING = "spark-digits.model.lease-seconds";
    static final long DEFAULT_LEASE_SECONDS = 300;
    /** Seconds a writer waits for another one's commit before it gives up. */
    static final String WAIT_SETTING = "spark-digits.model.lock-wait-seconds";
    static final long DEFAULT_WAIT_SECONDS = 120;
    static final String LOCK = ".lock";
    static final String RECORD = ".writer-";
    private static final int MAX_RECORD = 4096;

    private static final ScheduledExecutorService HEARTBEAT = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "model-writer-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private static volatile String host;

    private Writers() {
    }

    /** A fresh write id, unique across processes: the process id and a clock reading. */
    static String newId() {
        return ProcessHandle.current().pid() + "-" + Long.toString(System.nanoTime() & Long.MAX_VALUE, 36);
    }

    /** {@code .NAME.writer-ID} beside {@code target}. */
    static Path record(Path target, String id) {
        return new Path(target.getParent(), "." + target.getName() + RECORD + id);
    }

    /** {@code .NAME.lock} beside {@code target}. */
    static Path lock(Path target) {
        return new Path(target.getParent(), "." + target.getName() + LOCK);
    }

    static long leaseMillis(Configuration conf) {
        return TimeUnit.SECONDS.toMillis(Math.max(1, conf.getLong(LEASE_SETTING, DEFAULT_LEASE_SECONDS)));
    }

    /** This host's name (as {@link InetAddress#getLocalHost()} gives it, else {@code $HOSTNAME}). */
    static String localHost() {
        String h = host;
        if (h == null) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                h = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
            }
            host = h;
        }
        return h;
    }

    /** Who made a record: host, process id, the process's start (ms, 0 if unknown) and the write's start (ms). */
    record Owner(String host, long pid, long processStart, long since) {

        static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(localHost(), self.pid(), self.info().startInstant().map(Instant::toEpochMilli).orElse(0L),
                    System.currentTimeMillis());
        }

        byte[] bytes() {
            return ("host=" + host + "\npid=" + pid + "\nprocess_start=" + processStart + "\nsince=" + since + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        /** The owner in a record's bytes, or {@code null} if they are not one (empty while it is being written). */
        static Owner parse(byte[] bytes) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            try {
                String h = fields.get("host");
                if (h == null || h.isEmpty()) {
                    return null;
                }
                return new Owner(h, Long.parseLong(fields.get("pid")), Long.parseLong(fields.get("process_start")),
                        Long.parseLong(fields.get("since")));
            } catch (NumberFormatException | NullPointerException e) {
                return null;
            }
        }

        /** "host h, pid 123, since 2024-05-01T10:00:00Z" */
        String describe() {
            return "host " + Echo.value(host) + ", pid " + pid + ", since "
                    + Instant.ofEpochMilli(since).truncatedTo(ChronoUnit.SECONDS);
        }

        /**
         * Whether this owner is provably gone: on this host, its process is not running (or that pid is another
         * process now); elsewhere, its lease (the record's modification time {@code mtime}) is older than {@code lease}.
         */
        boolean gone(long mtime, long now, long lease) {
            if (host.equals(localHost())) {
                Optional<ProcessHandle> p = ProcessHandle.of(pid);
                if (p.isEmpty() || !p.get().isAlive()) {
                    return true;
                }
                long started = p.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
                return processStart != 0 && started != 0 && Math.abs(started - processStart) > 1000;
            }
            return now - mtime > lease;
        }
    }

    /** What is known of the writer behind a record: whether it is provably gone, and who it is, for messages. */
    record Verdict(boolean gone, String who, byte[] bytes) {
    }

    /**
     * The verdict on the record {@code p}, or {@code null} if there is no such record. An unreadable record (being
     * written, or not ours) counts as gone only once its lease has run out.
     */
    static Verdict judge(FileSystem fs, Path p, long lease) throws IOException {
        FileStatus st;
        byte[] bytes;
        try {
            st = fs.getFileStatus(p);
            bytes = st.isFile() && st.getLen() <= MAX_RECORD ? HadoopFs.readAll(fs, p, "model", MAX_RECORD) : new byte[0];
        } catch (java.io.FileNotFoundException e) {
            return null;
        } catch (org.sparkdigits.io.InputException e) {   // a FIFO or device named like a record: never ours
            bytes = new byte[0];
            try {
                st = fs.getFileStatus(p);
            } catch (java.io.FileNotFoundException gone) {   // released meanwhile
                return null;
            }
        }
        long now = System.currentTimeMillis();
        Owner o = Owner.parse(bytes);
        if (o == null) {
            return new Verdict(now - st.getModificationTime() > lease, "an unknown writer (" + p.getName() + " is not "
                    + "a record it could read)", bytes);
        }
        return new Verdict(o.gone(st.getModificationTime(), now, lease), o.describe(), bytes);
    }

    /**
     * The verdict on the leftover {@code dir} of write {@code id}: by its record, or, for a leftover without one (an
     * older spark-digits wrote it, or its writer died before the record), by the leftover's own modification time.
     */
    static Verdict judgeLeftover(FileSystem fs, FileStatus dir, String id, Path target, long lease) throws IOException {
        Verdict v = id == null ? null : judge(fs, record(target, id), lease);
        if (v != null) {
            return v;
        }
        return new Verdict(System.currentTimeMillis() - dir.getModificationTime() > lease,
                "a writer that left no record", new byte[0]);
    }

    /**
     * An owner record held by this process: created exclusively, refreshed by the heartbeat, deleted on
     * {@link #close()}.
     */
    static final class Lease implements AutoCloseable {

        private final FileSystem fs;
        private final Path path;
        private final byte[] bytes;
        private final ScheduledFuture<?> beat;

        private Lease(FileSystem fs, Path path, byte[] bytes, long lease) {
            this.fs = fs;
            this.path = path;
            this.bytes = bytes;
            long every = Math.max(200, lease / 10);
            this.beat = HEARTBEAT.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
        }

        /**
         * Creates {@code p} holding this process's record, or returns {@code null} if it exists already (another
         * writer's).
         */
        static Lease take(FileSystem fs, Path p, long lease) throws IOException {
            byte[] bytes = Owner.current().bytes();
            java.nio.file.Path local = HadoopFs.local(fs, p);
            if (local != null) {
                try {
                    Files.write(local, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    return null;
                }
            } else {
                try (OutputStream out = fs.create(p, false)) {
                    out.write(bytes);
                } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
                    return null;
                } catch (IOException e) {
                    if (fs.exists(p)) {   // HDFS reports a lost race in other exceptions too
                        return null;
                    }
                    throw e;
                }
                // a store whose create is not exclusive: the last one to write it holds it
                try {
                    if (!Arrays.equals(bytes, HadoopFs.readAll(fs, p, "model", MAX_RECORD))) {
                        return null;
                    }
                } catch (java.io.FileNotFoundException e) {
                    return null;
                }
            }
            return new Lease(fs, p, bytes, lease);
        }

        Path path() {
            return path;
        }

        private void refresh() {
            try {
                fs.setTimes(path, System.currentTimeMillis(), -1);
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot refresh {}: {}", path, e.toString());
            }
        }

        @Override
        public void close() {
            beat.cancel(false);
            try {
                // ours still (a writer that took it over after our lease ran out keeps its own)
                if (Arrays.equals(bytes, HadoopFs.readAll(fs, path, "model", MAX_RECORD))) {
                    fs.delete(path, false);
                }
            } catch (java.io.FileNotFoundException e) {
                // gone already
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot remove {}: {}", path, HadoopFs.describe(e, path));
            }
        }
    }

    /**
     * Takes the lock of {@code target}: waits while another live writer holds it (saying once whom it waits for),
     * takes over a lock whose owner is provably gone, and gives up after {@value #WAIT_SETTING} with a message naming
     * the holder.
     *
     * @param shown the directory as the user gave it, for messages
     * @throws ModelException if the wait ran out
     */
    static Lease lock(FileSystem fs, Path target, String shown, Configuration conf) throws IOException {
        Path p = lock(target);
        long lease = leaseMillis(conf);
        long waitMs = TimeUnit.SECONDS.toMillis(Math.max(0, conf.getLong(WAIT_SETTING, DEFAULT_WAIT_SECONDS)));
        long start = System.currentTimeMillis();
        long pause = 10;
        String waitingFor = null;
        while (true) {
            Lease l = Lease.take(fs, p, lease);
            if (l != null) {
                if (waitingFor != null) {
                    LOG.info("{} has finished writing {}: going on", waitingFor, shown);
                }
                return l;
            }
            Verdict v = judge(fs, p, lease);
            if (v == null) {
                continue;   // released meanwhile
            }
            if (v.gone()) {
                takeOver(fs, p, v, lease);
                LOG.warn("took over the lock {} of {}, which is no longer running", p, v.who());
                continue;
            }
            if (waitingFor == null || !waitingFor.equals(v.who())) {
                waitingFor = v.who();
                LOG.info("waiting for {} to finish writing {}", v.who(), shown);
            }
            if (System.currentTimeMillis() - start >= waitMs) {
                throw new ModelException("model " + shown + ": gave up after " + TimeUnit.MILLISECONDS.toSeconds(waitMs)
                        + " s waiting for another writer of it (" + v.who() + ", holding " + p + "); if that process "
                        + "is gone, remove " + p.getName() + " and write again");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelException("model " + shown + ": interrupted while waiting for " + v.who() + " to finish writing it");
            }
            pause = Math.min(500, pause * 2);
        }
    }

    /** Removes the lock {@code p} of a gone owner if it still holds what was judged (not a new holder's record). */
    private static void takeOver(FileSystem fs, Path p, Verdict v, long lease) throws IOException {
        Verdict again = judge(fs, p, lease);
        if (again != null && again.gone() && Arrays.equals(again.bytes(), v.bytes())) {
            fs.delete(p, false);
        }
    }

    /**
     * Who holds the lock of {@code target}, if a live writer does ({@code null} if none, or it is provably gone).
     */
    static String holder(FileSystem fs, Path target, Configuration conf) {
        try {
            Verdict v = judge(fs, lock(target), leaseMillis(conf));
            return v == null || v.gone() ? null : v.who();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
