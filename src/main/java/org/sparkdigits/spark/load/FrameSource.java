package org.sparkdigits.spark.load;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.RowParser;
import org.sparkdigits.format.ParsedRow;
import org.sparkdigits.io.Echo;

/**
 * The rows of a DataFrame as the same 785-byte records the files give, so that loading, content-keyed placement and
 * training do not depend on where the rows came from: the same rows give the bit-identical model from a DataFrame as
 * from a CSV. Three layouts of the pixels are read:
 * <ol>
 *   <li>784 numeric columns {@code pixel0 .. pixel783} (the Kaggle header's names, as {@code spark.read().csv} with a
 *       header gives them);</li>
 *   <li>a binary column of 784 bytes ({@code pixels}, as {@code augment} writes);</li>
 *   <li>an array column of 784 numbers ({@code pixels} or {@code features}).</li>
 * </ol>
 * The label is an integer column 0-9 ({@code label}). Values are checked as the CSV reader checks them: integers,
 * labels 0-9, pixels 0-255, no nulls (a floating-point value must be whole). The layout is checked on the driver
 * before any job ({@link #layout}); a bad value becomes a rejected record naming the row and what is wrong.
 */
@DefaultSerializer(JavaSerializer.class)
public final class FrameSource implements Serializable {

    /** The columns {@link #layout} looks for when none is named. */
    static final String LABEL = "label";
    static final List<String> PIXEL_COLUMNS = List.of("pixels", "features");

    private final int label;      // column index of the label, or -1 for unlabelled rows
    private final int[] pixels;   // 784 column indices (layout 1) or one (layouts 2 and 3)
    private final Kind kind;

    private enum Kind { COLUMNS, BINARY, ARRAY }

    private FrameSource(int label, int[] pixels, Kind kind) {
        this.label = label;
        this.pixels = pixels;
        this.kind = kind;
    }

