package org.sparkdigits.format;

import org.sparkdigits.data.InputFile;

/**
 * One row as a format reads it: {@code record != null} for a valid row ({@code label, p0..p783}, or the pixels only),
 * else {@code reason} says what is wrong. Text rows are located by their split's first byte and the line's position in
 * the split (from 0, header and blank lines counted); Parquet and IDX rows by their split's start and their record
 * number in the file (from 0); DataFrame rows by their partition and position in it.
 */
public record ParsedRow(InputFile file, long blockStart, long position, byte[] record, String reason) {

    /** A valid row. */
    public static ParsedRow valid(InputFile file, long blockStart, long position, byte[] record) {
        return new ParsedRow(file, blockStart, position, record, null);
    }

    /** A rejected row and what is wrong with it. */
    public static ParsedRow rejected(InputFile file, long blockStart, long position, String reason) {
        return new ParsedRow(file, blockStart, position, null, reason);
    }
}
