/**
 * The data into Spark: rows into compact cached byte blocks placed by content, from files or DataFrames, checked
 * row by row.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.spark.load;
