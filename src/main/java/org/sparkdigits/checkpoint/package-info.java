/**
 * Checkpoints whole: their content, checksummed format, files on any Hadoop file system, fingerprint, and the lease
 * that gives a checkpoint directory to one run.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.checkpoint;
