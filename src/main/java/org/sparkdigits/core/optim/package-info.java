/**
 * Optimisation: first-order update rules with their state (SGD, momentum, Nesterov, Adam, AdamW), the learning-rate
 * schedules, the weights' moving average, and the full-batch methods L-BFGS and nonlinear conjugate gradient. Every
 * rule is elementwise, so the work can be split by elements between cores or ranks with the same bits. Pure Java, no
 * Spark.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.core.optim;
