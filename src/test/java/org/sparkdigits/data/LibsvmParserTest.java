package org.sparkdigits.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** LIBSVM digit rows: 1-based increasing indices, integer values 0-255, label 0-9. */
class LibsvmParserTest {

    private final LibsvmParser parser = new LibsvmParser();

    @Test
    void parsesSparseRowsIntoTheCsvRecord() {
        byte[] rec = new byte[785];
        java.util.Arrays.fill(rec, (byte) 9);
        assertNull(parser.parse("7 1:3 150:255\t784:17.0 \r", rec));
        assertEquals(7, rec[0]);
        assertEquals(3, rec[1]);
        assertEquals((byte) 255, rec[150]);
        assertEquals(17, rec[784]);
        int nonZero = 0;
        for (int i = 1; i < 785; i++) {
            nonZero += rec[i] != 0 ? 1 : 0;
        }
        assertEquals(3, nonZero, "the pixels not listed are 0, whatever the array held");
        assertNull(parser.parse("0", rec), "an all-blank image is a label alone");
        assertNull(parser.parse("5.0 2:+1", rec));
        assertEquals(5, rec[0]);
        assertEquals(1, rec[2]);
    }

    @Test
    void saysWhatIsWrong() {
        byte[] rec = new byte[785];
        String[][] cases = {{"", "empty line"}, {"x 1:1", "label 'x' is not an integer 0-9"},
                {"-1 1:1", "label '-1' is not an integer 0-9"}, {"3 1:-2", "value in '1:-2' is not an integer 0-255"},
                {"3 1:1e2", "value in '1:1e2' is not an integer 0-255"}, {"3 2:1 2:1", "index 2 after 2 (indices must increase)"},
                {"3 :4", "index in ':4' is not an integer 1-784 (LIBSVM indices are 1-based)"}, {"3 4:", "value in '4:' is not an integer 0-255"},
                {"3 1:99999999999999999", "value in '1:99999999999999999' is not an integer 0-255"}};
        for (String[] c : cases) {
            assertEquals(c[1], parser.parse(c[0], rec), c[0]);
        }
    }
}
