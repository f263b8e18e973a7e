package org.sparkdigits.collective;

import java.io.Serializable;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Who may join a mesh and how long a peer may keep the others waiting. Serializable: it travels in a Spark closure
 * from the driver to the tasks of one barrier stage.
 *
 * <ul>
 * <li>{@code secret}: the key every end proves it holds (at least 16 bytes); it never goes on the wire. Spark's
 * {@code spark.authenticate} secret, or a random per-stage token the driver makes ({@link #token}). The record keeps
 * its own copy and hands out copies.</li>
 * <li>{@code encrypt}: after the handshake, every message is AES-GCM encrypted and authenticated.</li>
 * <li>{@code timeout}: the longest a peer may keep another waiting: for the whole {@link Mesh#connect}, and for
 * every receive and send after it.</li>
 * <li>{@code portFrom}, {@code portTo}: {@code 0, 0} for an ephemeral port, else the listening port is the first
 * free one in {@code [portFrom, portTo]}, {@code 1024 <= portFrom <= portTo <= 65535} (firewalled clusters).</li>
 * <li>{@code stage}: a label mixed into the key derivation and named in messages (e.g. {@code "segment 3 attempt
 * 1"}), so a connection from another stage or attempt fails the handshake.</li>
 * </ul>
 */
@com.esotericsoftware.kryo.DefaultSerializer(com.esotericsoftware.kryo.serializers.JavaSerializer.class)
public record MeshConfig(byte[] secret, boolean encrypt, Duration timeout, int portFrom, int portTo, String stage)
        implements Serializable {

    /** The shortest secret accepted, in bytes. */
    public static final int MIN_SECRET = 16;

    public MeshConfig {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(stage, "stage");
        if (secret.length < MIN_SECRET) {
            throw new IllegalArgumentException("the mesh secret has " + secret.length + " bytes; it needs at least "
                    + MIN_SECRET);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the mesh timeout must be positive, not " + timeout);
        }
        if (timeout.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("the mesh timeout " + timeout + " is longer than a year");
        }
        if (!(portFrom == 0 && portTo == 0) && !(1024 <= portFrom && portFrom <= portTo && portTo <= 65535)) {
            throw new IllegalArgumentException("mesh ports " + portFrom + "-" + portTo
                    + ": 0-0 for an ephemeral port, else 1024 <= from <= to <= 65535");
        }
        secret = secret.clone();
    }

    /** A random 32-byte secret (SecureRandom), ephemeral ports, no encryption. */
    public static MeshConfig token(Duration timeout, String stage) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new MeshConfig(secret, false, timeout, 0, 0, stage);
    }

    /** The same secret, encryption, timeout and ports for another stage (the next segment, a retried attempt). */
    public MeshConfig withStage(String newStage) {
        return new MeshConfig(secret, encrypt, timeout, portFrom, portTo, newStage);
    }

    /** A copy of the secret. */
    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MeshConfig c && Arrays.equals(secret, c.secret) && encrypt == c.encrypt
                && timeout.equals(c.timeout) && portFrom == c.portFrom && portTo == c.portTo && stage.equals(c.stage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(secret), encrypt, timeout, portFrom, portTo, stage);
    }

    /** Everything but the secret. */
    @Override
    public String toString() {
        return "MeshConfig[stage=" + stage + ", encrypt=" + encrypt + ", timeout=" + Net.describe(timeout)
                + ", ports=" + (portFrom == 0 ? "ephemeral" : portFrom + "-" + portTo) + ", secret=("
                + secret.length + " bytes)]";
    }
}
