package org.sparkdigits.core.kernel;

import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Names;
import org.sparkdigits.core.network.Parameters;

/** Which {@link Kernel} the tasks run ({@code --kernel}): the kinds of kernel, each created per task. */
public enum KernelKind {
    /**
     * {@link SparseKernel} with its hot loops on the Java Vector API ({@link VectorLoops}); the default.
     * Where the JVM lacks the {@code jdk.incubator.vector} module it runs the plain loops instead, which
     * give bit-identical results.
     */
    SIMD,
    /** {@link SparseKernel} with plain Java loops: skips zero pixels, forward and backward fused per chunk of rows. */
    SPARSE,
    /** {@link ReferenceKernel}: dense ojAlgo products in chunks of 128 rows; the reference. */
    OJALGO,
    /**
     * {@link SparseKernel} with the first layer's two products in single precision on the Vector API
     * ({@link FloatLoops}); everything else in double. The fastest at large H; sums agree with the double
     * kernels to 1e-6 of each tensor's scale (measured: at most 4e-7). Where the JVM lacks the Vector API it runs the plain double loops.
     */
    FLOAT;

    private static final boolean VECTOR_MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    public static KernelKind parse(String name) {
        return Names.parse(values(), name, "kernel");
    }

    public String id() {
        return Names.id(this);
    }

    /** Whether this JVM has the Vector API ({@code --add-modules=jdk.incubator.vector}, which Spark 4 adds). */
    public static boolean simdAvailable() {
        return VECTOR_MODULE;
    }

    /** The loops of {@link SparseKernel} this kind runs on this JVM, or {@code null} for {@code ojalgo}. */
    Loops loops() {
        return switch (this) {
            case SIMD -> VECTOR_MODULE ? Loops.VECTOR : Loops.SCALAR;
            case SPARSE -> Loops.SCALAR;
            case OJALGO -> null;
            case FLOAT -> VECTOR_MODULE ? Loops.FLOAT : Loops.SCALAR;
        };
    }

    /** A kernel of this kind for {@code parameters} (copied into the kernel's own layout). */
    public Kernel create(Parameters parameters, Activation activation) {
        return switch (this) {
            case SIMD -> new SparseKernel(parameters, activation, VECTOR_MODULE ? Loops.VECTOR : Loops.SCALAR);
            case SPARSE -> new SparseKernel(parameters, activation, Loops.SCALAR);
            case OJALGO -> new ReferenceKernel(parameters, activation);
            case FLOAT -> new SparseKernel(parameters, activation, VECTOR_MODULE ? Loops.FLOAT : Loops.SCALAR);
        };
    }
}
