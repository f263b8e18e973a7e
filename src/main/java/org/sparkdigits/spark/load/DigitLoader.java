package org.sparkdigits.spark.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.ShuffledRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.format.DigitFormat;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.format.ParsedRow;
import org.sparkdigits.format.Reject;
import org.sparkdigits.format.SparkFiles;
import org.sparkdigits.io.InputException;

import scala.Tuple2;
import scala.math.Ordering;
import scala.math.Ordering$;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Loads digit files (CSV, LIBSVM, Parquet, IDX) into cached compact blocks, once.
 *
 * <p>Each format ({@link DigitFormat}) reads its files as the same located records; a DataFrame's rows become such
 * records too ({@link FrameSource}). Then either
 * <ul>
 *   <li>{@link #loadShuffled}: rows go to {@code partitions} partitions by a key of their content and are
 *       sorted by it there, so the blocks are the same whatever the format, input splits, file order or task
 *       timing (training data); a partition becomes blocks of at most {@link #MAX_BLOCK_ROWS} rows; or</li>
 *   <li>{@link #loadInOrder}: one block per input split (IDX: per chunk), in input order (prediction,
 *       evaluation).</li>
 * </ul>
 * The blocks are persisted with their non-zero index; the files are not read again.
 */
public final class DigitLoader {

    private static final Logger LOG = LoggerFactory.getLogger(DigitLoader.class);

    private final SparkSession spark;
    private final OnBadRow onBadRow;
    private final StorageLevel storageLevel;

    public DigitLoader(SparkSession spark, OnBadRow onBadRow, StorageLevel storageLevel) {
        this.spark = spark;
        this.onBadRow = onBadRow;
        this.storageLevel = storageLevel;
    }

    /**
     * Loads labelled rows into {@code partitions} blocks placed by content: the same rows give the same blocks
     * whatever their format, files, order or splits.
     *
     * @param what what the data is for, in messages ("training data")
     */
    public LoadedData loadShuffled(List<InputFile> files, int partitions, String what) {
        InputFile first = files.get(0);
        if (!first.labelled()) {
            throw new InputException(what + ": " + first.path() + (first.format() == InputFormat.IDX
                    ? " has no labels file beside it (looked for " + InputFiles.idxLabelsFor(first.path()) + ")"
                    : first.format() == InputFormat.PARQUET ? " has no label column"
                    : " has no label column (784 fields)") + ": labels are needed here");
        }
        return loadShuffled(read(files), files, partitions, what);
    }

    /**
     * Loads the rows of a DataFrame (labelled) into {@code partitions} blocks placed by content, as {@link
     * #loadShuffled(List, int, String)} places the rows of files: the same rows give the same blocks.
     */
    public LoadedData loadShuffled(FrameSource source, Dataset<Row> frame, int partitions,
                            String what) {
        List<InputFile> files = List.of(frameFile(what, true));
        return loadShuffled(source.records(frame, files.get(0)), files, partitions, what);
    }

    /** Loads the rows of a DataFrame into one block per partition, in order. */
    public LoadedData loadInOrder(FrameSource source, Dataset<Row> frame, String what) {
        List<InputFile> files = List.of(frameFile(what, source.labelled()));
        long t0 = System.nanoTime();
        return materialize(source.records(frame, files.get(0)).mapPartitions(rows -> assembleInOrder(source.labelled(), rows)),
                files, what, t0);
    }

    /** The stand-in input file of a DataFrame, named in messages. */
    private static InputFile frameFile(String what, boolean labelled) {
        return new InputFile("DataFrame (" + what + ")", 0, false, labelled, InputFormat.DATAFRAME, null, -1);
    }

    private static final ClassTag<Long> LONG_TAG = ClassTag$.MODULE$.apply(Long.class);
    private static final ClassTag<byte[]> BYTES_TAG = ClassTag$.MODULE$.apply(byte[].class);
    /** Content keys in signed order, as {@code JavaPairRDD.repartitionAndSortWithinPartitions} sorted them. */
    private static final Ordering<Long> KEY_ORDER = Ordering$.MODULE$.comparatorToOrdering(Comparator.<Long>naturalOrder());

    private LoadedData loadShuffled(JavaRDD<ParsedRow> parsed, List<InputFile> files, int partitions, String what) {
        long t0 = System.nanoTime();
        JavaPairRDD<Long, byte[]> keyed = parsed.mapPartitionsToPair(DigitLoader::keyByContent);
        // repartitionAndSortWithinPartitions, with the shuffle's own compact format
        ShuffledRDD<Long, byte[], byte[]> sorted = new ShuffledRDD<Long, byte[], byte[]>(keyed.rdd(),
                new KeyPartitioner(partitions), LONG_TAG, BYTES_TAG, BYTES_TAG)
                .setKeyOrdering(KEY_ORDER)
                .setSerializer(new KeyedRecordSerializer());
        JavaRDD<LoadedPartition> blocks = JavaPairRDD.fromRDD(sorted, LONG_TAG, BYTES_TAG)
                .mapPartitions(DigitLoader::assembleKeyed);
        return materialize(blocks, files, what, t0);
    }

    /**
     * {@code requested} partitions, or fewer when the data holds fewer rows: a partition per row at most (100 000
     * partitions of 20 rows would take minutes of empty tasks). The rows are bounded from the files' headers and
     * sizes ({@link InputFiles#maxRows}); where that is not enough to decide (more partitions than that bound, or than
     * {@code 4 x parallelism} on compressed text), the lines of text files are counted by a quick job. A change is
     * logged.
     */
    public int partitionsFor(List<InputFile> files, int requested, int parallelism) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        long bound = InputFiles.maxRows(files, conf);
        boolean unknown = bound == Long.MAX_VALUE;
        if (requested <= bound && (!unknown || requested <= Math.max(64, 4L * parallelism))) {
            return requested;
        }
        if (!files.get(0).format().text()) {
            return cap(requested, bound);
        }
        String[] paths = files.stream().map(InputFile::path).toArray(String[]::new);
        return cap(requested, Math.min(bound, SparkFiles.literal(spark.read()).text(paths).count()));
    }

    /**
     * {@code requested} partitions for the rows of a DataFrame, or fewer when it holds fewer rows: counted by a job
     * only when {@code requested} is more than {@code max(64, 4 x parallelism)}.
     */
    public static int partitionsFor(Dataset<Row> frame, int requested, int parallelism) {
        return requested <= Math.max(64, 4L * parallelism) ? requested : cap(requested, frame.count());
    }

    private static int cap(int requested, long rows) {
        if (requested <= rows) {
            return requested;
        }
        int p = (int) Math.max(1, rows);
        LOG.warn("--partitions {}: the data holds at most {} rows; using {} partitions (a partition per row at most)",
                requested, rows, p);
        return p;
    }

    /** The rows of {@code files}, read by their format. */
    private JavaRDD<ParsedRow> read(List<InputFile> files) {
        return DigitFormat.of(files.get(0).format()).read(spark, files);
    }

    /** Loads rows (labelled or not) into one block per input split, in input order. */
    public LoadedData loadInOrder(List<InputFile> files, String what) {
        long t0 = System.nanoTime();
        boolean labelled = files.get(0).labelled();
        JavaRDD<LoadedPartition> blocks = read(files).mapPartitions(rows -> assembleInOrder(labelled, rows));
        return materialize(blocks, files, what, t0);
    }

    /** Rows between two looks at whether the task was killed (a cancelled job's). */
    private static final int KILL_CHECK_ROWS = 4096;

    /**
     * Task side: parsed lines as (content key, record); a rejected line travels encoded. Every
     * {@value #KILL_CHECK_ROWS} rows it ends a task that Spark killed (a cancelled load): a DataFrame's rows do not
     * always look themselves (on Spark 3.5 a cancelled load of a huge range went on for good, holding a task slot that
     * the next barrier stage then waited for).
     */
    private static Iterator<Tuple2<Long, byte[]>> keyByContent(Iterator<ParsedRow> parsed) {
        TaskContext task = TaskContext.get();
        return new Iterator<>() {
            private int rows;

            @Override
            public boolean hasNext() {
                if (task != null && ++rows % KILL_CHECK_ROWS == 0) {
                    task.killTaskIfInterrupted();
                }
                return parsed.hasNext();
            }

            @Override
            public Tuple2<Long, byte[]> next() {
                ParsedRow p = parsed.next();
                byte[] value = p.record() != null ? p.record() : ContentKeys.encodeReject(p);
                return new Tuple2<>(ContentKeys.contentKey(value), value);
            }
        };
    }

    /**
     * Rows per block at most: 65 536 rows are 51 MB of pixels. A partition of more rows becomes several blocks,
     * so no array nears Java's 2 GB limit and loading never holds more than one block's growing arrays.
     */
    static final int MAX_BLOCK_ROWS = 1 << 16;

    /** Task side: one partition of (key, record), sorted by key, into blocks of at most {@link #MAX_BLOCK_ROWS} rows. */
    private static Iterator<LoadedPartition> assembleKeyed(Iterator<Tuple2<Long, byte[]>> it) {
        return new Iterator<>() {
            private boolean first = true;

            @Override
            public boolean hasNext() {
                return first || it.hasNext();
            }

            @Override
            public LoadedPartition next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                first = false;
                BlockAssembler a = new BlockAssembler(true, true);
                while (a.rows() < MAX_BLOCK_ROWS && it.hasNext()) {
                    Tuple2<Long, byte[]> t = it.next();
                    if (t._2()[0] == ContentKeys.REJECT_MARK) {
                        a.reject(ContentKeys.decodeReject(t._2()));
                    } else {
                        a.add(t._2(), t._1());
                    }
                }
                return new LoadedPartition(a.block(), a.keys(), -1, -1, a.rejectedPerFile(), a.firstRejects());
            }
        };
    }

    /** Task side: parsed lines into one block per input split, in order. */
    private static Iterator<LoadedPartition> assembleInOrder(boolean labelled, Iterator<ParsedRow> parsed) {
        List<LoadedPartition> out = new ArrayList<>();
        BlockAssembler a = null;
        int file = -1;
        long start = -1;
        while (parsed.hasNext()) {
            ParsedRow p = parsed.next();
            if (a == null || p.file().index() != file || p.blockStart() != start) {
                if (a != null) {
                    out.add(new LoadedPartition(a.block(), null, file, start, a.rejectedPerFile(), a.firstRejects()));
                }
                a = new BlockAssembler(labelled, false);
                file = p.file().index();
                start = p.blockStart();
            }
            if (p.record() != null) {
                a.add(p.record(), 0);
            } else {
                a.reject(new Reject(file, start, p.position(), p.reason()));
            }
        }
        if (a != null) {
            out.add(new LoadedPartition(a.block(), null, file, start, a.rejectedPerFile(), a.firstRejects()));
        }
        return out.iterator();
    }

    /**
     * Persists and counts the blocks, turning read failures and bad rows into clear errors; the blocks stay persisted
     * only when loading succeeds.
     */
    private LoadedData materialize(JavaRDD<LoadedPartition> assembled, List<InputFile> files, String what, long t0) {
        JavaRDD<LoadedPartition> blocks = assembled.map(LoadedPartition::indexed);
        blocks.persist(storageLevel);
        boolean loaded = false;
        try {
            LoadedData data = summarize(blocks, files, what, t0);
            loaded = true;
            return data;
        } finally {
            if (!loaded) {   // a bad row, no rows, a failed or cancelled job: nothing stays cached
                blocks.unpersist(false);
            }
        }
    }

    private LoadedData summarize(JavaRDD<LoadedPartition> blocks, List<InputFile> files, String what, long t0) {
        List<LoadedPartition.Summary> summaries;
        try {
            summaries = blocks.map(LoadedPartition::summary).collect();
        } catch (Exception e) { // SparkException is checked but not declared by the Java API
            throw diagnose(e, files, what);
        }
        long rows = 0;
        long[] content = new long[2];
        TreeMap<Integer, Long> rejected = new TreeMap<>();
        List<Reject> first = new ArrayList<>();
        for (LoadedPartition.Summary s : summaries) {
            rows += s.rows();
            content[0] += s.content()[0];
            content[1] += s.content()[1];
            s.rejectedPerFile().forEach((f, n) -> rejected.merge(f, n, Long::sum));
            first.addAll(s.firstRejects());
        }
        Collections.sort(first);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Map<String, Long> skipped = new LinkedHashMap<>();
        if (!rejected.isEmpty()) {
            Reject r = first.get(0);
            String where = where(conf, files.get(r.fileIndex()), r);
            if (onBadRow == OnBadRow.FAIL) {
                long total = rejected.values().stream().mapToLong(Long::longValue).sum();
                throw new InputException(what + ": " + where + ": " + r.reason()
                        + (total > 1 ? " (" + total + " bad rows in all)" : "")
                        + "; use --on-bad-row skip to drop bad rows");
            }
            for (Map.Entry<Integer, Long> e : rejected.entrySet()) {
                String path = files.get(e.getKey()).path();
                skipped.put(path, e.getValue());
                Reject example = first.stream().filter(x -> x.fileIndex() == e.getKey()).findFirst().orElse(null);
                LOG.warn("{}: skipped {} bad row{} in {}{}", what, e.getValue(), e.getValue() == 1 ? "" : "s", path,
                        example == null ? "" : " (first: " + where(conf, files.get(e.getKey()), example) + ": " + example.reason() + ")");
            }
        }
        if (rows == 0) {
            throw new InputException(what + ": " + (files.size() == 1 ? files.get(0).path() : files.size() + " files")
                    + ": no valid data rows");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String fingerprint = content[0] == 0 && content[1] == 0 ? null
                : String.format(java.util.Locale.ROOT, "%016x%016x", content[0], content[1]);
        return new LoadedData(blocks, rows, summaries.size(), skipped, seconds, files, fingerprint);
    }

    private static String where(Configuration conf, InputFile f, Reject r) {
        if (f.format() == InputFormat.DATAFRAME) {
            return f.path() + ": row " + (r.position() + 1) + " of partition " + r.blockStart();
        }
        return DigitFormat.of(f.format()).locate(conf, f, r);
    }

    /** Names the file behind a failed read (a truncated gzip, say), or returns the failure as it is. */
    private RuntimeException diagnose(Exception e, List<InputFile> files, String what) {
        if (Cancellation.shows(e)) {   // not a read failure: the run is told it was cancelled
            return e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof IOException) {
            Configuration conf = spark.sparkContext().hadoopConfiguration();
            for (InputFile f : files) {
                if (f.format() == InputFormat.DATAFRAME) {
                    continue;   // no file to look at: the root cause is the message
                }
                String problem = InputFiles.readProblem(conf, f.path());
                if (problem != null) {
                    return new InputException(what + ": " + f.path() + ": cannot read (" + problem + ")", e);
                }
            }
            return new InputException(what + ": reading failed (" + root + ")", e);
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
    }
}
