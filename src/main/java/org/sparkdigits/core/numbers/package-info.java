/**
 * Arrays of numbers and how they are worked on: written to and read from streams as raw bytes ({@link
 * org.sparkdigits.core.numbers.BulkArrays}), elementwise work spread over the cores with the same bits on any number of
 * them ({@link org.sparkdigits.core.numbers.CoreRanges}), and the hash every random draw is a pure function of ({@link
 * org.sparkdigits.core.numbers.SplitMix}). The bottom of the numeric core: imports nothing of the project. Pure Java,
 * no Spark.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.core.numbers;