    /**
     * The layout of {@code schema}, or an {@link IllegalArgumentException} naming the column that is missing or of the
     * wrong type, and the layouts accepted.
     *
     * @param labelCol  the label column's name, {@code null} for {@code label}
     * @param pixelsCol the pixel column's name, {@code null} to look for {@code pixels}, {@code features}, then
     *                  {@code pixel0..pixel783}
     * @param labelled  whether labels are needed (training, evaluation); without them a label column is ignored
     * @param what      what needs the columns, for messages ("fit", "transform")
     */
    public static FrameSource layout(StructType schema, String labelCol, String pixelsCol, boolean labelled, String what) {
        List<String> names = List.of(schema.fieldNames());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String n : names) {
            boolean used = n.equals(labelled ? (labelCol == null ? LABEL : labelCol) : null)
                    || n.equals(pixelsCol) || PIXEL_COLUMNS.contains(n) || n.matches("pixel\\d{1,3}");
            if (used && !seen.add(n)) {
                throw new IllegalArgumentException("the DataFrame has " + java.util.Collections.frequency(names, n)
                        + " columns named '" + Echo.value(n) + "': which one to read is ambiguous; drop or rename all but "
                        + "one (select(...) or withColumnRenamed(...)) before " + what);
            }
        }
        int label = -1;
        if (labelled) {
            String l = labelCol == null ? LABEL : labelCol;
            label = names.indexOf(l);
            if (label < 0) {
                throw new IllegalArgumentException("the DataFrame has no label column '" + Echo.value(l) + "' (give its name "
                        + "with labelCol(...)); it has " + abbreviate(names));
            }
            requireNumeric(schema.fields()[label], "the label column ");
        }
        if (pixelsCol != null || names.stream().anyMatch(PIXEL_COLUMNS::contains)) {
            String p = pixelsCol != null ? pixelsCol : names.contains("pixels") ? "pixels" : "features";
            int i = names.indexOf(p);
            if (i < 0) {
                throw new IllegalArgumentException("the DataFrame has no pixels column '" + Echo.value(p) + "': " + what
                        + LAYOUTS + "; it has " + abbreviate(names));
            }
            DataType t = schema.fields()[i].dataType();
            if (t instanceof BinaryType) {
                return new FrameSource(label, new int[] {i}, Kind.BINARY);
            }
            if (t instanceof ArrayType a && a.elementType() instanceof NumericType) {
                return new FrameSource(label, new int[] {i}, Kind.ARRAY);
            }
            throw new IllegalArgumentException("column " + Echo.value(p) + " is " + t.simpleString()
                    + (t.typeName().equals("vector") ? " (an MLlib vector: convert it with "
                    + "org.apache.spark.ml.functions.vector_to_array)" : "") + ", not binary (784 bytes) or an array of 784 "
                    + "numbers: " + what + LAYOUTS);
        }
        int[] columns = new int[RowParser.PIXELS];
        for (int j = 0; j < RowParser.PIXELS; j++) {
            int i = names.indexOf("pixel" + j);
            if (i < 0) {
                throw new IllegalArgumentException("the DataFrame has no column pixel" + j + ": " + what + LAYOUTS
                        + "; it has " + abbreviate(names));
            }
            requireNumeric(schema.fields()[i], "column ");
            columns[j] = i;
        }
        return new FrameSource(label, columns, Kind.COLUMNS);
    }

    private static final String LAYOUTS = " needs pixel0 .. pixel783 (the Kaggle CSV header's names, numeric), a binary "
            + "column of 784 bytes or an array column of 784 numbers (pixels or features, or the one pixelsCol(...) names)";

    private static void requireNumeric(StructField f, String prefix) {
        if (!(f.dataType() instanceof NumericType)) {
            throw new IllegalArgumentException(prefix + Echo.value(f.name()) + " is " + f.dataType().simpleString()
                    + ", not a number");
        }
    }

    private static String abbreviate(List<String> names) {
        List<String> shown = new ArrayList<>();
        for (String n : names.subList(0, Math.min(8, names.size()))) {
            shown.add(Echo.value(n));
        }
        return shown + (names.size() > 8 ? " and " + (names.size() - 8) + " more" : "");
    }

    /** Whether the rows carry labels. */
    boolean labelled() {
        return label >= 0;
    }

    /**
     * The rows of {@code frame} as parsed records located by partition and position (a row that does not pass the
     * checks becomes a rejected record), each partition lazily.
     *
     * @param file the stand-in input of the frame (named in messages)
     */
    JavaRDD<ParsedRow> records(Dataset<Row> frame, InputFile file) {
        FrameSource source = this;
        return frame.javaRDD().mapPartitionsWithIndex(
                (Integer partition, Iterator<Row> rows) -> source.parse(rows, partition, file), true);
    }

    /** Task side: the rows of one partition as parsed records, lazily. */
    private Iterator<ParsedRow> parse(Iterator<Row> rows, int partition, InputFile file) {
        return new Iterator<>() {
            private long position;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public ParsedRow next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = rows.next();
                long at = position++;
                byte[] record = new byte[RowParser.PIXELS + (labelled() ? 1 : 0)];
                String problem = fill(r, record);
                return problem == null ? new ParsedRow(file, partition, at, record, null)
                        : new ParsedRow(file, partition, at, null, problem + " (the row: " + shown(r) + ")");
            }
        };
    }

    /**
     * {@code r} for a message, cut and escaped: a binary field as its length and first bytes in hex ({@code Row}'s own
     * text shows an array's identity, {@code [B@26380caf}), an array field by its first elements.
     */
    static String shown(Row r) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < r.length() && s.length() < 300; i++) {
            Object v = r.get(i);
            s.append(i == 0 ? "" : ",");
            if (v instanceof byte[] b) {
                s.append(b.length).append(" bytes 0x");
                for (int j = 0; j < Math.min(b.length, 8); j++) {
                    s.append(String.format(java.util.Locale.ROOT, "%02x", b[j] & 0xff));
                }
                s.append(b.length > 8 ? "..." : "");
            } else {
                s.append(String.valueOf(v));
            }
        }
        return Echo.value(s.append("]").toString());
    }

    /** Fills {@code record} from {@code r}: the label first if labelled, then the 784 pixels; returns what is wrong, or null. */
    public String fill(Row r, byte[] record) {
        int off = 0;
        if (label >= 0) {
            String problem = value(r.get(label), 9, "label", record, 0);
            if (problem != null) {
                return problem;
            }
            off = 1;
        }
        switch (kind) {
            case BINARY -> {
                Object v = r.get(pixels[0]);
                if (!(v instanceof byte[] bytes)) {
                    return "the pixels are null";
                }
                if (bytes.length != RowParser.PIXELS) {
                    return bytes.length + " pixel bytes (" + RowParser.PIXELS + " expected)";
                }
                System.arraycopy(bytes, 0, record, off, RowParser.PIXELS);
            }
            case ARRAY -> {
                if (r.isNullAt(pixels[0])) {
                    return "the pixels are null";
                }
                List<Object> values = r.getList(pixels[0]);
                if (values.size() != RowParser.PIXELS) {
                    return values.size() + " pixels (" + RowParser.PIXELS + " expected)";
                }
                for (int j = 0; j < RowParser.PIXELS; j++) {
                    String problem = value(values.get(j), 255, "pixel" + j, record, off + j);
                    if (problem != null) {
                        return problem;
                    }
                }
            }
            default -> {
                for (int j = 0; j < RowParser.PIXELS; j++) {
                    String problem = value(r.get(pixels[j]), 255, "pixel" + j, record, off + j);
                    if (problem != null) {
                        return problem;
                    }
                }
            }
        }
        return null;
    }

    private static String value(Object v, int max, String name, byte[] out, int at) {
        if (!(v instanceof Number n)) {
            return name + " is null";
        }
        double d = n.doubleValue();
        if (d != Math.rint(d)) {
            return name + " = " + d + " is not a whole number";
        }
        if (d < 0 || d > max) {
            return name + " = " + d + " is outside 0-" + max;
        }
        out[at] = (byte) (int) d;
        return null;
    }
}
