package org.sparkdigits.spark;

import org.sparkdigits.spark.load.ScalaCollections;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;

/**
 * The per-step RDD operations of training, written so that Spark has no closure to clean.
 *
 * <p>Measured here: a job over cached blocks launched through the Java API ({@code mapPartitions},
 * {@code zipPartitions}, {@code collect}) spends about 3 ms of its ~9 ms in Spark's {@code ClosureCleaner}:
 * the Java API wraps every function in a Scala closure, and cleaning one re-reads the bytecode of the class
 * that defined it (JavaRDDLike, RDD) with ASM, on every call. A function object of a named class is not a
 * closure, so Spark checks that it serializes and moves on. Here every function is such an object wrapping
 * the caller's (serializable) lambda. Nothing local-mode specific: the same jobs run on any cluster.
 */
final class LeanJobs {

    /** Per-partition work: the partition's elements in, the elements of the result partition out. */
    @FunctionalInterface
    interface PartitionFunction<T, U> extends Serializable {
        Iterator<U> call(Iterator<T> elements) throws Exception;
    }

    /** Per-partition work over two RDDs with the same partitioning. */
    @FunctionalInterface
    interface ZipFunction<A, B, U> extends Serializable {
        Iterator<U> call(Iterator<A> first, Iterator<B> second) throws Exception;
    }

    private LeanJobs() {
    }

    /** {@code rdd.mapPartitions(f)}. */
    static <T, U> JavaRDD<U> mapPartitions(JavaRDD<T> rdd, PartitionFunction<T, U> f) {
        ClassTag<U> tag = anyTag();
        return new JavaRDD<>(rdd.rdd().mapPartitions(new MapFn<>(f), false, tag), tag);
    }

    /** {@code first.zipPartitions(second, f)}. */
    static <A, B, U> JavaRDD<U> zipPartitions(JavaRDD<A> first, JavaRDD<B> second, ZipFunction<A, B, U> f) {
        ClassTag<U> tag = anyTag();
        RDD<U> zipped = first.rdd().zipPartitions(second.rdd(), false, new ZipFn<>(f), anyTag(), tag);
        return new JavaRDD<>(zipped, tag);
    }

    /** Every element of {@code rdd}, partition by partition in index order (like {@code collect()}). */
    static <T> List<T> collect(JavaRDD<T> rdd) {
        ClassTag<Object[]> tag = ClassTag$.MODULE$.apply(Object[].class);
        // the runJob variant that takes (TaskContext, Iterator) => U: the others wrap the function in a closure
        @SuppressWarnings("unchecked")
        scala.collection.immutable.Seq<Object> all = (scala.collection.immutable.Seq<Object>) (Object)
                scala.collection.immutable.Range$.MODULE$.apply(0, rdd.getNumPartitions());
        Object[] perPartition = (Object[]) rdd.context().runJob(rdd.rdd(), new ToArray<T>(), all, tag);
        java.util.ArrayList<T> out = new java.util.ArrayList<>();
        for (Object p : perPartition) {
            for (Object o : (Object[]) p) {
                @SuppressWarnings("unchecked")
                T t = (T) o;
                out.add(t);
            }
        }
        return out;
    }

    /** A task's exception as it leaves the task: unchecked ones as they are, checked ones wrapped with their message. */
    private static RuntimeException unchecked(Exception e) {
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }

    /**
     * {@code out}, whose end drains {@code inputs} to their ends. A cached partition's iterator releases the block's
     * read lock when it reports its end; a function that reads the one block it expects and stops would leave the lock
     * to the task's end, where Spark releases it and logs "1 block locks were not released" on every step.
     */
    @SafeVarargs
    private static <U> Iterator<U> drainingAfter(Iterator<U> out, scala.collection.Iterator<?>... inputs) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (out.hasNext()) {
                    return true;
                }
                for (scala.collection.Iterator<?> in : inputs) {
                    while (in.hasNext()) {
                        in.next();
                    }
                }
                return false;
            }

            @Override
            public U next() {
                return out.next();
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <X> ClassTag<X> anyTag() {
        return (ClassTag<X>) ClassTag$.MODULE$.AnyRef();
    }

    private static final class MapFn<T, U> extends AbstractFunction1<scala.collection.Iterator<T>, scala.collection.Iterator<U>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final PartitionFunction<T, U> f;

        MapFn(PartitionFunction<T, U> f) {
            this.f = f;
        }

        @Override
        public scala.collection.Iterator<U> apply(scala.collection.Iterator<T> in) {
            try {
                return ScalaCollections.asScala(drainingAfter(f.call(ScalaCollections.asJava(in)), in));
            } catch (Exception e) {
                throw unchecked(e);
            }
        }
    }

    private static final class ZipFn<A, B, U> extends AbstractFunction2<scala.collection.Iterator<A>,
            scala.collection.Iterator<B>, scala.collection.Iterator<U>> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final ZipFunction<A, B, U> f;

        ZipFn(ZipFunction<A, B, U> f) {
            this.f = f;
        }

        @Override
        public scala.collection.Iterator<U> apply(scala.collection.Iterator<A> a, scala.collection.Iterator<B> b) {
            try {
                return ScalaCollections.asScala(drainingAfter(f.call(ScalaCollections.asJava(a), ScalaCollections.asJava(b)), a, b));
            } catch (Exception e) {
                throw unchecked(e);
            }
        }
    }

    private static final class ToArray<T> extends AbstractFunction2<TaskContext, scala.collection.Iterator<T>, Object[]>
            implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object[] apply(TaskContext context, scala.collection.Iterator<T> in) {
            java.util.ArrayList<Object> out = new java.util.ArrayList<>();
            while (in.hasNext()) {
                out.add(in.next());
            }
            return out.toArray();
        }
    }
}
