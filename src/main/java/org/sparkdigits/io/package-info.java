/**
 * Paths on any Hadoop file system, outputs written atomically and checked against the inputs, values in messages
 * cut and escaped, and the exception an input's error is.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.io;
