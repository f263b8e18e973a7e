package org.sparkdigits.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;

import org.junit.jupiter.api.Test;

class RowParserTest {

    private static String row(String label, int pixels, String fill) {
        StringBuilder sb = new StringBuilder(label);
        for (int i = 0; i < pixels; i++) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(fill);
        }
        return sb.toString();
    }

    private final RowParser labelled = new RowParser(true);
    private final byte[] out = new byte[785];

    @Test
    void parsesAValidRow() {
        String line = "7," + String.join(",", Collections.nCopies(783, "0")) + ",255\r";
        assertNull(labelled.parse(line, out));
        assertEquals(7, out[0]);
        assertEquals(255, out[784] & 0xFF);
        assertNull(labelled.parse(" 3 , " + String.join(" ,", Collections.nCopies(784, "12")), out));
        assertEquals(12, out[1]);
    }

    @Test
    void namesWhatIsWrong() {
        assertEquals("expected 785 fields (label + 784 pixels), found 784", labelled.parse(row("1", 783, "0"), out));
        assertEquals("expected 785 fields (label + 784 pixels), found 786", labelled.parse(row("1", 785, "0"), out));
        assertEquals("label is 12, not a digit 0-9", labelled.parse(row("12", 784, "0"), out));
        assertEquals("label is -1, not a digit 0-9", labelled.parse(row("-1", 784, "0"), out));
        assertEquals("pixel0 (field 2) is 256, outside 0-255", labelled.parse(row("1", 784, "256"), out));
        assertEquals("pixel0 (field 2) is -3, outside 0-255", labelled.parse(row("1", 784, "-3"), out));
        assertEquals("field 2 (pixel0) is '1.5', not an integer", labelled.parse(row("1", 784, "1.5"), out));
        assertEquals("field 1 (label) is 'x', not an integer", labelled.parse(row("x", 784, "0"), out));
        assertEquals("field 2 (pixel0) is empty", labelled.parse(row("1", 784, ""), out));
        assertEquals("label is 1234567890123, not a digit 0-9", labelled.parse(row("1234567890123", 784, "0"), out));
    }

    @Test
    void unlabelledRowsHave784Fields() {
        RowParser p = new RowParser(false);
        assertNull(p.parse(row("", 784, "5"), out));
        assertEquals(5, out[783]);
        assertEquals("expected 784 fields (784 pixels), found 785", p.parse(row("", 785, "5"), out));
    }

    @Test
    void detectsHeadersOnlyWhenTheyAreExactlyHeaders() {
        String kaggle = org.sparkdigits.testing.TestCsv.header(true);
        String pixels = org.sparkdigits.testing.TestCsv.header(false);
        assertTrue(RowParser.isHeader(kaggle));
        assertTrue(RowParser.isHeader(pixels));
        assertTrue(RowParser.isHeader("\uFEFF" + kaggle + "\r"));
        assertTrue(RowParser.isHeader(java.util.Arrays.stream(kaggle.split(",")).map(f -> "\"" + f.toUpperCase() + "\"")
                .collect(java.util.stream.Collectors.joining(", "))));   // quoted, in any case, spaced
        // once anything non-numeric in the first field was taken for a header and the row dropped
        assertFalse(RowParser.isHeader("label,pixel0,pixel1"));
        assertFalse(RowParser.isHeader(kaggle.replace("pixel5,", "pixel6,")));
        assertFalse(RowParser.isHeader("x" + row("", 784, "0").toString()));
        assertFalse(RowParser.isHeader("NaN," + row("", 784, "0")));
        assertFalse(RowParser.isHeader("5,0,0,0"));
        assertFalse(RowParser.isHeader(" 5,0"));
    }
}
