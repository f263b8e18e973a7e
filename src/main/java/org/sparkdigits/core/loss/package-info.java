/**
 * What training minimises and how a model is judged: the softmax and its cross-entropy ({@link
 * org.sparkdigits.core.loss.Softmax}) against {@link org.sparkdigits.core.loss.Targets} (the labels, smoothed, or mixed
 * with teachers' probabilities), the L2 penalty, and the evaluation sums (confusion matrix, loss). A kernel calls a
 * {@code Targets} per row, so a new loss touches no kernel signature. Pure Java, no Spark.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.core.loss;
