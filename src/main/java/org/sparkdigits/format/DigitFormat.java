package org.sparkdigits.format;

import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;

/**
 * One input format, in the spirit of Spark's own {@code FileFormat}: it inspects a file on the driver before any job
 * (what it holds, or why it cannot be read, by name), reads a list of its files as located records in Spark tasks,
 * and says where a rejected record is. Every format gives the same records ({@code label, p0..p783} or the pixels
 * only), so loading, placement and training do not depend on the format; a bad row is a rejected record naming what
 * is wrong, never an exception, so {@code --on-bad-row} works for all of them.
 */
public interface DigitFormat {

    /**
     * Checks the start of {@code path} (its header, schema or first row) on the driver.
     *
     * @param index its position among the inputs
     * @param what  what the input is for, in messages ("training data")
     * @throws org.sparkdigits.io.InputException naming the file and what is wrong
     */
    InputFile inspect(String path, int index, Configuration conf, String what);

    /** The rows of {@code files} (all of this format, inspected) as located records, read by Spark tasks. */
    JavaRDD<ParsedRow> read(SparkSession spark, List<InputFile> files);

    /** Where {@code reject} of {@code file} is, for messages: {@code path:12}, {@code path: image 7}. */
    String locate(Configuration conf, InputFile file, Reject reject);

    /**
     * The first {@code n} rows of the labelled {@code file} (fewer if it holds fewer), validated, on the driver
     * without Spark (gradcheck).
     */
    DigitBlock firstRows(InputFile file, int n, Configuration conf);

    /** The class of {@code format}. */
    static DigitFormat of(InputFormat format) {
        return switch (format) {
            case CSV -> CsvFormat.INSTANCE;
            case LIBSVM -> LibsvmFormat.INSTANCE;
            case PARQUET -> ParquetFormat.INSTANCE;
            case IDX -> IdxFormat.INSTANCE;
            case DATAFRAME -> throw new IllegalArgumentException("a DataFrame is not a file format");
        };
    }
}
