package org.sparkdigits.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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
