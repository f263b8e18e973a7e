/**
 * One class per input format (CSV, LIBSVM, Parquet, IDX): detection, reading into Spark, locating a bad row by file and
 * line, the first rows checked before Spark starts.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.format;
