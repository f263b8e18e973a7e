package org.sparkdigits.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.core.Initializer;
import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.spark.OnBadRow;

/**
 * Everything {@code train} needs, validated before Spark starts. Defaults live in {@link Opt}.
 *
 * @param data         training data path (file, directory or glob)
 * @param test         test data path, or {@code null} for none
 * @param holdout      rows held out of the training data (0: none)
 * @param out          model directory
 * @param defaultData  whether the default data/ files are used (and so may be downloaded)
 * @param partitions   partitions of the cached data, 0 for twice Spark's default parallelism
 * @param mirrors      where to download MNIST from when the default data is missing
 */
public record TrainConfig(String data, String test, int holdout, Path out, boolean defaultData, int hidden,
                          double learningRate, int iterations, Initializer init, long seed, int partitions,
                          int logEvery, OnBadRow onBadRow, String storageLevel, java.util.List<String> mirrors) {

    public static TrainConfig from(Args a) {
        boolean defaultData = !a.given(Opt.DATA);
        String test = a.given(Opt.TEST) || (defaultData && !a.given(Opt.HOLDOUT)) ? a.required(Opt.TEST) : null;
        String partitions = a.required(Opt.PARTITIONS);
        int p = "auto".equals(partitions.trim()) ? 0 : a.integer(Opt.PARTITIONS, 1, 100_000);
        Initializer init;
        try {
            init = Initializer.parse(a.required(Opt.INIT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--init: " + e.getMessage());
        }
        OnBadRow onBad;
        try {
            onBad = OnBadRow.parse(a.required(Opt.ON_BAD_ROW));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String level = a.required(Opt.STORAGE_LEVEL).trim().toUpperCase(java.util.Locale.ROOT);
        try {
            StorageLevel.fromString(level);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--storage-level must be a Spark storage level such as MEMORY_AND_DISK, "
                    + "MEMORY_ONLY, MEMORY_AND_DISK_SER or DISK_ONLY, got '" + a.string(Opt.STORAGE_LEVEL) + "'");
        }
        return new TrainConfig(a.required(Opt.DATA), test, a.integer(Opt.HOLDOUT, 0, Integer.MAX_VALUE),
                Path.of(a.required(Opt.OUT)), defaultData, a.integer(Opt.HIDDEN, 1, NetworkShape.MAX_HIDDEN),
                a.positive(Opt.LR), a.integer(Opt.ITERATIONS, 1, 10_000_000), init, a.longValue(Opt.SEED), p,
                a.integer(Opt.LOG_EVERY, 1, Integer.MAX_VALUE), onBad, level, Main.mirrors(a));
    }

    public StorageLevel sparkStorageLevel() {
        return StorageLevel.fromString(storageLevel);
    }

    /** The settings as written to model.json ({@code training}). */
    public Map<String, Object> asJson(int actualPartitions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("test", test);
        m.put("holdout", holdout);
        m.put("optimizer", "gradient_descent");
        m.put("batch", "full");
        m.put("learning_rate", learningRate);
        m.put("iterations", iterations);
        m.put("init", init.id());
        m.put("seed", seed);
        m.put("partitions", actualPartitions);
        m.put("on_bad_row", onBadRow.id());
        m.put("storage_level", storageLevel);
        return m;
    }
}
