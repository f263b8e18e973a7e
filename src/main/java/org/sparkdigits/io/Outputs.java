package org.sparkdigits.io;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks of a command's outputs, made before anything is read or written: an output is never one of the command's
 * inputs, never a file of a model directory it reads, never inside or around another output that would delete it;
 * it is not a directory where a file is written, and it can be created. Paths are compared by their
 * {@link HadoopFs#identity} (real paths on the local disk).
 */
public final class Outputs {

    private Outputs() {
    }

    /**
     * A file that the command writes (predict --out, export --onnx, --show, --preview, --json).
     *
     * @param option   the option that names it, for messages
     * @param inputs   every file the command reads
     * @param modelDir the model directory the command reads, or {@code null}
     */
    public static void file(String option, String output, Configuration conf, List<String> inputs, String modelDir) {
        Path p = HadoopFs.path(output, option);
        FileSystem fs = HadoopFs.fileSystem(p, conf, option);
        String id = HadoopFs.identity(p, conf);
        for (String in : inputs) {
            if (id.equals(HadoopFs.identity(new Path(in), conf))) {
                throw new InputException(option + " " + output + " is one of the inputs (" + in
                        + "): refusing to overwrite it; give another file");
            }
        }
        if (modelDir != null && HadoopFs.sameOrInside(id, HadoopFs.identity(HadoopFs.path(modelDir, "--model"), conf))) {
            throw new InputException(option + " " + output + " is inside the model directory " + modelDir
                    + ": refusing to write there (it would replace or add to the model's files); give a file elsewhere");
        }
        try {
            if (fs.exists(p)) {
                FileStatus st = fs.getFileStatus(p);
                if (st.isDirectory()) {
                    throw new InputException(option + " " + output + " is a directory: give the file to write, e.g. "
                            + new Path(p, "out" + extension(option)));
                }
                HadoopFs.requireRegularFile(fs, p, option);
            }
            requireCreatable(fs, p.getParent() == null ? p : p.getParent(), option, output);
        } catch (IOException e) {
            throw new InputException(option + " " + output + ": " + HadoopFs.describe(e, p), e);
        }
    }

    /**
     * A directory that the command creates or replaces (train --out, augment --out, --checkpoint-dir): it must not be,
     * contain or lie inside one of the inputs, and its nearest existing ancestor must be a writable directory.
     */
    public static void directory(String option, String output, Configuration conf, List<String> inputs) {
        Path p = HadoopFs.path(output, option);
        FileSystem fs = HadoopFs.fileSystem(p, conf, option);
        String id = HadoopFs.identity(p, conf);
        for (String in : inputs) {
            String inId = HadoopFs.identity(new Path(in), conf);
            if (HadoopFs.sameOrInside(inId, id) || HadoopFs.sameOrInside(id, inId)) {
                throw new InputException(option + " " + output + (inId.equals(id) ? " is" : HadoopFs.sameOrInside(inId, id)
                        ? " contains" : " is inside") + " the input " + in + ": refusing to write there; give a directory "
                        + "apart from the inputs");
            }
        }
        try {
            if (fs.exists(p) && !fs.getFileStatus(p).isDirectory()) {
                throw new InputException(option + " " + output + " is a file, not a directory");
            }
            requireCreatable(fs, p, option, output);
        } catch (IOException e) {
            throw new InputException(option + " " + output + ": " + HadoopFs.describe(e, p), e);
        }
    }

    /**
     * Two directory outputs that must stay apart (--out and --checkpoint-dir: replacing the model would delete the
     * checkpoints, or the checkpoints would make the model directory one that is not ours).
     */
    public static void apart(String optionA, String a, String optionB, String b, Configuration conf) {
        String ia = HadoopFs.identity(HadoopFs.path(a, optionA), conf);
        String ib = HadoopFs.identity(HadoopFs.path(b, optionB), conf);
        if (HadoopFs.sameOrInside(ia, ib) || HadoopFs.sameOrInside(ib, ia)) {
            throw new InputException(optionB + " " + b + (ia.equals(ib) ? " is the same directory as " : HadoopFs.sameOrInside(ib, ia)
                    ? " is inside " : " contains ") + optionA + " " + a + ": give them separate directories (the model "
                    + "directory is replaced whole when training ends)");
        }
    }

    /**
     * An output kept apart from teachers' model directories ({@code --teacher} of train, or the teachers a model's
     * model.json records for report and export): it is not a teacher's directory, nor inside one, and with
     * {@code orAround} (a directory that is replaced or filled whole) does not contain one either.
     *
     * @param option   the output's option, for messages ("--out", "--checkpoint-dir", "--onnx", "--model")
     * @param teachers the teachers' directories, as given or recorded
     */
    public static void apartFromTeachers(String option, String output, Configuration conf, List<String> teachers,
                                         boolean orAround) {
        if (teachers.isEmpty()) {
            return;
        }
        String id = HadoopFs.identity(HadoopFs.path(output, option), conf);
        for (String t : teachers) {
            String tid = HadoopFs.identity(HadoopFs.path(t, "--teacher"), conf);
            boolean inside = HadoopFs.sameOrInside(id, tid);
            if (inside || (orAround && HadoopFs.sameOrInside(tid, id))) {
                throw new InputException(option + " " + output + (tid.equals(id) ? " is" : inside ? " is inside"
                        : " contains") + " the teacher's model directory " + t + " (--teacher, an input): refusing to "
                        + "write there; give a path apart from the teachers");
            }
        }
    }

    /** {@code dir} exists as a writable directory, or can be created under its nearest existing ancestor. */
    private static void requireCreatable(FileSystem fs, Path dir, String option, String output) throws IOException {
        Path existing = dir;
        while (existing != null && !fs.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        FileStatus st = fs.getFileStatus(existing);
        java.nio.file.Path local = HadoopFs.local(fs, existing);
        if (!st.isDirectory()) {
            throw new InputException(option + " " + output + ": cannot create it: " + existing + " is a file, not a directory");
        }
        if (local != null && !canCreateIn(local)) {
            throw new InputException(option + " " + output + ": cannot create it: " + existing + " is not writable");
        }
    }

    /** Whether a file can be created in the local directory {@code dir}: tried (permissions alone do not tell root). */
    private static boolean canCreateIn(java.nio.file.Path dir) {
        try {
            java.nio.file.Path probe = Files.createTempFile(dir, ".spark-digits-probe-", "");
            Files.delete(probe);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String extension(String option) {
        return switch (option) {
            case "--onnx" -> ".onnx";
            case "--show", "--preview" -> ".png";
            case "--json" -> ".json";
            default -> ".csv";
        };
    }
}
