package org.sparkdigits.spark;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.data.InputException;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.RowParser;

import scala.Tuple2;

/**
 * Loads digit CSV files into cached compact blocks, once.
 *
 * <p>Lines come from Spark SQL's text source with the file and split of each line
 * ({@code _metadata.file_path}, {@code _metadata.file_block_start}); {@link LineParser} parses and
 * validates them (far faster than Spark's CSV reader on 785 columns: see the README). Then either
 * <ul>
 *   <li>{@link #loadShuffled}: rows go to {@code partitions} partitions by a key of their content and are
 *       sorted by it there, so the blocks are the same whatever the input splits, file order or task
 *       timing (training data); or</li>
 *   <li>{@link #loadInOrder}: one block per input split, in input order (prediction, evaluation).</li>
 * </ul>
 * Each partition becomes ONE {@link org.sparkdigits.core.DigitBlock} that is persisted; the files are
 * not read again.
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
     * Loads labelled rows into {@code partitions} blocks placed by content.
     *
     * @param what what the data is for, in messages ("training data")
     */
    public LoadedData loadShuffled(List<InputFile> files, int partitions, String what) {
        if (!files.get(0).labelled()) {
            throw new InputException(what + ": " + files.get(0).path() + " has no label column (784 fields): labels are needed here");
        }
        long t0 = System.nanoTime();
        LineParser parser = new LineParser(byKey(files));
        JavaPairRDD<Long, byte[]> keyed = lines(files).mapPartitionsToPair(rows -> keyByContent(parser, rows));
        JavaRDD<LoadedPartition> blocks = keyed
                .repartitionAndSortWithinPartitions(new KeyPartitioner(partitions))
                .mapPartitions(DigitLoader::assembleKeyed);
        return materialize(blocks, files, what, t0);
    }

    /**
     * Loads Parquet rows with a {@code label} column (integer, 0-9) and a {@code pixels} column (binary, 784 bytes),
     * as {@code augment} writes them, into {@code partitions} blocks placed by content: the same rows give the
     * same blocks as from CSV. A row with a bad label or a pixels value of another length stops the load with
     * the file and what is wrong.
     */
    public LoadedData loadParquetShuffled(String spec, int partitions, String what) {
        long t0 = System.nanoTime();
        org.apache.spark.sql.Dataset<Row> frame = spark.read().parquet(spec);
        org.apache.spark.sql.types.StructType schema = frame.schema();
        java.util.List<String> names = java.util.Arrays.asList(schema.fieldNames());
        if (!names.contains("label") || !names.contains("pixels")
                || !(schema.apply("label").dataType() instanceof org.apache.spark.sql.types.IntegralType)
                || !(schema.apply("pixels").dataType() instanceof org.apache.spark.sql.types.BinaryType)) {
            throw new InputException(what + ": " + spec + ": Parquet input needs a label column (integer 0-9) and a pixels "
                    + "column (binary, 784 bytes), as augment writes; found " + schema.simpleString());
        }
        String name = what;
        JavaPairRDD<Long, byte[]> keyed = frame
                .select(col("label").cast("int"), col("pixels"), org.apache.spark.sql.functions.input_file_name())
                .javaRDD()
                .mapToPair(r -> {
                    if (r.isNullAt(0) || r.getInt(0) < 0 || r.getInt(0) > 9) {
                        throw new InputException(name + ": " + r.getString(2) + ": a record with label "
                                + (r.isNullAt(0) ? "null" : String.valueOf(r.getInt(0))) + " (labels are 0-9)");
                    }
                    byte[] px = r.isNullAt(1) ? null : (byte[]) r.get(1);
                    if (px == null || px.length != RowParser.PIXELS) {
                        throw new InputException(name + ": " + r.getString(2) + ": a record (label " + r.getInt(0)
                                + ") with " + (px == null ? "no" : String.valueOf(px.length)) + " pixel bytes ("
                                + RowParser.PIXELS + " expected)");
                    }
                    byte[] record = new byte[RowParser.PIXELS + 1];
                    record[0] = (byte) r.getInt(0);
                    System.arraycopy(px, 0, record, 1, RowParser.PIXELS);
                    return new Tuple2<>(LineParser.contentKey(record), record);
                });
        JavaRDD<LoadedPartition> blocks = keyed
                .repartitionAndSortWithinPartitions(new KeyPartitioner(partitions))
                .mapPartitions(DigitLoader::assembleKeyed);
        return materialize(blocks, List.of(new InputFile(spec, 0, false, true)), what, t0);
    }

    /** Loads rows (labelled or not) into one block per input split, in input order. */
    public LoadedData loadInOrder(List<InputFile> files, String what) {
        long t0 = System.nanoTime();
        boolean labelled = files.get(0).labelled();
        LineParser parser = new LineParser(byKey(files));
        JavaRDD<LoadedPartition> blocks = lines(files).mapPartitions(rows -> assembleInOrder(parser, labelled, rows));
        return materialize(blocks, files, what, t0);
    }

    /** Task side: parsed lines as (content key, record); a rejected line travels encoded. */
    private static Iterator<Tuple2<Long, byte[]>> keyByContent(LineParser parser, Iterator<Row> rows) {
        Iterator<LineParser.Parsed> parsed = parser.parse(rows);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return parsed.hasNext();
            }

            @Override
            public Tuple2<Long, byte[]> next() {
                LineParser.Parsed p = parsed.next();
                byte[] value = p.record() != null ? p.record() : LineParser.encodeReject(p);
                return new Tuple2<>(LineParser.contentKey(value), value);
            }
        };
    }

    /** Task side: one partition of (key, record), sorted by key, into one block. */
    private static Iterator<LoadedPartition> assembleKeyed(Iterator<Tuple2<Long, byte[]>> it) {
        BlockAssembler a = new BlockAssembler(true, true);
        while (it.hasNext()) {
            Tuple2<Long, byte[]> t = it.next();
            if (t._2()[0] == LineParser.REJECT_MARK) {
                a.reject(LineParser.decodeReject(t._2()));
            } else {
                a.add(t._2(), t._1());
            }
        }
        return Collections.singletonList(new LoadedPartition(a.block(), a.keys(), -1, -1,
                a.rejectedPerFile(), a.firstRejects())).iterator();
    }

    /** Task side: parsed lines into one block per input split, in order. */
    private static Iterator<LoadedPartition> assembleInOrder(LineParser parser, boolean labelled, Iterator<Row> rows) {
        Iterator<LineParser.Parsed> parsed = parser.parse(rows);
        List<LoadedPartition> out = new ArrayList<>();
        BlockAssembler a = null;
        int file = -1;
        long start = -1;
        while (parsed.hasNext()) {
            LineParser.Parsed p = parsed.next();
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

    private JavaRDD<Row> lines(List<InputFile> files) {
        String[] paths = files.stream().map(InputFile::path).toArray(String[]::new);
        return spark.read().text(paths)
                .select(col("_metadata.file_path"), col("_metadata.file_block_start"), col("value"))
                .javaRDD();
    }

    private static Map<String, InputFile> byKey(List<InputFile> files) {
        Map<String, InputFile> m = new HashMap<>();
        for (InputFile f : files) {
            m.put(LineParser.key(f.path()), f);
        }
        return m;
    }

    /** Persists and counts the blocks, turning read failures and bad rows into clear errors. */
    private LoadedData materialize(JavaRDD<LoadedPartition> blocks, List<InputFile> files, String what, long t0) {
        blocks.persist(storageLevel);
        List<LoadedPartition.Summary> summaries;
        try {
            summaries = blocks.map(LoadedPartition::summary).collect();
        } catch (Exception e) { // SparkException is checked but not declared by the Java API
            blocks.unpersist(false);
            throw diagnose(e, files, what);
        }
        long rows = 0;
        TreeMap<Integer, Long> rejected = new TreeMap<>();
        List<Reject> first = new ArrayList<>();
        for (LoadedPartition.Summary s : summaries) {
            rows += s.rows();
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
                blocks.unpersist(false);
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
            blocks.unpersist(false);
            throw new InputException(what + ": " + (files.size() == 1 ? files.get(0).path() : files.size() + " files")
                    + ": no valid data rows");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new LoadedData(blocks, rows, summaries.size(), skipped, seconds, files);
    }

    private static String where(Configuration conf, InputFile f, Reject r) {
        long line = LineLocator.lineNumber(conf, f.path(), r.blockStart(), r.position());
        return line > 0 ? f.path() + ":" + line : f.path() + " (line " + (r.position() + 1) + " of the split at byte " + r.blockStart() + ")";
    }

    /** Names the file behind a failed read (a truncated gzip, say), or returns the failure as it is. */
    private RuntimeException diagnose(Exception e, List<InputFile> files, String what) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof IOException) {
            Configuration conf = spark.sparkContext().hadoopConfiguration();
            for (InputFile f : files) {
                String problem = LineLocator.readProblem(conf, f.path());
                if (problem != null) {
                    return new InputException(what + ": " + f.path() + ": cannot read (" + problem + ")", e);
                }
            }
            return new InputException(what + ": reading failed (" + root + ")", e);
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
    }
}
