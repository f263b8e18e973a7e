/**
 * MNIST downloaded from its mirrors (or a mirror given), checked and unpacked.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.download;
