package org.sparkdigits.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One-line reasons for what goes wrong with a path before a byte is read; path identities for comparing outputs. */
class HadoopFsTest {

    /** A file system whose name node cannot be found, as HDFS fails on an unknown host (no lookup is made). */
    public static final class UnknownHostFs extends RawLocalFileSystem {
        @Override
        public void initialize(URI uri, Configuration conf) {
            throw new IllegalArgumentException(new UnknownHostException(uri.getHost()));
        }
    }

    @Test
    void anUnknownHostIsOneLineNamingIt() {
        Configuration conf = new Configuration();
        conf.set("fs.nohost.impl", UnknownHostFs.class.getName());
        conf.setBoolean("fs.nohost.impl.disable.cache", true);
        InputException e = assertThrows(InputException.class, () -> HadoopFs.fileSystem(
                HadoopFs.path("nohost://nn1.example:8020/data/x.csv", "training data"), conf, "training data"));
        assertEquals("training data: nohost://nn1.example:8020/data/x.csv: unknown host nn1.example", e.getMessage());
    }

    @Test
    void reasonsAreShortAndSayWhatHappened() {
        assertEquals("unknown host nn1", HadoopFs.describe(new IllegalArgumentException(new UnknownHostException("nn1"))));
        assertEquals("cannot connect (connection refused)", HadoopFs.describe(new ConnectException()));
        assertEquals("permission denied", HadoopFs.describe(new AccessDeniedException("/x/model.safetensors")));
        assertEquals("no such file or directory", HadoopFs.describe(new java.io.FileNotFoundException("/x")));
        String s3 = HadoopFs.describe(new RuntimeException(new ClassNotFoundException(
                "Class org.apache.hadoop.fs.s3a.S3AFileSystem not found")), new org.apache.hadoop.fs.Path("s3a://b/k"));
        assertTrue(s3.startsWith("this Spark has no file system for s3a://: add --packages org.apache.hadoop:hadoop-aws:"), s3);
        assertEquals("IOException: disk on fire", HadoopFs.describe(new IOException("disk on fire")));
    }

    @Test
    void identitiesSeeThroughLinksAndDotDot(@TempDir Path dir) throws IOException {
        Configuration conf = new Configuration();
        Path file = Files.writeString(dir.resolve("a b.csv"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), file);
        String id = HadoopFs.identity(new org.apache.hadoop.fs.Path(file.toString()), conf);
        assertEquals(id, HadoopFs.identity(new org.apache.hadoop.fs.Path(link.toString()), conf));
        assertEquals(id, HadoopFs.identity(new org.apache.hadoop.fs.Path(dir.resolve("sub/../a b.csv").toString()), conf));
        assertEquals(id, HadoopFs.identity(new org.apache.hadoop.fs.Path("file://" + file), conf));
        String missing = HadoopFs.identity(new org.apache.hadoop.fs.Path(dir.resolve("link-dir-to-be/x").toString()), conf);
        assertTrue(HadoopFs.sameOrInside(missing, HadoopFs.identity(new org.apache.hadoop.fs.Path(dir.toString()), conf)));
        assertFalse(HadoopFs.sameOrInside(id + "x", id));
    }

    @Test
    void echoCutsAndEscapes() {
        assertEquals("a\\x1B[1mb\\x07\\n", Echo.value("a\u001B[1mb\u0007\n"));
        assertEquals("x".repeat(40) + "...", Echo.value("x".repeat(41)));
        assertEquals("\\u202E", Echo.value("\u202E"));
        assertEquals("café", Echo.value("café"));
    }
}
