package org.sparkdigits.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Paths as the user types them, on any Hadoop file system (a local path, {@code file:}, {@code hdfs://},
 * {@code s3a://} ...), with one-line errors for what goes wrong before a byte is read: a scheme this Spark has no
 * file system for (with the package that brings it), an unknown host, a refused connection, a missing file, a
 * FIFO or device where a file is expected. Also the identity of a path for comparing an output with the inputs
 * (real paths on the local disk, so a symbolic link or {@code ..} does not hide that they are the same).
 */
public final class HadoopFs {

    /** Packages that bring the object-store file systems, by scheme (%s: the Hadoop version). */
    private static final Map<String, String> PACKAGES = Map.of(
            "s3a", "org.apache.hadoop:hadoop-aws:%s",
            "abfs", "org.apache.hadoop:hadoop-azure:%s",
            "abfss", "org.apache.hadoop:hadoop-azure:%s",
            "wasb", "org.apache.hadoop:hadoop-azure:%s",
            "wasbs", "org.apache.hadoop:hadoop-azure:%s",
            "oss", "org.apache.hadoop:hadoop-aliyun:%s",
            "gs", "com.google.cloud.bigdataoss:gcs-connector:hadoop3-2.2.26 (Google's connector; Dataproc has it)");

    private HadoopFs() {
    }

    /**
     * The Hadoop path of {@code spec}.
     *
     * @param role what the path is for, in messages ("--out", "training data")
     */
    public static Path path(String spec, String role) {
        if (spec == null || spec.isBlank()) {
            throw new InputException(role + ": no path given");
        }
        try {
            return new Path(spec);
        } catch (IllegalArgumentException e) {
            throw new InputException(role + ": " + Echo.value(spec) + " is not a valid path (" + rootMessage(e) + ")");
        }
    }

    /** The file system of {@code p}, or a one-line error naming the scheme or host that is wrong. */
    public static FileSystem fileSystem(Path p, Configuration conf, String role) {
        try {
            return p.getFileSystem(conf);
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new InputException(role + ": " + p + ": " + describe(e, p), e);
        }
    }

    /** {@link #describe(Throwable, Path)} without a path. */
    public static String describe(Throwable e) {
        return describe(e, null);
    }

    /**
     * A short reason for a failed file-system call, for a one-line message: "unknown host nn1", "permission
     * denied", "no such file or directory", the package to add for {@code s3a://} ...
     *
     * @param p the path concerned, or {@code null}
     */
    public static String describe(Throwable e, Path p) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof ConnectException) {
                return "cannot connect (" + (t.getMessage() == null ? "connection refused" : firstLine(t.getMessage())) + ")";
            }
            if (t instanceof SocketTimeoutException || t instanceof java.net.http.HttpTimeoutException) {
                return "timed out" + (t.getMessage() == null ? "" : " (" + firstLine(t.getMessage()) + ")");
            }
            if (t instanceof AccessDeniedException
                    || t.getClass().getName().equals("org.apache.hadoop.security.AccessControlException")) {
                return "permission denied";
            }
            if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
                return "no such file or directory";
            }
            String m = String.valueOf(t.getMessage());
            if (t instanceof ClassNotFoundException || m.contains("No FileSystem for scheme")
                    || t.getClass().getSimpleName().equals("UnsupportedFileSystemException")) {
                return noFileSystem(p, m);
            }
        }
        return e.getClass().getSimpleName() + ": " + firstLine(rootMessage(e));
    }

    private static String noFileSystem(Path p, String message) {
        String scheme = p == null || p.toUri().getScheme() == null ? schemeIn(message) : p.toUri().getScheme();
        String pkg = PACKAGES.get(scheme.toLowerCase(Locale.ROOT));
        if (pkg == null) {
            return "this Spark has no file system for '" + Echo.value(scheme) + ":' (a local path needs no scheme; "
                    + "hdfs:, file: and, with their packages, s3a:, gs:, abfs: work)";
        }
        return "this Spark has no file system for " + scheme + "://: add --packages "
                + String.format(Locale.ROOT, pkg, org.apache.hadoop.util.VersionInfo.getVersion())
                + " to the spark-submit options (the jar of the Hadoop version this Spark ships; see docs/cluster.md, Object stores)";
    }

    private static String schemeIn(String message) {
        int q = message.indexOf('"');
        int end = q < 0 ? -1 : message.indexOf('"', q + 1);
        return end > q ? message.substring(q + 1, end) : "?";
    }

    /** The local file behind {@code p} when {@code fs} is the local file system, else {@code null}. */
    public static java.nio.file.Path local(FileSystem fs, Path p) {
        if (!(fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem)) {
            return null;
        }
        return java.nio.file.Path.of(fs.makeQualified(p).toUri().getPath());
    }

    /**
     * Refuses a FIFO, device or socket where a file is to be read (reading one hangs, or never ends: {@code /dev/zero}),
     * also behind a symbolic link. Hadoop's local file system lists them as files.
     */
    public static void requireRegularFile(FileSystem fs, Path p, String role) {
        java.nio.file.Path local = local(fs, p);
        if (local == null) {
            return;
        }
        // one look at the file (behind links), not three: a file removed between the looks is not "not regular"
        java.nio.file.attribute.BasicFileAttributes a;
        try {
            a = Files.readAttributes(local, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (java.io.IOException e) {   // gone (or unreadable): the open that follows says so
            return;
        }
        if (!a.isRegularFile() && !a.isDirectory()) {
            throw new InputException(role + ": " + p + " is not a regular file (a FIFO, device or socket): give a file");
        }
    }

    /**
     * The one gate every read of a file of ours goes through: {@code p} must exist, be a regular file (not a
     * directory, FIFO, device or socket, also behind a symbolic link) and hold at most {@code maxBytes} bytes; only
     * then is it opened. A FIFO or {@code /dev/zero} would otherwise block the reader forever, or never end.
     *
     * @param role     what the file is, for messages ("model", "checkpoint", "--defaults")
     * @param maxBytes the largest length accepted ({@link Long#MAX_VALUE}: any)
     * @throws java.io.FileNotFoundException if it does not exist
     * @throws InputException naming the file, if it is not a regular file or is too large
     */
    public static FSDataInputStream open(FileSystem fs, Path p, String role, long maxBytes) throws IOException {
        check(fs, p, role, maxBytes);
        return fs.open(p);
    }

    /**
     * The status of {@code p} after the checks of {@link #open}, for a reader that opens it through another library
     * (Parquet's footer reader).
     */
    public static FileStatus check(FileSystem fs, Path p, String role, long maxBytes) throws IOException {
        FileStatus st = fs.getFileStatus(p);
        if (st.isDirectory()) {
            throw new InputException(role + ": " + p + " is a directory, not a file");
        }
        requireRegularFile(fs, p, role);
        if (st.getLen() > maxBytes) {
            throw new InputException(role + ": " + p + " is " + st.getLen() + " bytes, more than such a file can be ("
                    + maxBytes + ")");
        }
        return st;
    }

    /**
     * All of the regular file {@code p} ({@link #open}'s checks), at most {@code maxBytes} bytes, which must be less
     * than 2 GiB.
     */
    public static byte[] readAll(FileSystem fs, Path p, String role, long maxBytes) throws IOException {
        if (maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("readAll holds at most 2 GiB; stream larger files");
        }
        try (InputStream in = open(fs, p, role, maxBytes)) {
            byte[] all = in.readNBytes((int) maxBytes + 1);
            if (all.length > maxBytes) {   // grew since it was checked
                throw new InputException(role + ": " + p + " is more than " + maxBytes + " bytes, more than such a file can be");
            }
            return all;
        }
    }

    /** {@link #open}'s checks for a file on the local disk, read with {@code java.nio}. */
    public static InputStream openLocal(java.nio.file.Path p, String role, long maxBytes) throws IOException {
        // one look (behind links): a file removed meanwhile is "no such file" (from the reads below), not "not regular"
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p,
                java.nio.file.attribute.BasicFileAttributes.class);
        if (a.isDirectory()) {
            throw new InputException(role + ": " + p + " is a directory, not a file");
        }
        if (!a.isRegularFile()) {
            throw new InputException(role + ": " + p + " is not a regular file (a FIFO, device or socket): give a file");
        }
        long size = a.size();
        if (size > maxBytes) {
            throw new InputException(role + ": " + p + " is " + size + " bytes, more than such a file can be (" + maxBytes + ")");
        }
        return Files.newInputStream(p);
    }

    /**
     * The identity of {@code p} for comparisons: on the local disk the real path (links and {@code ..} resolved, as far as
     * it exists), elsewhere the fully qualified URI.
     */
    public static String identity(Path p, Configuration conf) {
        FileSystem fs = fileSystem(p, conf, "path");
        java.nio.file.Path local = local(fs, p);
        if (local == null) {
            String s = fs.makeQualified(p).toUri().normalize().toString();
            return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
        }
        java.nio.file.Path abs = local.toAbsolutePath().normalize();
        java.nio.file.Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return "file:" + abs;
        }
        try {
            return "file:" + existing.toRealPath().resolve(existing.relativize(abs));
        } catch (IOException e) {
            return "file:" + abs;
        }
    }

    /** Whether identity {@code inner} is {@code outer} or lies inside it. */
    public static boolean sameOrInside(String inner, String outer) {
        return inner.equals(outer) || inner.startsWith(outer.endsWith("/") ? outer : outer + "/");
    }

    /** The file system to write model and checkpoint files with: the local one without its {@code .crc} side files. */
    public static FileSystem forWriting(FileSystem fs) {
        return fs instanceof LocalFileSystem l ? l.getRawFileSystem() : fs;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
