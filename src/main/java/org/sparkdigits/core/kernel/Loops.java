package org.sparkdigits.core.kernel;

/**
 * Which loops the fast kernels run ({@link SparseKernel}, the first-layer gradient's replay, the kernels' weight
 * layout): a kernel kind's choice for this JVM ({@link KernelKind}), on its own so that those who need it do not import
 * the kernel.
 */
public enum Loops {
    /** {@link ScalarLoops}: plain Java. */
    SCALAR,
    /** {@link VectorLoops}: the Vector API in double (needs the {@code jdk.incubator.vector} module). */
    VECTOR,
    /** {@link FloatLoops} for the first layer's two products, {@link VectorLoops} for the rest. */
    FLOAT
}
