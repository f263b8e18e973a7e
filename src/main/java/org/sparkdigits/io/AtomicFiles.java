package org.sparkdigits.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** Text outputs written so that a reader sees the old file or the whole new one, never a part. */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes {@code lines} to {@code file} atomically (temporary sibling, then rename). */
    public static void writeLines(Path file, Iterable<String> lines) {
        write(file, tmp -> Files.write(tmp, lines, StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code file} atomically (temporary sibling, then rename). */
    public static void writeBytes(Path file, byte[] bytes) {
        write(file, tmp -> Files.write(tmp, bytes));
    }

    /**
     * Writes {@code bytes} to {@code target} on any Hadoop file system atomically: a local one as
     * {@link #writeBytes(Path, byte[])} does (keeping a replaced file's mode); another through a temporary sibling
     * {@code .NAME.tmp-*} renamed into place (HDFS renames atomically).
     *
     * @param role the option that names it, for messages ({@code --onnx})
     */
    public static void write(String target, String role, Configuration conf, byte[] bytes) {
        write(HadoopFs.path(target, role), role, conf, bytes);
    }

    /** {@link #write(String, String, Configuration, byte[])} of a path already resolved. */
    public static void write(org.apache.hadoop.fs.Path p, String role, Configuration conf, byte[] bytes) {
        FileSystem fs = HadoopFs.fileSystem(p, conf, role);
        Path local = HadoopFs.local(fs, p);
        if (local != null) {
            writeBytes(local, bytes);
            return;
        }
        FileSystem out = HadoopFs.forWriting(fs);
        org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(p.getParent(), "." + p.getName() + ".tmp-"
                + System.nanoTime());
        try {
            try {
                try (OutputStream s = out.create(tmp, false)) {
                    s.write(bytes);
                }
                if (out.exists(p) && !out.delete(p, false)) {
                    throw new IOException("cannot replace " + p);
                }
                if (!out.rename(tmp, p)) {
                    throw new IOException("cannot rename " + tmp + " to " + p);
                }
            } finally {
                if (out.exists(tmp)) {
                    out.delete(tmp, false);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p + ": " + HadoopFs.describe(e, p), e);
        }
    }

    /** What fills the temporary file. */
    @FunctionalInterface
    public interface Writer {
        void write(Path tmp) throws IOException;
    }

    /** Lets {@code writer} fill a temporary sibling of {@code file}, then renames it into place. */
    public static void write(Path file, Writer writer) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs.getParent());
            // createFile, not createTempFile (0600): the file gets the mode a plain write would (0644 under umask 022),
            // or the mode of the file it replaces
            Path tmp = Files.createFile(abs.resolveSibling("." + abs.getFileName() + ".tmp-" + System.nanoTime()));
            try {
                if (Files.isRegularFile(abs)) {
                    try {
                        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(abs));
                    } catch (UnsupportedOperationException | IOException e) {
                        // not a POSIX file system: keep the default
                    }
                }
                writer.write(tmp);
                try {
                    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
