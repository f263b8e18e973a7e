package org.sparkdigits.spark.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/** The load's shuffle format: pairs written as Spark's shuffle writes them come back as Spark's reader reads them. */
@Tag("spark-layer")
class KeyedRecordSerializerTest {

    private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

    private final SerializerInstance ser = new KeyedRecordSerializer().newInstance();

    /** {@code n} pairs of a key and a record of 0-900 bytes, written as the shuffle writer writes them. */
    private byte[] write(long[] keys, byte[][] records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SerializationStream out = ser.serializeStream(bytes);
        for (int i = 0; i < keys.length; i++) {
            out.writeKey(keys[i], ANY);
            out.writeValue(records[i], ANY);
        }
        out.close();
        return bytes.toByteArray();
    }

    @Test
    void pairsComeBackExactlyAndTheStreamEndsAfterTheLast() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 500;
        long[] keys = new long[n];
        byte[][] records = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = i == 0 ? Long.MIN_VALUE : i == 1 ? -1 : r.nextLong();
            records[i] = new byte[i == 2 ? 0 : r.nextInt(901)];
            for (int j = 0; j < records[i].length; j++) {
                records[i][j] = (byte) r.nextInt(256);
            }
        }
        scala.collection.Iterator<Tuple2<Object, Object>> it =
                ser.deserializeStream(new ByteArrayInputStream(write(keys, records))).asKeyValueIterator();
        for (int i = 0; i < n; i++) {
            assertTrue(it.hasNext(), "pair " + i);
            Tuple2<Object, Object> kv = it.next();
            assertEquals(keys[i], (Long) kv._1(), "key " + i);
            assertArrayEquals(records[i], (byte[]) kv._2(), "record " + i);
        }
        assertFalse(it.hasNext());
    }

    @Test
    void aStreamCutInsideARecordIsAnErrorNotAnEnd() {
        byte[] whole = write(new long[] {7, 8}, new byte[][] {new byte[100], new byte[100]});
        byte[] cut = Arrays.copyOf(whole, whole.length - 30);
        scala.collection.Iterator<Tuple2<Object, Object>> it =
                ser.deserializeStream(new ByteArrayInputStream(cut)).asKeyValueIterator();
        it.next();
        IllegalStateException e = assertThrows(IllegalStateException.class, it::hasNext);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void onlyKeysAndRecordsTravel() {
        SerializationStream out = ser.serializeStream(new ByteArrayOutputStream());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> out.writeObject("text", ANY));
        assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
    }
}
