package org.sparkdigits.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Writes generated labelled CSV rows ({@link TestCsv#rows}) in the other input formats, for reader tests. */
public final class TestFormats {

    private TestFormats() {
    }

    /** A CSV row {@code label,p0..p783} as its label and pixel bytes. */
    public static int label(String csv) {
        return Integer.parseInt(csv.substring(0, csv.indexOf(',')));
    }

    public static byte[] pixels(String csv) {
        String[] f = csv.split(",");
        byte[] px = new byte[784];
        for (int j = 0; j < 784; j++) {
            px[j] = (byte) Integer.parseInt(f[j + 1]);
        }
        return px;
    }

    /** LIBSVM lines {@code label index:value ...} (1-based, zero pixels left out). */
    public static List<String> libsvm(List<String> csvRows) {
        List<String> out = new ArrayList<>();
        for (String r : csvRows) {
            StringBuilder sb = new StringBuilder().append(label(r));
            byte[] px = pixels(r);
            for (int j = 0; j < 784; j++) {
                if (px[j] != 0) {
                    sb.append(' ').append(j + 1).append(':').append(px[j] & 0xFF);
                }
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** An IDX images file and its labels file beside it ({@code <prefix>-images-idx3-ubyte[.gz]}); returns the images file. */
    public static Path idx(Path dir, String prefix, List<String> csvRows, boolean gzip) throws IOException {
        byte[] labels = new byte[csvRows.size()];
        byte[] images = new byte[csvRows.size() * 784];
        for (int i = 0; i < csvRows.size(); i++) {
            labels[i] = (byte) label(csvRows.get(i));
            System.arraycopy(pixels(csvRows.get(i)), 0, images, i * 784, 784);
        }
        return idx(dir, prefix, labels, images, gzip);
    }

    /** IDX files of raw labels and pixels (any bytes: for malformed cases). */
    public static Path idx(Path dir, String prefix, byte[] labels, byte[] images, boolean gzip) throws IOException {
        String gz = gzip ? ".gz" : "";
        Files.createDirectories(dir);
        Path img = dir.resolve(prefix + "-images-idx3-ubyte" + gz);
        write(img, ByteBuffer.allocate(16 + images.length).putInt(0x803).putInt(images.length / 784).putInt(28).putInt(28)
                .put(images).array(), gzip);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + gz),
                ByteBuffer.allocate(8 + labels.length).putInt(0x801).putInt(labels.length).put(labels).array(), gzip);
        return img;
    }

    public static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file); OutputStream os = gzip ? new GZIPOutputStream(raw) : raw) {
            os.write(bytes);
        }
    }

    /** Parquet as augment writes it: {@code label} tinyint and {@code pixels} binary (or pixels only). */
    public static Path parquet(SparkSession spark, Path dir, List<String> csvRows, boolean labelled) {
        List<Row> rows = new ArrayList<>();
        for (String r : csvRows) {
            rows.add(labelled ? RowFactory.create((byte) label(r), pixels(r)) : RowFactory.create((Object) pixels(r)));
        }
        StructType schema = labelled
                ? new StructType().add("label", DataTypes.ByteType, false).add("pixels", DataTypes.BinaryType, false)
                : new StructType().add("pixels", DataTypes.BinaryType, false);
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir.toString());
        return dir;
    }
}
