/**
 * The thin Spark layer: what {@code train} does with a session (splits, evaluations, report), the one training loop
 * over its two engines (a Spark job per step, or one barrier stage per segment with its own collective), scoring.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.spark;
