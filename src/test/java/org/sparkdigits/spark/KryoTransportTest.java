package org.sparkdigits.spark;

import org.sparkdigits.spark.load.LoadedPartition;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.IOException;
import java.io.Serializable;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.kernel.KernelWeights;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.format.Reject;

import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * What travels between driver and executors under {@code spark.serializer=KryoSerializer}: Kryo's field serializer
 * cannot build a record and skips {@code writeReplace}, so every class of ours that Spark's data serializer may see
 * names Java serialization as its Kryo serializer. (The process test {@code CliProcessTest} trains under Kryo.)
 */
@Tag("spark-layer")
class KryoTransportTest {

    private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

    private static Object roundTrip(Object value) {
        SerializerInstance kryo = new KryoSerializer(new SparkConf(false)).newInstance();
        ByteBuffer bytes = kryo.serialize(value, ANY);
        return kryo.deserialize(bytes, ANY);
    }

    private static boolean isSparkFunction(Class<?> c) {
        for (Class<?> i : c.getInterfaces()) {
            if (i.getPackageName().equals("org.apache.spark.api.java.function")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everySerializableClassOfOursIsJavaSerializedUnderKryo() throws IOException, URISyntaxException {
        Path classes = Path.of(GradientSum.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> missing = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c;
                try {
                    c = Class.forName(name, false, getClass().getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue;
                }
                // functions (ours, Spark's Java API's, lambdas), partitioners and exceptions travel in tasks and their
                // failures, always by Java serialization; the Wire forms are written by the class they stand for
                boolean travels = Serializable.class.isAssignableFrom(c) && !c.isInterface() && !c.isEnum()
                        && !c.isAnonymousClass() && !c.isSynthetic() && !Throwable.class.isAssignableFrom(c)
                        && !scala.Function1.class.isAssignableFrom(c) && !scala.Function2.class.isAssignableFrom(c)
                        && !org.apache.spark.Partitioner.class.isAssignableFrom(c) && !isSparkFunction(c)
                        && !c.getSimpleName().equals("Wire");
                if (!travels) {
                    continue;
                }
                checked++;
                DefaultSerializer d = c.getAnnotation(DefaultSerializer.class);
                if (d == null || d.value() != JavaSerializer.class) {
                    missing.add(name);
                }
            }
        }
        assertTrue(checked >= 20, "found only " + checked + " serializable classes under " + classes);
        assertEquals(List.of(), missing, "serializable classes without @DefaultSerializer(JavaSerializer.class)");
    }

    @Test
    void weightsSumsBlocksAndSummariesRoundTripThroughKryo() {
        NetworkShape shape = NetworkShape.mnist(12);
        Parameters p = Initializer.HE.initialize(shape, 3);
        assertArrayEquals(p.values(), ((Parameters) roundTrip(p)).values());
        for (KernelKind kind : KernelKind.values()) {
            KernelWeights w = KernelWeights.of(p, kind);
            assertArrayEquals(w.parameters().values(), ((KernelWeights) roundTrip(w)).parameters().values(), kind.name());
        }
        GradientSum sum = new GradientSum(shape);
        double[] g = sum.gradient();
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.sin(i);
        }
        assertArrayEquals(g, ((GradientSum) roundTrip(sum)).gradient());
        byte[] pixels = new byte[3 * 784];
        pixels[5] = (byte) 200;
        pixels[784 + 400] = 17;
        DigitBlock block = new DigitBlock(3, 784, new byte[] {1, 2, 3}, pixels);
        DigitBlock back = (DigitBlock) roundTrip(block);
        assertEquals(3, back.rows());
        assertArrayEquals(block.sparse().start(), back.sparse().start());
        assertArrayEquals(block.sparse().values(), back.sparse().values());
        LoadedPartition.Summary s = new LoadedPartition.Summary(7, Map.of(0, 2L),
                List.of(new Reject(0, 0, 12, "line 3: 784 pixels expected, found 783")), new long[] {4, 5});
        LoadedPartition.Summary t = (LoadedPartition.Summary) roundTrip(s);
        assertEquals(s.rows(), t.rows());
        assertEquals(s.rejectedPerFile(), t.rejectedPerFile());
        assertEquals(s.firstRejects(), t.firstRejects());
        assertArrayEquals(s.content(), t.content());
    }
}
