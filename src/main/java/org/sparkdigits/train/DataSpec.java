package org.sparkdigits.train;

import java.util.List;
import java.util.Locale;

import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.io.Echo;

/**
 * Where the rows come from, how they are cached, and where the model goes.
 *
 * @param data         labelled training data (a file, directory or glob on any Hadoop file system), or {@code null} when
 *                     the trainer is given a DataFrame ({@code --data})
 * @param test         test data, or {@code null} ({@code --test})
 * @param format       {@code --data}'s format, {@code null} to detect it ({@code --format})
 * @param partitions   partitions of the cached blocks, 0 for auto ({@code --partitions})
 * @param storageLevel a Spark storage level's name ({@code --storage-level})
 * @param onBadRow     what a malformed row does ({@code --on-bad-row})
 * @param out          the model directory to write, or {@code null} ({@code --out})
 * @param mirrors      where to download MNIST from when the default data is missing ({@code --mirror})
 */
public record DataSpec(String data, String test, InputFormat format, int partitions, String storageLevel, OnBadRow onBadRow,
                       String out, List<String> mirrors) {

    /** {@code --data}. */
    public static final Setting<DataSpec> DATA = Setting.<DataSpec>of(
            "data", "PATH", "data/mnist_train.csv", Setting.Kind.TEXT,
            "labelled digits (file, directory or glob; plain or .gz): CSV (header detected), LIBSVM, Parquet as "
            + "augment writes or IDX (the images file; labels beside it)")
            .recorded(Setting.Recorded.RUN, d -> d.data());

    /** {@code --test}. */
    public static final Setting<DataSpec> TEST = Setting.<DataSpec>of(
            "test", "PATH", "data/mnist_test.csv", Setting.Kind.TEXT,
            "test data (any format --data takes), evaluated after training; used by default only when --data is not "
            + "given")
            .recorded(Setting.Recorded.RUN, d -> d.test());

    /** {@code --out}. */
    public static final Setting<DataSpec> OUT = Setting.<DataSpec>of("out", "PATH", "model", Setting.Kind.TEXT,
            "the model directory to write, on any Hadoop file system (the library's fit writes one only when out(...) "
            + "is given)");

    /** {@code --partitions}. */
    public static final Setting<DataSpec> PARTITIONS = Setting.<DataSpec>of(
            "partitions", "N", "auto", Setting.Kind.TEXT,
            "partitions of the cached data (auto: Spark's default parallelism, one task per core, or for files a "
            + "multiple of it that keeps partitions below 500 000 rows)")
            .recorded(Setting.Recorded.RUN, d -> d.partitions() == 0 ? "auto" : d.partitions())
            .between(0, 100_000);

    /** {@code --on-bad-row}. */
    public static final Setting<DataSpec> ON_BAD_ROW = Setting.<DataSpec>of(
            "on-bad-row", "fail|skip", "fail", Setting.Kind.CHOICE,
            "a malformed row stops with file:line (fail) or is dropped and counted (skip)")
            .recorded(Setting.Recorded.RUN, d -> d.onBadRow().id());

    /** {@code --format}. */
    public static final Setting<DataSpec> FORMAT = Setting.<DataSpec>of("format", "FMT", "auto", Setting.Kind.CHOICE,
            "the input's format: auto (by name and content), csv, libsvm, parquet or idx (train's --test is always "
            + "detected)");

    /** {@code --storage-level}. */
    public static final Setting<DataSpec> STORAGE_LEVEL = Setting.<DataSpec>of(
            "storage-level", "LEVEL", "MEMORY_AND_DISK", Setting.Kind.TEXT,
            "Spark storage level of the cached blocks")
            .recorded(Setting.Recorded.MODEL, d -> d.storageLevel());

    /** {@code --mirror}. */
    public static final Setting<DataSpec> MIRROR = Setting.<DataSpec>of("mirror", "URL[,URL]", null, Setting.Kind.TEXT,
            "MNIST mirror(s) to download from when the default data is missing (instead of the built-in list)");

    /** Storage levels Spark knows by name. */
    private static final List<String> LEVELS = List.of("NONE", "DISK_ONLY", "DISK_ONLY_2", "DISK_ONLY_3", "MEMORY_ONLY",
            "MEMORY_ONLY_2", "MEMORY_ONLY_SER", "MEMORY_ONLY_SER_2", "MEMORY_AND_DISK", "MEMORY_AND_DISK_2",
            "MEMORY_AND_DISK_SER", "MEMORY_AND_DISK_SER_2", "OFF_HEAP");

    public DataSpec {
        PARTITIONS.check(partitions);
        String level = storageLevel.trim().toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException(STORAGE_LEVEL.flag() + " must be a Spark storage level such as MEMORY_AND_DISK, "
                    + "MEMORY_ONLY, MEMORY_AND_DISK_SER or DISK_ONLY, got '" + Echo.value(storageLevel) + "'");
        }
        storageLevel = level;
        if (data != null) {
            DATA.checkText(data);
        }
        if (test != null) {
            TEST.checkText(test);
        }
        if (out != null) {
            OUT.checkText(out);
        }
        mirrors = List.copyOf(mirrors);
    }

    /** The same without training or test files: the rows come from the caller's DataFrames. */
    public DataSpec withoutFiles() {
        return new DataSpec(null, null, format, partitions, storageLevel, onBadRow, out, mirrors);
    }
}
