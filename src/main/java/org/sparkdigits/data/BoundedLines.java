package org.sparkdigits.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;

import org.sparkdigits.io.InputException;

/**
 * The lines of a text file read on the driver, each at most {@value #MAX_LINE} characters: a digit row is a few KB
 * (785 numbers), so a longer line (a file without newlines, a binary file) is refused by file and line instead of
 * filling the heap. Lines end at {@code \n}; a trailing {@code \r} stays on the line (the parsers tolerate it).
 */
public final class BoundedLines implements Closeable {

    /** Characters of one line at most (64 Ki: some 80 per field of a 785-field row). */
    public static final int MAX_LINE = 1 << 16;

    private final Reader in;
    private final String file;
    private final String what;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int end;
    private long number;

    /**
     * @param file the file's name, for messages
     * @param what what the data is for, in messages ("training data")
     */
    public BoundedLines(Reader in, String file, String what) {
        this.in = in;
        this.file = file;
        this.what = what;
    }

    /** The 1-based number of the line {@link #next()} returned last. */
    public long number() {
        return number;
    }

    /**
     * The next line without its {@code \n}, or {@code null} at the end of the file.
     *
     * @throws InputException if the line is longer than {@value #MAX_LINE} characters
     */
    public String next() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (pos == end) {
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    if (line == null) {
                        return null;
                    }
                    number++;
                    return line.toString();
                }
            }
            if (line == null) {
                line = new StringBuilder();
            }
            int start = pos;
            while (pos < end && buf[pos] != '\n') {
                pos++;
            }
            line.append(buf, start, pos - start);
            if (line.length() > MAX_LINE) {
                throw new InputException(what + ": " + file + ":" + (number + 1) + ": the line is longer than " + MAX_LINE
                        + " characters: not digit data (a row of 785 numbers is a few KB)");
            }
            if (pos < end) {
                pos++; // the newline
                number++;
                return line.toString();
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
