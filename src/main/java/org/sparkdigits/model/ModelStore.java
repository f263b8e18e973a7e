package org.sparkdigits.model;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.io.Echo;
import org.sparkdigits.io.HadoopFs;
import org.sparkdigits.report.Charts;
import org.sparkdigits.report.HistoryRow;
import org.sparkdigits.report.TrainingMetrics;
import org.sparkdigits.report.TrainingReport;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A model directory, on any Hadoop file system (a local path, {@code file:}, {@code hdfs://} ...):
 * <pre>
 *   model.safetensors   the weights ({@link SafeTensors})
 *   model.json          architecture, input scaling, training settings and seed
 *   metrics.json        test/train accuracy and loss, timings
 *   history.csv         iteration,epoch,loss,...,elapsed_ms
 *   loss.png accuracy.png confusion.png samples.png report.html   the pictures (train, report)
 * </pre>
 * Written atomically: everything goes to a temporary sibling directory {@code .NAME.tmp-*} that is then renamed into
 * place; an existing model is first renamed aside to {@code .NAME.old-*} and deleted only once the new one is in
 * place, so a model directory is complete or absent, and never half-overwritten. A write that was killed between
 * the renames is recovered by the next write ({@link #recover}): the previous model is put back.
 *
 * <p>Several writers of one directory at once (two {@code train --out SAME}) lose nothing ({@link Writers}): each
 * write's {@code .NAME.tmp-ID} has an owner record {@code .NAME.writer-ID} (host, pid, start times, a heartbeat
 * lease), and recovery removes only leftovers whose owner is provably gone; the commit (the two renames, the in-place
 * writes of the manifest mode, {@link #replaceFile}) holds the lock {@code .NAME.lock}, which another writer waits for
 * (logging whom it waits for) and gives up on after a bound, naming the holder. The last writer to commit wins. A
 * read that finds the directory missing while its lock is held tries again briefly, then says a write is in progress.
 *
 * <p>Only a directory that is provably one of ours is ever replaced: empty, or holding a spark-digits model.json and
 * nothing but the files above, and no symbolic link (nothing is ever written through one). The reader checks every
 * field strictly and reads no more than the header promises. No Java serialization.
 */
public final class ModelStore {

    private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);

    public static final String WEIGHTS = "model.safetensors";
    public static final String MODEL_JSON = "model.json";
    public static final String METRICS_JSON = "metrics.json";
    public static final String HISTORY_CSV = "history.csv";
    public static final String REPORT_HTML = "report.html";
    public static final String FORMAT = "spark-digits";
    public static final int FORMAT_VERSION = 2;
    /** Every file a model directory holds: what train writes and what report adds. */
    public static final Set<String> FILES = Set.of(WEIGHTS, MODEL_JSON, METRICS_JSON, HISTORY_CSV, Charts.LOSS,
            Charts.ACCURACY, Charts.CONFUSION, Charts.SAMPLES, REPORT_HTML);
    /** The JSON and CSV files of a model directory are read only up to this size (a model.json is ~2 KB). */
    static final long MAX_TEXT = 64L << 20;
    /** How long a read waits for a write of the same model that is in progress. */
    static final long READ_RETRY_MS = 2000;
    private static final String TMP = ".tmp-";
    private static final String OLD = ".old-";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelStore() {
    }

    /**
     * Fails early, before any training, if {@code dir} could not receive a model: it is a file, it is a directory
     * that is not empty and not one of ours (naming what is in it) or that holds a symbolic link, or its nearest
     * existing ancestor is not a writable directory. A directory that looks foreign while another writer holds its
     * lock is judged again once that writer is done.
     */
    public static void checkTarget(String dir, Configuration conf) {
        Path target = HadoopFs.path(dir, "--out");
        FileSystem fs = HadoopFs.fileSystem(target, conf, "--out");
        try {
            try {
                checkExisting(fs, target, dir, conf, false);
            } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
                // it went away while we looked: another writer replacing it (its two renames); look again holding the
                // lock, once that writer is done
                try (Writers.Lease lock = Writers.lock(HadoopFs.forWriting(fs), fs.makeQualified(target), dir, conf)) {
                    checkExisting(fs, target, dir, conf, true);
                }
            }
            Path existing = target.getParent();
            while (existing != null && !fs.exists(existing)) {
                existing = existing.getParent();
            }
            java.nio.file.Path local = existing == null ? null : HadoopFs.local(fs, existing);
            if (existing == null || !fs.getFileStatus(existing).isDirectory()
                    || (local != null && !java.nio.file.Files.isWritable(local))) {
                throw new ModelException("--out " + dir + ": cannot create it (" + existing + " is not a writable directory)");
            }
        } catch (IOException e) {
            throw new ModelException("--out " + dir + ": " + HadoopFs.describe(e, target), e);
        }
    }

    /**
     * Why the directory {@code dir} is not one of ours, or {@code null} if it is (empty, or a spark-digits model.json
     * and nothing but {@link #FILES}, their {@code .crc} files and our atomic writes' temporary files).
     */
    static String foreignContent(FileSystem fs, Path dir) throws IOException {
        String link = symbolicLink(fs, dir);
        if (link != null) {
            return "it holds " + Echo.value(link) + ", a symbolic link";
        }
        FileStatus[] entries = fs.listStatus(dir);
        if (entries.length == 0) {
            return null;
        }
        List<String> foreign = new ArrayList<>();
        boolean hasJson = false;
        for (FileStatus e : entries) {
            String name = e.getPath().getName();
            if (e.isFile() && (FILES.contains(name) || name.equals(ModelManifest.NAME))) {
                hasJson |= name.equals(MODEL_JSON);
            } else if (!(e.isFile() && isOurSideFile(name))) {
                foreign.add(Echo.value(name) + (e.isDirectory() ? "/" : ""));
            }
        }
        if (!foreign.isEmpty()) {
            foreign.sort(Comparator.naturalOrder());
            String shown = String.join(", ", foreign.subList(0, Math.min(5, foreign.size())));
            return "it holds " + shown + (foreign.size() > 5 ? " and " + (foreign.size() - 5) + " more" : "");
        }
        if (!hasJson) {
            return "it has no " + MODEL_JSON;
        }
        try {
            JsonNode root = JSON.readTree(readBounded(fs, new Path(dir, MODEL_JSON), MAX_TEXT));
            if (root == null || !FORMAT.equals(root.path("format").asText(null)) || !root.path("format_version").isIntegralNumber()) {
                return "its " + MODEL_JSON + " is not a spark-digits model's";
            }
        } catch (IOException | RuntimeException e) {
            return "its " + MODEL_JSON + " is not a spark-digits model's";
        }
        return null;
    }

    /**
     * {@link #checkTarget}'s refusals of what is at {@code target} now: a file, a symbolic link in it, content not ours.
     *
     * @param locked whether this process holds the directory's lock (else a directory that looks foreign while another
     *               writer holds it is judged again once that writer is done)
     * @throws java.io.FileNotFoundException (or NoSuchFileException) when the directory goes away while it is looked at
     */
    private static void checkExisting(FileSystem fs, Path target, String dir, Configuration conf, boolean locked)
            throws IOException {
        if (!fs.exists(target)) {
            return;
        }
        FileStatus st = fs.getFileStatus(target);
        if (!st.isDirectory()) {
            throw new ModelException("--out " + dir + " exists and is a file, not a model directory");
        }
        refuseLinks(fs, target, "--out " + dir);
        String before = locked ? null : Writers.holder(fs, fs.makeQualified(target), conf);
        String foreign = foreignContent(fs, target);
        if (!locked && foreign != null && (before != null || Writers.holder(fs, fs.makeQualified(target), conf) != null)) {
            // another writer is at work in it (the manifest mode writes in place): judge it once that is done
            try (Writers.Lease lock = Writers.lock(HadoopFs.forWriting(fs), fs.makeQualified(target), dir, conf)) {
                foreign = fs.exists(target) ? foreignContent(fs, target) : null;
            }
        }
        if (foreign != null) {
            throw new ModelException("--out " + dir + " exists and is not a spark-digits model directory (" + foreign
                    + "): refusing to replace it; give a new or empty directory, or one that train wrote");
        }
    }

    /**
     * Refuses a directory that holds a symbolic link: a write into it would go through the link and overwrite the file
     * it points to (another model's model.json ...).
     *
     * @param what the directory as messages name it ("--out m", "model m")
     */
    static void refuseLinks(FileSystem fs, Path dir, String what) throws IOException {
        String link = symbolicLink(fs, dir);
        if (link != null) {
            throw new ModelException(what + " holds " + Echo.value(link) + ", a symbolic link: refusing to write through "
                    + "it; remove the link (or give another directory)");
        }
    }

    /**
     * The name of the first entry of {@code dir} that is a symbolic link, or {@code null}: on the local disk as
     * {@code java.nio} sees it (Hadoop's listing follows links, and leaves dangling ones out), elsewhere as the file
     * system reports it where it supports links.
     */
    static String symbolicLink(FileSystem fs, Path dir) throws IOException {
        java.nio.file.Path local = HadoopFs.local(fs, dir);
        if (local != null) {
            if (!java.nio.file.Files.isDirectory(local)) {
                return null;
            }
            try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(local)) {
                return s.filter(java.nio.file.Files::isSymbolicLink).map(e -> e.getFileName().toString()).sorted()
                        .findFirst().orElse(null);
            }
        }
        if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
            return null;
        }
        for (FileStatus e : fs.listStatus(dir)) {
            if (e.isSymlink() || isLink(fs, e.getPath())) {
                return e.getPath().getName();
            }
        }
        return null;
    }

    private static boolean isLink(FileSystem fs, Path p) {
        try {
            return fs.supportsSymlinks() && fs.getFileLinkStatus(p).isSymlink();
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** {@code .NAME.crc} (Hadoop's checksums) and {@code .NAME.tmp-*} (an interrupted atomic write) of our files. */
    private static boolean isOurSideFile(String name) {
        if (name.equals("." + ModelManifest.NAME + ".crc")) {
            return true;
        }
        for (String f : FILES) {
            if (name.equals("." + f + ".crc") || name.startsWith("." + f + TMP)) {
                return true;
            }
        }
        return false;
    }

    /** Writes the model directory atomically. */
    public static void write(String dir, Configuration conf, Model model, Map<String, Object> metrics, List<String> historyCsv,
                             Map<String, byte[]> extraFiles) {
        for (String name : extraFiles.keySet()) {
            if (!FILES.contains(name)) {
                throw new IllegalArgumentException(name + " is not a file of a model directory");
            }
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(WEIGHTS, SafeTensors.encode(model.parameters()));
        try {
            files.put(MODEL_JSON, JSON.writeValueAsBytes(modelJson(model)));
            files.put(METRICS_JSON, JSON.writeValueAsBytes(metrics));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.put(HISTORY_CSV, (String.join("\n", historyCsv) + "\n").getBytes(StandardCharsets.UTF_8));
        files.putAll(extraFiles);
        for (String note : recover(dir, conf)) {
            LOG.warn("{}", note);
        }
        checkTarget(dir, conf);
        Path target = HadoopFs.path(dir, "--out");
        FileSystem fs = HadoopFs.forWriting(HadoopFs.fileSystem(target, conf, "--out"));
        target = fs.makeQualified(target);
        if (ModelManifest.mode(fs, conf) == ModelManifest.Mode.MANIFEST) {
            writeInPlace(fs, target, dir, files, conf);
            return;
        }
        String id = Writers.newId();
        Path tmp = sibling(target, TMP, id);
        try {
            fs.mkdirs(target.getParent());
            // the record first, the temporary directory second: a directory without a record is provably no live
            // writer's once it is older than the lease
            try (Writers.Lease record = Writers.Lease.take(fs, Writers.record(target, id), Writers.leaseMillis(conf))) {
                if (record == null) {
                    throw new IOException("cannot create " + Writers.record(target, id) + ": it exists");
                }
                Path old = null;
                try {
                    if (!fs.mkdirs(tmp)) {
                        throw new IOException("cannot create " + tmp);
                    }
                    for (Map.Entry<String, byte[]> f : files.entrySet()) {
                        try (OutputStream out = fs.create(new Path(tmp, f.getKey()), false)) {
                            out.write(f.getValue());
                        }
                    }
                    try (Writers.Lease lock = Writers.lock(fs, target, dir, conf)) {
                        checkUnderLock(fs, target, dir);
                        old = replace(fs, tmp, target, id);
                    }
                } finally {
                    if (old != null) {
                        fs.delete(old, true);
                    }
                    if (fs.exists(tmp)) {
                        fs.delete(tmp, true);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir + ": " + HadoopFs.describe(e, target), e);
        }
    }

    /**
     * {@link #checkTarget}'s refusals again, holding the lock: another writer may have changed the directory since
     * (a file of the user's or a symbolic link put there meanwhile is still never replaced or written through).
     */
    private static void checkUnderLock(FileSystem fs, Path target, String dir) throws IOException {
        if (!fs.exists(target)) {
            return;
        }
        if (!fs.getFileStatus(target).isDirectory()) {
            throw new ModelException("--out " + dir + " exists and is a file, not a model directory");
        }
        refuseLinks(fs, target, "--out " + dir);
        String foreign = foreignContent(fs, target);
        if (foreign != null) {
            throw new ModelException("--out " + dir + " exists and is not a spark-digits model directory (" + foreign
                    + "): refusing to replace it; give a new or empty directory, or one that train wrote");
        }
    }

    /**
     * The write of an object store ({@link ModelManifest.Mode#MANIFEST}): a model already there loses its manifest
     * first (from then on readers refuse it as incomplete) and its files; the new files follow, model.json first (so
     * that an interrupted write leaves a directory provably ours), and the manifest last. All of it holding the lock
     * of the directory, so that two writers' files never mix.
     */
    private static void writeInPlace(FileSystem fs, Path target, String dir, Map<String, byte[]> files, Configuration conf) {
        try {
            fs.mkdirs(target.getParent());
            try (Writers.Lease lock = Writers.lock(fs, target, dir, conf)) {
                checkUnderLock(fs, target, dir);
                writeInPlaceLocked(fs, target, files);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir + ": " + HadoopFs.describe(e, target), e);
        }
    }

    private static void writeInPlaceLocked(FileSystem fs, Path target, Map<String, byte[]> files) throws IOException {
        if (fs.exists(target)) {
            fs.delete(new Path(target, ModelManifest.NAME), false);
            for (FileStatus e : fs.listStatus(target)) {
                if (!e.getPath().getName().equals(MODEL_JSON)) {
                    fs.delete(e.getPath(), false);   // ours only: checkTarget refused anything else
                }
            }
        }
        fs.mkdirs(target);
        Map<String, byte[]> ordered = new LinkedHashMap<>();
        ordered.put(MODEL_JSON, files.get(MODEL_JSON));
        ordered.putAll(files);
        for (Map.Entry<String, byte[]> f : ordered.entrySet()) {
            try (OutputStream out = fs.create(new Path(target, f.getKey()), true)) {
                out.write(f.getValue());
            }
        }
        ModelManifest.write(fs, target, files);
    }

    /** Writes the model directory of {@code model} and its {@code report}, with the {@code charts}, atomically. */
    public static void write(String dir, Configuration conf, Model model, TrainingReport report, Map<String, byte[]> charts) {
        write(dir, conf, model, report.metrics().toJson(), HistoryRow.csv(report.history()), charts);
    }

    /**
     * The report of the model directory {@code dir}: its history.csv and metrics.json ({@code null} if either is
     * missing, or metrics.json is not an object).
     *
     * @throws ModelException naming the file, for one that cannot be read or parsed
     */
    public static TrainingReport readReport(String dir, Configuration conf) {
        Path d = HadoopFs.path(dir, "--model");
        FileSystem fs = HadoopFs.fileSystem(d, conf, "--model");
        try {
            if (!fs.exists(new Path(d, HISTORY_CSV)) || !fs.exists(new Path(d, METRICS_JSON))) {
                return null;
            }
        } catch (IOException e) {
            throw new ModelException(d + ": cannot read (" + HadoopFs.describe(e, d) + ")", e);
        }
        List<HistoryRow> history;
        try {
            history = HistoryRow.parse(readText(dir, HISTORY_CSV, conf).lines().toList(), dir + "/" + HISTORY_CSV);
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage());
        }
        JsonNode metrics;
        try {
            metrics = JSON.readTree(readText(dir, METRICS_JSON, conf));
        } catch (IOException e) {
            throw new ModelException(dir + "/" + METRICS_JSON + ": not valid JSON", e);
        }
        return metrics == null || !metrics.isObject() ? null : new TrainingReport(history, TrainingMetrics.fromJson(metrics));
    }

    /** {@link #write(String, Configuration, Model, Map, List, Map)} on the local file system. */
    public static void write(java.nio.file.Path dir, Model model, Map<String, Object> metrics, List<String> historyCsv,
                             Map<String, byte[]> extraFiles) {
        write(dir.toAbsolutePath().toString(), new Configuration(), model, metrics, historyCsv, extraFiles);
    }

    /** The same without pictures. */
    public static void write(java.nio.file.Path dir, Model model, Map<String, Object> metrics, List<String> historyCsv) {
        write(dir, model, metrics, historyCsv, Map.of());
    }

    /** The sibling of {@code target} named {@code .NAME<kind><id>} (the write {@code id}'s). */
    private static Path sibling(Path target, String kind, String id) {
        return new Path(target.getParent(), "." + target.getName() + kind + id);
    }

    /**
     * Moves {@code tmp} to {@code target}. An existing target is renamed aside first and deleted only when the new one
     * is in place: a kill between the two renames leaves it beside, where {@link #recover} finds it. The caller holds
     * the lock of {@code target}: no other writer renames anything onto it meanwhile (a rename onto an existing
     * directory would move the source inside it).
     *
     * @return the previous model, renamed aside, for the caller to delete ({@code null} if there was none)
     */
    private static Path replace(FileSystem fs, Path tmp, Path target, String id) throws IOException {
        Path old = null;
        if (fs.exists(target)) {
            old = sibling(target, OLD, id);
            if (!fs.rename(target, old)) {
                throw new IOException("cannot rename " + target + " to " + old);
            }
        }
        if (!fs.rename(tmp, target)) {
            if (old != null && !fs.rename(old, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target + ", nor put the previous model back from " + old);
            }
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
        return old;
    }

    /**
     * Mends what an interrupted write left beside {@code dir}, touching only leftovers that provably belong to no live
     * writer ({@link Writers}: their owner record names a process of this host that is gone, or its lease ran out; a
     * leftover without a record, from an older spark-digits, once it is older than the lease). When {@code dir} is
     * missing but such a previous model waits in {@code .NAME.old-*} (a kill between the two renames of a replace),
     * that model is put back; such temporary directories ({@code .NAME.tmp-*}, never complete), previous models
     * ({@code .NAME.old-*}) and owner records are removed. Leftovers that hold anything but a model's files are left
     * alone, and so is everything of a writer that is still at work. The repairs hold the lock of {@code dir}.
     *
     * @return what was done, one sentence each (for the log)
     */
    public static List<String> recover(String dir, Configuration conf) {
        Path target = HadoopFs.path(dir, "--out");
        FileSystem fs = HadoopFs.forWriting(HadoopFs.fileSystem(target, conf, "--out"));
        List<String> notes = new ArrayList<>();
        try {
            target = fs.makeQualified(target);
            if (!anythingGone(fs, target, conf)) {
                return notes;
            }
            try (Writers.Lease lock = Writers.lock(fs, target, dir, conf)) {
                mend(fs, target, dir, conf, notes);
            }
        } catch (IOException e) {
            throw new ModelException("--out " + dir + ": " + HadoopFs.describe(e, target), e);
        }
        return notes;
    }

    /** Whether a leftover or an owner record beside {@code target} is a gone writer's (without taking the lock). */
    private static boolean anythingGone(FileSystem fs, Path target, Configuration conf) throws IOException {
        long lease = Writers.leaseMillis(conf);
        for (FileStatus l : leftovers(fs, target)) {
            if (Writers.judgeLeftover(fs, l, writeId(target, l.getPath()), target, lease).gone()) {
                return true;
            }
        }
        for (FileStatus r : records(fs, target)) {
            Writers.Verdict v = Writers.judge(fs, r.getPath(), lease);
            if (v != null && v.gone()) {
                return true;
            }
        }
        return false;
    }

    private static void mend(FileSystem fs, Path target, String dir, Configuration conf, List<String> notes) throws IOException {
        long lease = Writers.leaseMillis(conf);
        boolean present = fs.exists(target);
        Set<String> kept = new java.util.HashSet<>();
        for (FileStatus l : leftovers(fs, target)) {
            Path p = l.getPath();
            String id = writeId(target, p);
            Writers.Verdict v = Writers.judgeLeftover(fs, l, id, target, lease);
            if (!v.gone()) {
                LOG.info("left {} alone: {} is still writing {}", p.getName(), v.who(), dir);
                kept.add(id);
            } else if (symbolicLink(fs, p) != null || (foreignContent(fs, p) != null
                    && !(p.getName().contains(TMP) && onlyOurFiles(fs, p)))) {
                notes.add("left " + p + " alone: it holds files that are not a model's");
                kept.add(id);
            } else if (!present && p.getName().contains(OLD) && isComplete(fs, p)) {
                if (!fs.rename(p, target)) {
                    throw new IOException("cannot rename " + p + " to " + target);
                }
                present = true;
                notes.add("put the previous model back into " + dir + " from " + p.getName()
                        + " (a replace of it by " + v.who() + " was interrupted)");
            } else {
                fs.delete(p, true);
                notes.add("removed " + p.getName() + " beside " + dir + ", left by an interrupted model write ("
                        + v.who() + ")");
            }
        }
        for (FileStatus r : records(fs, target)) {
            String id = r.getPath().getName().substring(("." + target.getName() + Writers.RECORD).length());
            Writers.Verdict v = Writers.judge(fs, r.getPath(), lease);
            if (v != null && v.gone() && !kept.contains(id)) {
                fs.delete(r.getPath(), false);
            }
        }
    }

    /** The write id in a leftover's name {@code .NAME.tmp-ID} or {@code .NAME.old-ID}. */
    private static String writeId(Path target, Path leftover) {
        String n = leftover.getName();
        String prefix = "." + target.getName();
        return n.startsWith(prefix + TMP) ? n.substring((prefix + TMP).length())
                : n.startsWith(prefix + OLD) ? n.substring((prefix + OLD).length()) : null;
    }

    /** The owner records {@code .NAME.writer-*} beside {@code target}. */
    private static List<FileStatus> records(FileSystem fs, Path target) throws IOException {
        Path parent = target.getParent();
        if (parent == null || !fs.exists(parent)) {
            return List.of();
        }
        String prefix = "." + target.getName() + Writers.RECORD;
        List<FileStatus> out = new ArrayList<>();
        for (FileStatus s : fs.listStatus(parent)) {
            if (s.isFile() && s.getPath().getName().startsWith(prefix)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The {@code .NAME.tmp-*} and {@code .NAME.old-*} directories beside {@code target}, newest first. */
    private static List<FileStatus> leftovers(FileSystem fs, Path target) throws IOException {
        Path parent = target.getParent();
        if (parent == null || !fs.exists(parent)) {
            return List.of();
        }
        String prefix = "." + target.getName();
        List<FileStatus> out = new ArrayList<>();
        for (FileStatus s : fs.listStatus(parent)) {
            String n = s.getPath().getName();
            if (s.isDirectory() && (n.startsWith(prefix + TMP) || n.startsWith(prefix + OLD))) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparingLong(FileStatus::getModificationTime).reversed()
                .thenComparing(s -> s.getPath().getName(), Comparator.reverseOrder()));
        return out;
    }

    /** A temporary directory that holds some of our files and nothing else (model.json may not be written yet). */
    private static boolean onlyOurFiles(FileSystem fs, Path dir) throws IOException {
        if (symbolicLink(fs, dir) != null) {
            return false;
        }
        for (FileStatus e : fs.listStatus(dir)) {
            if (!e.isFile() || !(FILES.contains(e.getPath().getName()) || isOurSideFile(e.getPath().getName()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isComplete(FileSystem fs, Path dir) {
        try {
            read(fs, dir, dir.toString(), fs.getConf());
            return fs.exists(new Path(dir, METRICS_JSON)) && fs.exists(new Path(dir, HISTORY_CSV));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static ObjectNode modelJson(Model model) {
        NetworkShape s = model.parameters().shape();
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", FORMAT_VERSION);
        root.put("weights", WEIGHTS);
        ObjectNode arch = root.putObject("architecture");
        arch.put("inputs", s.inputs());
        arch.put("hidden", s.hidden());
        arch.put("classes", s.classes());
        arch.put("hidden_activation", model.activation().id());
        arch.put("output", "softmax");
        arch.put("loss", "cross_entropy");
        arch.put("equations", "z1 = W1 @ x + b1; a1 = " + (model.activation() == Activation.RELU
                ? "max(z1, 0)" : "1 / (1 + exp(-z1))") + "; p = softmax(W2 @ a1 + b2)");
        ObjectNode scaling = root.putObject("input_scaling");
        scaling.put("pixel_divisor", 255.0);
        scaling.put("description", "x = pixel / 255, pixels 0-255 in row-major 28x28 order");
        root.set("training", JSON.valueToTree(model.training()));
        return root;
    }

    /**
     * Reads and checks a model directory on any Hadoop file system. While another process holds the directory's lock
     * (a replace is in progress: the directory may be absent for a moment, or, in the manifest mode, incomplete), the
     * read is tried again for up to {@value #READ_RETRY_MS} ms (also when the lock was held as the attempt began); if
     * it still fails, a missing directory is reported as
     * "a write of this model is in progress (by ...)".
     */
    public static Model read(String dir, Configuration conf) {
        Path path = HadoopFs.path(dir, "--model");
        FileSystem fs = HadoopFs.fileSystem(path, conf, "--model");
        long deadline = System.currentTimeMillis() + READ_RETRY_MS;
        while (true) {
            boolean missing = false;
            // a write that holds the lock when the attempt starts may have released it by the time the attempt fails
            String before = Writers.holder(fs, fs.makeQualified(path), conf);
            try {
                try {
                    missing = !fs.exists(path) || !fs.getFileStatus(path).isDirectory();
                    if (missing) {
                        throw new ModelException("model " + dir + ": no such directory" + leftoverHint(fs, fs.makeQualified(path)));
                    }
                } catch (IOException e) {
                    throw new ModelException("model " + dir + ": " + HadoopFs.describe(e, path), e);
                }
                return read(fs, path, dir, conf);
            } catch (org.sparkdigits.io.InputException e) {   // a ModelException too
                String writer = Writers.holder(fs, fs.makeQualified(path), conf);
                writer = writer != null ? writer : before;
                if (writer == null) {
                    throw e;
                }
                if (System.currentTimeMillis() >= deadline) {
                    if (missing) {
                        throw new ModelException("model " + dir + ": no such directory: a write of this model is in progress "
                                + "(by " + writer + "); read it when that has finished", e);
                    }
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** {@link #read(String, Configuration)} on the local file system. */
    public static Model read(java.nio.file.Path dir) {
        return read(dir.toAbsolutePath().toString(), new Configuration());
    }

    private static String leftoverHint(FileSystem fs, Path target) {
        try {
            for (FileStatus l : leftovers(fs, target)) {
                if (l.getPath().getName().contains(OLD)) {
                    return " (an interrupted replace left the previous model in " + l.getPath()
                            + ": the next train with this --out puts it back, or move it yourself)";
                }
            }
        } catch (IOException e) {
            // no hint
        }
        return "";
    }

    private static Model read(FileSystem fs, Path dir, String shown, Configuration conf) {
        ModelManifest.verify(fs, dir, shown, conf);
        Path jsonPath = new Path(dir, MODEL_JSON);
        String json = jsonPath.toString();
        JsonNode root;
        try {
            root = JSON.readTree(readBounded(fs, jsonPath, MAX_TEXT));
        } catch (java.io.FileNotFoundException e) {
            throw new ModelException(json + ": missing: " + shown + " is not a model directory");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ModelException(json + ": not valid JSON (" + Echo.value(e.getOriginalMessage()) + ")", e);
        } catch (IOException e) {
            throw new ModelException(json + ": cannot read (" + HadoopFs.describe(e, jsonPath) + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelException(json + ": not a JSON object");
        }
        Fields f = new Fields(json);
        if (!FORMAT.equals(f.text(root, "format"))) {
            throw new ModelException(json + ": not a " + FORMAT + " model (format is " + Echo.value(root.path("format").toString()) + ")");
        }
        int version = f.integer(root, "format_version", Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (version != FORMAT_VERSION && version != 1) {   // 1: the training settings under older names
            throw new ModelException(json + ": format_version " + version + " is not supported (expected 1 or "
                    + FORMAT_VERSION + ")");
        }
        if (!WEIGHTS.equals(f.text(root, "weights"))) {
            throw new ModelException(json + ": weights must be " + WEIGHTS + ", got " + Echo.value(root.path("weights").toString()));
        }
        JsonNode arch = f.object(root, "architecture");
        int inputs = f.integer(arch, "inputs", NetworkShape.MNIST_INPUTS, NetworkShape.MNIST_INPUTS);
        int hidden = f.integer(arch, "hidden", 1, NetworkShape.MAX_HIDDEN);
        int classes = f.integer(arch, "classes", NetworkShape.MNIST_CLASSES, NetworkShape.MNIST_CLASSES);
        NetworkShape shape = new NetworkShape(inputs, hidden, classes);
        Activation activation;
        String act = f.text(arch, "hidden_activation");
        try {
            activation = Activation.parse(act);
        } catch (IllegalArgumentException e) {
            throw new ModelException(json + ": architecture.hidden_activation " + Echo.value(act) + " is not supported (relu or sigmoid)");
        }
        JsonNode scaling = f.object(root, "input_scaling");
        JsonNode divisor = scaling.get("pixel_divisor");
        if (divisor == null || !divisor.isNumber() || divisor.doubleValue() != 255.0) {
            throw new ModelException(json + ": input_scaling.pixel_divisor is " + (divisor == null ? "missing"
                    : Echo.value(divisor.toString())) + ", expected 255 (x = pixel / 255)");
        }
        JsonNode training = root.get("training");
        if (training != null && !training.isObject()) {
            throw new ModelException(json + ": training must be an object");
        }
        Path weightsPath = new Path(dir, WEIGHTS);
        Parameters p = SafeTensors.read(fs, weightsPath, shape);
        for (double v : p.values()) {
            if (!Double.isFinite(v)) {
                throw new ModelException(weightsPath + ": holds a non-finite weight (" + v + ")");
            }
        }
        Map<String, Object> settings = training == null ? Map.of()
                : JSON.convertValue(training, new TypeReference<Map<String, Object>>() { });
        if (version == 1) {
            settings = TrainingNames.fromFormat1(settings);
        }
        return new Model(p, activation, settings);
    }

    /** The charts of the model directory {@code dir} that are there (of {@link Charts}' four), by name. */
    public static Map<String, byte[]> readCharts(String dir, Configuration conf) {
        Path d = HadoopFs.path(dir, "--model");
        FileSystem fs = HadoopFs.fileSystem(d, conf, "--model");
        Map<String, byte[]> charts = new LinkedHashMap<>();
        for (String name : List.of(Charts.LOSS, Charts.ACCURACY, Charts.CONFUSION, Charts.SAMPLES)) {
            Path p = new Path(d, name);
            try {
                if (fs.exists(p)) {
                    charts.put(name, readBounded(fs, p, MAX_TEXT));
                }
            } catch (IOException e) {
                throw new ModelException(p + ": cannot read (" + HadoopFs.describe(e, p) + ")", e);
            }
        }
        return charts;
    }

    /**
     * The text of a file of the model directory {@code dir} (history.csv, metrics.json, model.json), read up to
     * {@value #MAX_TEXT} bytes.
     */
    public static String readText(String dir, String name, Configuration conf) {
        Path p = new Path(HadoopFs.path(dir, "--model"), name);
        FileSystem fs = HadoopFs.fileSystem(p, conf, "--model");
        try {
            return new String(readBounded(fs, p, MAX_TEXT), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelException(p + ": cannot read (" + HadoopFs.describe(e, p) + ")", e);
        }
    }

    /**
     * Replaces one file of the model directory {@code dir} atomically ({@link AtomicFiles#write}: a temporary sibling,
     * then a rename; a new file gets the mode a plain write would give it, a replaced one keeps its mode), holding the
     * directory's lock (a replace of the whole directory by another writer waits, or is waited for). A directory that
     * holds a symbolic link is refused: nothing is written through a link.
     */
    public static void replaceFile(String dir, String name, byte[] content, Configuration conf) {
        if (!FILES.contains(name)) {
            throw new IllegalArgumentException(name + " is not a file of a model directory");
        }
        Path d = HadoopFs.path(dir, "--model");
        FileSystem fs = HadoopFs.forWriting(HadoopFs.fileSystem(d, conf, "--model"));
        if (d.getParent() != null) {
            try {
                fs.mkdirs(fs.makeQualified(d).getParent());
            } catch (IOException e) {
                throw new ModelException("model " + dir + ": cannot write " + name + " (" + HadoopFs.describe(e, d) + ")", e);
            }
        }
        try (Writers.Lease lock = Writers.lock(fs, fs.makeQualified(d), dir, conf)) {
            refuseLinks(fs, d, "model " + dir);
            replaceFileLocked(fs, d, dir, name, content, conf);
        } catch (IOException e) {
            throw new ModelException("model " + dir + ": cannot write " + name + " (" + HadoopFs.describe(e, d) + ")", e);
        }
    }

    private static void replaceFileLocked(FileSystem fs, Path d, String dir, String name, byte[] content, Configuration conf) {
        try {
            if (ModelManifest.mode(fs, conf) == ModelManifest.Mode.MANIFEST || fs.exists(new Path(d, ModelManifest.NAME))) {
                // the manifest goes first and comes back last, listing the new file
                Map<String, byte[]> listed = fs.exists(new Path(d, ModelManifest.NAME)) ? ModelManifest.listed(fs, d)
                        : new LinkedHashMap<>();
                fs.delete(new Path(d, ModelManifest.NAME), false);
                try (OutputStream out = fs.create(new Path(d, name), true)) {
                    out.write(content);
                }
                listed.put(name, content);
                ModelManifest.write(fs, d, listed);
                return;
            }
        } catch (IOException e) {
            throw new ModelException("model " + dir + ": cannot write " + name + " (" + HadoopFs.describe(e, d) + ")", e);
        }
        AtomicFiles.write(new Path(d, name), "--model", conf, content);
    }

    /**
     * All of a regular file, refused if it is longer than {@code max} bytes (or a FIFO or device).
     *
     * @throws java.io.FileNotFoundException if it does not exist
     */
    static byte[] readBounded(FileSystem fs, Path p, long max) throws IOException {
        try {
            return HadoopFs.readAll(fs, p, "model", max);
        } catch (ModelException e) {
            throw e;
        } catch (org.sparkdigits.io.InputException e) {
            throw new ModelException(e.getMessage());
        }
    }

    /** Typed, strict access to model.json's fields: a string where a string belongs, an integer in its range. */
    private record Fields(String file) {

        JsonNode object(JsonNode parent, String name) {
            JsonNode n = parent.get(name);
            if (n == null || !n.isObject()) {
                throw new ModelException(file + ": " + name + (n == null ? " is missing" : " must be an object"));
            }
            return n;
        }

        String text(JsonNode parent, String name) {
            JsonNode n = parent.get(name);
            if (n == null || !n.isTextual()) {
                throw new ModelException(file + ": " + name + (n == null ? " is missing" : " must be a string, got "
                        + Echo.value(n.toString())));
            }
            return n.textValue();
        }

        int integer(JsonNode parent, String name, int min, int max) {
            JsonNode n = parent.get(name);
            if (n == null) {
                throw new ModelException(file + ": " + name + " is missing");
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw new ModelException(file + ": " + name + " must be a whole number, got " + Echo.value(n.toString()));
            }
            int v = n.intValue();
            if (v < min || v > max) {
                throw new ModelException(file + ": " + name + " is " + v + ", expected " + (min == max ? String.valueOf(min)
                        : min + "-" + max));
            }
            return v;
        }
    }
}
