/**
 * The data as the kernels read it: compact blocks of labelled digits, one byte a pixel ({@link
 * org.sparkdigits.core.block.DigitBlock}), their non-zero pixels row by row, and how mini-batches are cut from them.
 * Pure Java, no Spark.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.core.block;
