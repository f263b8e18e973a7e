/**
 * The command line ({@code ./submit.sh}, picocli): options mapped to the library's builder, results printed, exit
 * codes; the only place that exits.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.cli;
