package org.sparkdigits.format;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.sparkdigits.data.BoundedLines;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.LineSyntax;
import org.sparkdigits.data.RowParser;
import org.sparkdigits.io.InputException;

/**
 * {@code label,p0,...,p783} (or the 784 pixels only) per line, plain or compressed; a header line is detected
 * ({@link RowParser#isHeader}). Inspecting reads the first line or two: the header, the number of fields.
 */
final class CsvFormat extends TextFormat {

    static final CsvFormat INSTANCE = new CsvFormat();

    @Override
    LineSyntax syntax(boolean labelled) {
        return new RowParser(labelled);
    }

    @Override
    public InputFile inspect(String p, int index, Configuration conf, String what) {
        try (BoundedLines in = InputFiles.lines(new Path(p), conf, new CompressionCodecFactory(conf), what)) {
            String line1 = in.next();
            if (line1 == null) {
                throw new InputException(what + ": " + p + ": file is empty");
            }
            if (line1.indexOf(':') >= 0 && line1.indexOf(',') < 0) {
                throw new InputException(what + ": " + p + ":1: looks like LIBSVM (label index:value ...), not CSV: "
                        + "give --format libsvm or leave --format auto");
            }
            boolean header = RowParser.isHeader(line1);
            String data = header ? in.next() : line1;
            while (data != null && data.isBlank()) {
                data = in.next();
            }
            if (data == null) {
                throw new InputException(what + ": " + p + (header ? ": has a header line but no data rows"
                        : ": no data rows (only blank lines)"));
            }
            int fields = RowParser.countFields(data.strip());
            if (fields != RowParser.PIXELS + 1 && fields != RowParser.PIXELS) {
                throw new InputException(what + ": " + p + ":" + in.number() + ": expected " + (RowParser.PIXELS + 1)
                        + " fields (label + 784 pixels) or " + RowParser.PIXELS + " (pixels only), found " + fields);
            }
            return new InputFile(p, index, header, fields == RowParser.PIXELS + 1);
        } catch (IOException e) {
            throw new InputException(what + ": " + p + ": cannot read (" + InputFiles.describe(e) + ")", e);
        }
    }
}
