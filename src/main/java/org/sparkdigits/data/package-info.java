/**
 * Row syntax without Spark: CSV and LIBSVM lines, the IDX header, input files and formats, what a bad row does.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.data;
