/**
 * The two-layer network itself: its shape {@code 784 -> H -> 10} ({@link org.sparkdigits.core.network.NetworkShape}),
 * its parameters as one flat vector ({@link org.sparkdigits.core.network.Parameters}), the hidden activation and how the
 * weights start. Pure Java, no Spark.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.core.network;
