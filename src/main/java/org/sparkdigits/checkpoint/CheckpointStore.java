package org.sparkdigits.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.io.HadoopFs;
import org.sparkdigits.io.InputException;

/**
 * Checkpoint files {@code ckpt-<step>} in a directory on any Hadoop file system (local disk, HDFS, S3A...):
 * each written under a temporary name and renamed into place, so a reader sees whole files only; the newest
 * {@value #KEEP} up to the current step are kept, and a file of a later step (another run's, or a forged one) or
 * one found damaged is never deleted by this run. {@link #newest} skips a damaged file (torn, truncated, bad checksum, too large for the
 * configuration, or with fields that do not fit it) with a warning and takes the one before it. One run at a time
 * writes a directory ({@link CheckpointLease}, whose {@code .lock} beside the checkpoints, like {@code .application-id},
 * is never taken for one: only {@code ckpt-} names are).
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    static final int KEEP = 2;
    private static final String PREFIX = "ckpt-";

    private final Path dir;
    private final FileSystem fs;
    /** Checkpoints {@link #newest} found damaged: neither counted among the kept ones nor deleted (left to look at). */
    private final java.util.Set<String> damaged = new java.util.HashSet<>();

    public CheckpointStore(String dir, Configuration hadoop) {
        try {
            this.dir = HadoopFs.path(dir, "--checkpoint-dir");
            // the local file system without Hadoop's .crc side files: a checkpoint carries its own CRC32, and a side
            // file left behind by a checkpoint deleted or copied by hand would fail the next one of its name
            this.fs = HadoopFs.forWriting(HadoopFs.fileSystem(this.dir, hadoop, "--checkpoint-dir"));
            fs.mkdirs(this.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("--checkpoint-dir " + dir + ": " + HadoopFs.describe(e), e);
        }
    }

    /** In a run's checkpoint directory on YARN: the application whose attempts may continue these checkpoints. */
    static final String OWNER = ".application-id";

    /**
     * Checks {@code dir} before any work: a directory (created if missing) that a fresh run ({@code resume} false)
     * finds without checkpoints, so that it neither continues nor deletes another run's. A driver that YARN started
     * again ({@code attempt} a re-attempt) continues the checkpoints its application's first attempt wrote, and only
     * those: the first attempt records its application id beside its checkpoints.
     *
     * @return whether the run is to resume: {@code resume}, or a re-attempt that finds its application's checkpoints
     */
    public static boolean checkTarget(String dir, boolean resume, Optional<YarnAttempt> attempt, Configuration conf) {
        Path p = HadoopFs.path(dir, "--checkpoint-dir");
        FileSystem fs = HadoopFs.fileSystem(p, conf, "--checkpoint-dir");
        try {
            if (fs.exists(p) && !fs.getFileStatus(p).isDirectory()) {
                throw new InputException("--checkpoint-dir " + dir + " is a file, not a directory");
            }
            if (!fs.mkdirs(p)) {
                throw new InputException("--checkpoint-dir " + dir + ": cannot create it");
            }
            List<FileStatus> existing = new CheckpointStore(dir, conf).checkpoints();
            Path owner = new Path(p, OWNER);
            if (attempt.isPresent() && attempt.get().reattempt() && !resume) {
                if (existing.isEmpty()) {
                    LOG.info("attempt {} of {}: no checkpoint in {} yet: starting from the beginning", attempt.get().attempt(),
                            attempt.get().applicationId(), dir);
                    return false;
                }
                String recorded = fs.exists(owner) ? readOwner(fs, owner) : null;
                if (!attempt.get().applicationId().equals(recorded)) {
                    throw new InputException("--checkpoint-dir " + dir + " holds checkpoints (newest: "
                            + existing.get(0).getPath().getName() + ") that " + (recorded == null ? "no application"
                            : recorded) + " wrote, not " + attempt.get().applicationId() + " (attempt "
                            + attempt.get().attempt() + "): add --resume to continue them, or give an empty directory");
                }
                LOG.info("attempt {} of {}: continuing the first attempt's checkpoints in {}", attempt.get().attempt(),
                        attempt.get().applicationId(), dir);
                return true;
            }
            if (!resume && !existing.isEmpty()) {
                throw new InputException("--checkpoint-dir " + dir + " already holds checkpoints (newest: "
                        + existing.get(0).getPath().getName() + "): add --resume to continue that run, or give an "
                        + "empty directory");
            }
            if (attempt.isPresent()) {
                AtomicFiles.write(owner, "--checkpoint-dir", conf,
                        (attempt.get().applicationId() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return resume;
        } catch (IOException e) {
            throw new InputException("--checkpoint-dir " + dir + ": " + HadoopFs.describe(e, p), e);
        }
    }

    private static String readOwner(FileSystem fs, Path owner) throws IOException {
        return new String(HadoopFs.readAll(fs, owner, "--checkpoint-dir", 200), StandardCharsets.UTF_8).trim();
    }

    /** Writes {@code c} as the checkpoint of {@code step} and removes older ones, all but the newest {@value #KEEP}. */
    public void write(long step, Checkpoint c) {
        Path target = new Path(dir, name(step));
        Path tmp = new Path(dir, "." + target.getName() + ".tmp-" + System.nanoTime());
        try {
            try (OutputStream out = fs.create(tmp, true)) {
                c.write(out);
            }
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            int kept = 0;
            for (FileStatus f : checkpoints()) {
                if (f.getPath().getName().compareTo(target.getName()) > 0 || damaged.contains(f.getPath().getName())) {
                    continue; // a later step than this run's, or a damaged file: not ours to delete
                }
                if (++kept > KEEP) {
                    fs.delete(f.getPath(), false);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + HadoopFs.describe(e, target), e);
        }
    }

    private static String name(long step) {
        return String.format(Locale.ROOT, "%s%012d", PREFIX, step);
    }

    /**
     * The newest intact checkpoint that fits the configuration, if any.
     *
     * @param fingerprint the configuration's; a checkpoint with another one is refused
     * @param maxBytes    the largest file a checkpoint of this configuration can be; a larger one is damaged
     * @param problem     what is wrong with a decoded checkpoint for this configuration (a missing field, a short
     *                    vector, a step past the end), or {@code null}; a checkpoint with a problem is damaged
     * @throws InputException if the newest intact one belongs to another training configuration
     */
    public Optional<Checkpoint> newest(String fingerprint, long maxBytes, Function<Checkpoint, String> problem) {
        try {
            for (FileStatus f : checkpoints()) {
                Checkpoint c;
                String name = f.getPath().toString();
                try {
                    if (f.getLen() > maxBytes) {
                        throw new Checkpoint.DamagedException(name + ": " + f.getLen() + " bytes, more than a checkpoint of "
                                + "this configuration can be (" + maxBytes + ")");
                    }
                    try (InputStream in = HadoopFs.open(fs, f.getPath(), "--resume", maxBytes)) {
                        c = Checkpoint.read(in, f.getLen(), name);
                    }
                    if (c.fingerprint().equals(fingerprint)) {
                        String wrong = problem.apply(c);
                        if (wrong != null) {
                            throw new Checkpoint.DamagedException(name + ": " + wrong);
                        }
                    }
                } catch (Checkpoint.DamagedException e) {
                    LOG.warn("skipping a damaged checkpoint: {}", e.getMessage());
                    damaged.add(f.getPath().getName());
                    continue;
                } catch (InputException e) {   // a FIFO, device or directory named like a checkpoint: never read
                    LOG.warn("skipping a checkpoint that cannot be one: {}", e.getMessage());
                    damaged.add(f.getPath().getName());
                    continue;
                } catch (IOException e) {   // e.g. the file system's own checksum (Hadoop's .crc files)
                    LOG.warn("skipping a damaged checkpoint: {}: {}", f.getPath(), HadoopFs.describe(e));
                    damaged.add(f.getPath().getName());
                    continue;
                }
                if (!c.fingerprint().equals(fingerprint)) {
                    throw new InputException("--resume: " + f.getPath() + " was written by another training "
                            + "configuration (" + Fingerprint.difference(c.fingerprint(), fingerprint)
                            + "); use the same options and data, or another --checkpoint-dir");
                }
                return Optional.of(c);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoints in " + dir + ": " + HadoopFs.describe(e), e);
        }
    }

    /** The checkpoint files, newest first. */
    private List<FileStatus> checkpoints() throws IOException {
        List<FileStatus> out = new ArrayList<>(Arrays.asList(fs.listStatus(dir,
                p -> p.getName().startsWith(PREFIX) && p.getName().length() == PREFIX.length() + 12)));
        out.sort(Comparator.comparing((FileStatus f) -> f.getPath().getName()).reversed());
        return out;
    }
}
