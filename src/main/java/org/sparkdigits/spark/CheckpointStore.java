package org.sparkdigits.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.data.InputException;
import org.sparkdigits.model.Checkpoint;

/**
 * Checkpoint files {@code ckpt-<step>} in a directory on any Hadoop file system (local disk, HDFS, S3A...):
 * each written under a temporary name and renamed into place, so a reader sees whole files only; the newest
 * {@value #KEEP} are kept. {@link #newest} skips a damaged file (torn, truncated, bad checksum) with a warning
 * and takes the one before it.
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    static final int KEEP = 2;
    private static final String PREFIX = "ckpt-";

    private final Path dir;
    private final FileSystem fs;

    public CheckpointStore(String dir, Configuration hadoop) {
        try {
            this.dir = new Path(dir);
            this.fs = this.dir.getFileSystem(hadoop);
            fs.mkdirs(this.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("--checkpoint-dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code c} as the checkpoint of {@code step} and removes all but the newest {@value #KEEP}. */
    public void write(long step, Checkpoint c) {
        Path target = new Path(dir, String.format(Locale.ROOT, "%s%012d", PREFIX, step));
        Path tmp = new Path(dir, "." + target.getName() + ".tmp-" + System.nanoTime());
        try {
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(c.encode());
            }
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            List<FileStatus> all = checkpoints();
            for (FileStatus old : all.subList(Math.min(KEEP, all.size()), all.size())) {
                fs.delete(old.getPath(), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest intact checkpoint, if any.
     *
     * @throws InputException if it belongs to another training configuration
     */
    public Optional<Checkpoint> newest(String fingerprint) {
        try {
            for (FileStatus f : checkpoints()) {
                Checkpoint c;
                try {
                    byte[] bytes = new byte[(int) f.getLen()];
                    try (InputStream in = fs.open(f.getPath())) {
                        in.readNBytes(bytes, 0, bytes.length);
                    }
                    c = Checkpoint.decode(bytes, f.getPath().toString());
                } catch (Checkpoint.DamagedException e) {
                    LOG.warn("skipping a damaged checkpoint: {}", e.getMessage());
                    continue;
                } catch (IOException e) {   // e.g. the file system's own checksum (Hadoop's .crc files)
                    LOG.warn("skipping a damaged checkpoint: {}: {}", f.getPath(), e.getMessage());
                    continue;
                }
                if (!c.fingerprint().equals(fingerprint)) {
                    throw new InputException("--resume: " + f.getPath() + " was written by another training "
                            + "configuration; use the same options and data, or another --checkpoint-dir\n  checkpoint: "
                            + c.fingerprint() + "\n  now:        " + fingerprint);
                }
                return Optional.of(c);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint files, newest first. */
    private List<FileStatus> checkpoints() throws IOException {
        List<FileStatus> out = new ArrayList<>(Arrays.asList(fs.listStatus(dir, p -> p.getName().startsWith(PREFIX))));
        out.sort(Comparator.comparing((FileStatus f) -> f.getPath().getName()).reversed());
        return out;
    }
}
