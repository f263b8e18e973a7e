/**
 * What to train and how, without Spark: {@link org.sparkdigits.train.TrainingSpec} and its records by concern, each
 * declaring its options ({@link org.sparkdigits.train.Setting}) and validating itself; the history, early stopping and
 * divergence checks of a run.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.train;
