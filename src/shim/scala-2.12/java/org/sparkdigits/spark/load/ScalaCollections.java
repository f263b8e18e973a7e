package org.sparkdigits.spark.load;

/**
 * Scala's collection converters for Scala 2.12 (Spark 3.5): the one place where the Scala lines differ in this code.
 * Its twin for Scala 2.13 (Spark 4.x) is in src/shim/scala-2.13; Maven compiles the one of the line it builds.
 */
public final class ScalaCollections {

    private ScalaCollections() {
    }

    public static <T> java.util.Iterator<T> asJava(scala.collection.Iterator<T> it) {
        return scala.collection.JavaConverters.asJavaIteratorConverter(it).asJava();
    }

    public static <T> scala.collection.Iterator<T> asScala(java.util.Iterator<T> it) {
        return scala.collection.JavaConverters.asScalaIteratorConverter(it).asScala();
    }

    public static <K, V> java.util.Map<K, V> asJava(scala.collection.Map<K, V> map) {
        return scala.collection.JavaConverters.mapAsJavaMapConverter(map).asJava();
    }
}
