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

    /** Storage levels Spark knows by name. */
    private static final List<String> LEVELS = List.of("NONE", "DISK_ONLY", "DISK_ONLY_2", "DISK_ONLY_3", "MEMORY_ONLY",
            "MEMORY_ONLY_2", "MEMORY_ONLY_SER", "MEMORY_ONLY_SER_2", "MEMORY_AND_DISK", "MEMORY_AND_DISK_2",
            "MEMORY_AND_DISK_SER", "MEMORY_AND_DISK_SER_2", "OFF_HEAP");

    public DataSpec {
        Check.between("--partitions", partitions, 0, 100_000);
        String level = storageLevel.trim().toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException("--storage-level must be a Spark storage level such as MEMORY_AND_DISK, "
                    + "MEMORY_ONLY, MEMORY_AND_DISK_SER or DISK_ONLY, got '" + Echo.value(storageLevel) + "'");
        }
        storageLevel = level;
        if (data != null) {
            Check.text("--data", data, "PATH");
        }
        if (test != null) {
            Check.text("--test", test, "PATH");
        }
        if (out != null) {
            Check.text("--out", out, "PATH");
        }
        mirrors = List.copyOf(mirrors);
    }

    /** The same without training or test files: the rows come from the caller's DataFrames. */
    public DataSpec withoutFiles() {
        return new DataSpec(null, null, format, partitions, storageLevel, onBadRow, out, mirrors);
    }
}
