package org.sparkdigits.format;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.RowParser;
import org.sparkdigits.io.InputException;

/**
 * A {@code pixels} binary column of 784 bytes and, for training, a {@code label} integer column, as {@code augment}
 * writes them. Inspecting reads the footer (schema and row count); Spark's Parquet source reads the rows, each located
 * by its row index in the file.
 */
final class ParquetFormat implements DigitFormat {

    static final ParquetFormat INSTANCE = new ParquetFormat();

    @Override
    public InputFile inspect(String p, int index, Configuration conf, String what) {
        try {
            org.sparkdigits.io.HadoopFs.check(new Path(p).getFileSystem(conf), new Path(p), what, Long.MAX_VALUE);
        } catch (IOException e) {
            throw new InputException(what + ": " + p + ": " + org.sparkdigits.io.HadoopFs.describe(e, new Path(p)), e);
        }
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(p), conf))) {
            MessageType schema = r.getFooter().getFileMetaData().getSchema();
            String expected = "Parquet input needs a pixels column (binary, 784 bytes) and, for training, a label column "
                    + "(integer 0-9), as augment writes; found " + schema.toString().replaceAll("\\s+", " ").trim();
            if (!schema.containsField("pixels") || !primitive(schema.getType("pixels"), Set.of(PrimitiveTypeName.BINARY))
                    || schema.getType("pixels").getLogicalTypeAnnotation() != null) {
                throw new InputException(what + ": " + p + ": " + expected);
            }
            boolean labelled = schema.containsField("label");
            if (labelled && !primitive(schema.getType("label"), Set.of(PrimitiveTypeName.INT32, PrimitiveTypeName.INT64))) {
                throw new InputException(what + ": " + p + ": " + expected);
            }
            return new InputFile(p, index, false, labelled, InputFormat.PARQUET, null, r.getRecordCount());
        } catch (IOException | RuntimeException e) {
            if (e instanceof InputException ie) {
                throw ie;
            }
            throw new InputException(what + ": " + p + ": not a readable Parquet file (" + InputFiles.describe(e) + ")", e);
        }
    }

    private static boolean primitive(Type t, Set<PrimitiveTypeName> allowed) {
        return t.isPrimitive() && allowed.contains(t.asPrimitiveType().getPrimitiveTypeName());
    }

    @Override
    public JavaRDD<ParsedRow> read(SparkSession spark, List<InputFile> files) {
        boolean labelled = files.get(0).labelled();
        Map<String, InputFile> known = SparkFiles.byKey(files);
        return SparkFiles.literal(spark.read()).parquet(SparkFiles.paths(files))
                .select(col("_metadata.file_path"), col("_metadata.file_block_start"), col("_metadata.row_index"),
                        labelled ? col("label").cast("long") : lit(0L), col("pixels"))
                .javaRDD()
                .mapPartitions(rows -> records(rows, known, labelled));
    }

    /** Task side: rows of (path, split start, row index, label, pixels) as records. */
    private static Iterator<ParsedRow> records(Iterator<Row> rows, Map<String, InputFile> known, boolean labelled) {
        return new Iterator<>() {
            private String lastPath;
            private InputFile f;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public ParsedRow next() {
                Row r = rows.next();
                if (!r.getString(0).equals(lastPath)) {
                    lastPath = r.getString(0);
                    f = known.get(SparkFiles.sparkKey(lastPath));
                    if (f == null) {
                        throw new IllegalStateException("unexpected input file " + lastPath);
                    }
                }
                return parse(f, r, labelled);
            }
        };
    }

    /** A row of (path, split start, row index, label, pixels) as a record. */
    private static ParsedRow parse(InputFile f, Row r, boolean labelled) {
        long start = r.getLong(1);
        long row = r.getLong(2);
        byte[] px = r.isNullAt(4) ? null : (byte[]) r.get(4);
        if (labelled && (r.isNullAt(3) || r.getLong(3) < 0 || r.getLong(3) > 9)) {
            return ParsedRow.rejected(f, start, row, "label " + (r.isNullAt(3) ? "null" : String.valueOf(r.getLong(3)))
                    + " is not 0-9");
        }
        if (px == null || px.length != RowParser.PIXELS) {
            return ParsedRow.rejected(f, start, row, (px == null ? "no" : String.valueOf(px.length)) + " pixel bytes ("
                    + RowParser.PIXELS + " expected)");
        }
        int off = labelled ? 1 : 0;
        byte[] record = new byte[RowParser.PIXELS + off];
        if (labelled) {
            record[0] = (byte) r.getLong(3);
        }
        System.arraycopy(px, 0, record, off, RowParser.PIXELS);
        return ParsedRow.valid(f, start, row, record);
    }

    @Override
    public String locate(Configuration conf, InputFile file, Reject r) {
        return file.path() + ": record " + (r.position() + 1);
    }

    @Override
    public DigitBlock firstRows(InputFile file, int n, Configuration conf) {
        throw new InputException("data: " + file.path() + ": gradcheck reads CSV, LIBSVM or IDX rows, not Parquet");
    }
}
