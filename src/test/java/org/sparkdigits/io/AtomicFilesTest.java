package org.sparkdigits.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesTextFilesAtomically() throws IOException {
        Path f = dir.resolve("sub/p.csv");
        AtomicFiles.writeLines(f, List.of("a", "b"));
        AtomicFiles.writeLines(f, List.of("c"));
        assertEquals("c\n", Files.readString(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(1, s.count());
        }
    }
}
