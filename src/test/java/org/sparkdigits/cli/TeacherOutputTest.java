package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/**
 * A teacher is an input: train's --out and --checkpoint-dir are kept apart from every --teacher directory (the same,
 * inside or around it: refused before any training, the teacher's files untouched), and report, export and predict
 * never write into a teacher that the model they read records.
 */
class TeacherOutputTest {

    @TempDir
    static Path dir;
    static Path data;
    static Path teacher;
    static Path student;

    @BeforeAll
    static void trainTeacherAndStudent() throws IOException {
        SparkTestSession.get();
        data = TestCsv.labelled(dir.resolve("data.csv"), 120, 5, true);
        teacher = dir.resolve("teacher");
        CliRun t = CliRun.of("train", "--data", data.toString(), "--out", teacher.toString(), "--hidden", "8",
                "--iterations", "3");
        assertEquals(0, t.code(), t.err());
        student = dir.resolve("student");
        CliRun s = CliRun.of("train", "--data", data.toString(), "--out", student.toString(), "--hidden", "8",
                "--iterations", "3", "--teacher", teacher.toString());
        assertEquals(0, s.code(), s.err());
    }

    /** Every file under {@code root} with its bytes' hash and modification time. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                m.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir"
                        : java.util.Arrays.hashCode(Files.readAllBytes(p)) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return m;
    }

    private static CliRun refused(String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("loading training data"), "refused only after loading:\n" + r.err());
        return r;
    }

    private static String[] train(String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--hidden", "8", "--iterations", "3",
                "--teacher", teacher.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void trainNeverWritesIntoItsTeacher() throws IOException {
        Map<String, String> before = snapshot(teacher);
        refused("--out " + teacher + " is the teacher's model directory " + teacher + " (--teacher, an input)",
                train("--out", teacher.toString()));
        refused("--out " + teacher.resolve("sub") + " is inside the teacher's model directory " + teacher,
                train("--out", teacher.resolve("sub").toString()));
        refused("--out " + dir + " contains the teacher's model directory " + teacher,
                train("--out", dir.toString()));
        refused("--checkpoint-dir " + teacher + " is the teacher's model directory " + teacher,
                train("--out", dir.resolve("s1").toString(), "--checkpoint-dir", teacher.toString()));
        refused("--checkpoint-dir " + teacher.resolve("ck") + " is inside the teacher's model directory " + teacher,
                train("--out", dir.resolve("s2").toString(), "--checkpoint-dir", teacher.resolve("ck").toString()));
        // the same directory by another spelling, and a second teacher in the list
        refused("is the teacher's model directory " + dir.resolve("x/../teacher"),
                "train", "--data", data.toString(), "--iterations", "2", "--teacher", student + "," + dir.resolve("x/../teacher"),
                "--out", dir.resolve("x/../teacher").toString());
        assertEquals(before, snapshot(teacher), "the teacher's files are untouched");
        assertFalse(Files.exists(dir.resolve("s1")) || Files.exists(dir.resolve("s2")));
    }

    @Test
    void exportPredictAndReportNeverWriteIntoTheModelsTeacher() throws IOException {
        Map<String, String> before = snapshot(teacher);
        refused("--onnx " + teacher.resolve("student.onnx") + " is inside the teacher's model directory " + teacher,
                "export", "--model", student.toString(), "--onnx", teacher.resolve("student.onnx").toString());
        refused("--out " + teacher.resolve("p.csv") + " is inside the teacher's model directory " + teacher,
                "predict", "--model", student.toString(), "--data", data.toString(), "--out", teacher.resolve("p.csv").toString());
        assertEquals(before, snapshot(teacher));
        CliRun ok = CliRun.of("export", "--model", student.toString(), "--onnx", dir.resolve("student.onnx").toString());
        assertEquals(0, ok.code(), ok.err());

        // a student written over its teacher (as train --teacher T --out T did): report refuses to write into it
        Path t2 = dir.resolve("teacher2");
        copy(teacher, t2);
        Path s2 = dir.resolve("student2");
        CliRun s = CliRun.of("train", "--data", data.toString(), "--out", s2.toString(), "--hidden", "8", "--iterations", "2",
                "--teacher", t2.toString());
        assertEquals(0, s.code(), s.err());
        try (Stream<Path> files = Files.list(t2)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(t2);
        Files.move(s2, t2);
        Map<String, String> over = snapshot(t2);
        refused("--model " + t2 + " is the teacher's model directory " + t2, "report", "--model", t2.toString(),
                "--data", data.toString());
        assertEquals(over, snapshot(t2));
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
