package org.sparkdigits.spark.load;

/**
 * Scala's collection converters for Scala 2.13 (Spark 4.x): the one place where the Scala lines differ in this code.
 * Its twin for Scala 2.12 (Spark 3.5) is in src/shim/scala-2.12; Maven compiles the one of the line it builds.
 */
public final class ScalaCollections {

    private ScalaCollections() {
    }

    public static <T> java.util.Iterator<T> asJava(scala.collection.Iterator<T> it) {
        return scala.jdk.javaapi.CollectionConverters.asJava(it);
    }

    public static <T> scala.collection.Iterator<T> asScala(java.util.Iterator<T> it) {
        return scala.jdk.javaapi.CollectionConverters.asScala(it);
    }

    public static <K, V> java.util.Map<K, V> asJava(scala.collection.Map<K, V> map) {
        return scala.jdk.javaapi.CollectionConverters.asJava(map);
    }
}
