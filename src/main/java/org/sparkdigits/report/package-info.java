/**
 * A run's typed history and metrics, and what is drawn from them: the charts (PNG) and report.html.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.report;
