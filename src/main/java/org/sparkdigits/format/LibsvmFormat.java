package org.sparkdigits.format;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.sparkdigits.data.BoundedLines;
import org.sparkdigits.data.InputFile;
import org.sparkdigits.data.InputFormat;
import org.sparkdigits.data.LibsvmParser;
import org.sparkdigits.data.LineSyntax;
import org.sparkdigits.data.RowParser;
import org.sparkdigits.io.InputException;

/**
 * {@code label index:value ...} per line, 1-based indices 1-784 in increasing order, values 0-255 (MNIST8M), always
 * labelled. Inspecting parses the first non-blank line.
 */
final class LibsvmFormat extends TextFormat {

    static final LibsvmFormat INSTANCE = new LibsvmFormat();

    @Override
    LineSyntax syntax(boolean labelled) {
        return new LibsvmParser();
    }

    @Override
    public InputFile inspect(String p, int index, Configuration conf, String what) {
        try (BoundedLines in = InputFiles.lines(new Path(p), conf, new CompressionCodecFactory(conf), what)) {
            String line;
            while ((line = in.next()) != null) {
                if (!line.isBlank()) {
                    String problem = new LibsvmParser().parse(line, new byte[RowParser.PIXELS + 1]);
                    if (problem != null) {
                        throw new InputException(what + ": " + p + ":" + in.number() + ": not a LIBSVM digit row (label "
                                + "index:value ...): " + problem);
                    }
                    return new InputFile(p, index, false, true, InputFormat.LIBSVM, null, -1);
                }
            }
            throw new InputException(what + ": " + p + ": file is empty");
        } catch (IOException e) {
            throw new InputException(what + ": " + p + ": cannot read (" + InputFiles.describe(e) + ")", e);
        }
    }
}
