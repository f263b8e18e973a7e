/**
 * A photographed or scanned digit made into MNIST's 28x28 (found, scaled, centred by mass), no Spark.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.image;
