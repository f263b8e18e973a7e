package org.sparkdigits.spark.load;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import org.apache.spark.serializer.DeserializationStream;
import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;

import scala.reflect.ClassTag;

/**
 * The shuffle format of the load's (content key, record) pairs, set on that one shuffle: each object is a tag byte
 * and then a {@code Long} as 8 bytes or a {@code byte[]} as its length and bytes. No class descriptors, no object
 * graph: Spark's default (Java serialization, which our sessions reset after every object so that cached blocks do
 * not stay reachable) wrote a pair's four class descriptors with every pair and looked them up again on reading.
 * Spark compresses the shuffle's bytes as it does any other shuffle's. Only these two types travel here: anything
 * else is a programming error and fails the task.
 */
@DefaultSerializer(JavaSerializer.class)
final class KeyedRecordSerializer extends Serializer implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final int LONG = 1;
    private static final int BYTES = 2;

    @Override
    public SerializerInstance newInstance() {
        return new Instance();
    }

    private static final class Instance extends SerializerInstance {

        @Override
        public <T> ByteBuffer serialize(T t, ClassTag<T> tag) {
            throw new UnsupportedOperationException("the load's shuffle serializer writes streams only");
        }

        @Override
        public <T> T deserialize(ByteBuffer bytes, ClassTag<T> tag) {
            throw new UnsupportedOperationException("the load's shuffle serializer reads streams only");
        }

        @Override
        public <T> T deserialize(ByteBuffer bytes, ClassLoader loader, ClassTag<T> tag) {
            throw new UnsupportedOperationException("the load's shuffle serializer reads streams only");
        }

        @Override
        public SerializationStream serializeStream(OutputStream s) {
            return new Out(new DataOutputStream(s));
        }

        @Override
        public DeserializationStream deserializeStream(InputStream s) {
            return new In(new DataInputStream(s));
        }
    }

    private static final class Out extends SerializationStream {

        private final DataOutputStream out;

        Out(DataOutputStream out) {
            this.out = out;
        }

        @Override
        public <T> SerializationStream writeObject(T t, ClassTag<T> tag) {
            try {
                if (t instanceof Long l) {
                    out.writeByte(LONG);
                    out.writeLong(l);
                } else if (t instanceof byte[] b) {
                    out.writeByte(BYTES);
                    out.writeInt(b.length);
                    out.write(b);
                } else {
                    throw new IllegalArgumentException("the load's shuffle carries Long keys and byte[] records, not "
                            + (t == null ? "null" : t.getClass().getName()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        @Override
        public void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class In extends DeserializationStream {

        private final DataInputStream in;

        In(DataInputStream in) {
            this.in = in;
        }

        /**
         * The next object; at the end of the stream (before a tag) an {@link EOFException}, which Spark's key-value
         * iterator ends on, thrown undeclared as Scala code throws it; the stream ending inside an object is an error.
         */
        @Override
        @SuppressWarnings("unchecked")
        public <T> T readObject(ClassTag<T> tag) {
            int kind;
            try {
                kind = in.read();
            } catch (IOException e) {
                throw KeyedRecordSerializer.<RuntimeException>sneaky(e);
            }
            if (kind < 0) {
                throw KeyedRecordSerializer.<RuntimeException>sneaky(new EOFException());
            }
            try {
                switch (kind) {
                    case LONG:
                        return (T) Long.valueOf(in.readLong());
                    case BYTES:
                        byte[] b = new byte[in.readInt()];
                        in.readFully(b);
                        return (T) b;
                    default:
                        throw new IllegalStateException("corrupt shuffle data of the load: tag " + kind);
                }
            } catch (EOFException e) { // inside an object: data lost, not the end of the stream
                throw new IllegalStateException("truncated shuffle data of the load", e);
            } catch (IOException e) {
                throw KeyedRecordSerializer.<RuntimeException>sneaky(e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Throws a checked exception unchecked: Spark's readers catch {@code EOFException} itself, not a wrapper. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable e) throws E {
        throw (E) e;
    }
}
