/**
 * Arrays of numbers and how they are worked on: written to and read from streams as raw bytes ({@link
 * org.sparkdigits.core.numbers.BulkArrays}), elementwise work spread over the cores with the same bits on any number of
 * them ({@link org.sparkdigits.core.numbers.CoreRanges}), and the hash every random draw is a pure function of ({@link
 * org.sparkdigits.core.numbers.SplitMix}). The bottom of the numeric core: imports nothing of the project. Pure Java,
 * no Spark.
 */
package org.sparkdigits.core.numbers;
