/**
 * The kernels: what a task computes over its block with one parameter set (the summed gradient, an evaluation,
 * predictions). {@link org.sparkdigits.core.kernel.ReferenceKernel} is the reference (dense ojAlgo products); {@link
 * org.sparkdigits.core.kernel.SparseKernel} the fast one (zero pixels skipped, Vector API loops), checked against it;
 * beside them the gradient sums as partitions exchange them, the sharding of the parameter vector between ranks,
 * dropout masks, distillation's teachers and the finite-difference gradient check. Pure Java, no Spark.
 *
 * <p>Internal: not the library's API (that is the package {@code org.sparkdigits}); public where another package of
 * spark-digits needs it, and changed without notice.
 */
package org.sparkdigits.core.kernel;
