package org.sparkdigits.testing;

import org.apache.spark.sql.SparkSession;

/** One real {@code local[2]} Spark session shared by all tests of the JVM (Spark allows one context). */
public final class SparkTestSession {

    private static SparkSession session;

    private SparkTestSession() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("spark-digits-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.serializer.objectStreamReset", "1")
                    .config("spark.storage.unrollMemoryCheckPeriod", "1")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .getOrCreate();
        }
        return session;
    }
}
