package org.sparkdigits.testing;

import org.sparkdigits.spark.load.LoadedData;
import org.sparkdigits.spark.load.DigitLoader;
import java.nio.file.Path;

import org.apache.spark.storage.StorageLevel;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.spark.load.DigitLoader;
import org.sparkdigits.spark.load.LoadedData;

/** Loads a generated CSV file into cached blocks on the shared test session. */
public final class TestLoads {

    private TestLoads() {
    }

    public static LoadedData shuffled(Path file, int partitions) {
        var spark = SparkTestSession.get();
        return new DigitLoader(spark, OnBadRow.FAIL, StorageLevel.MEMORY_ONLY())
                .loadShuffled(InputFiles.resolve(file.toString(), spark.sparkContext().hadoopConfiguration(), "x"), partitions, "x");
    }
}
