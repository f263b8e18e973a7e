package org.sparkdigits.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.sparkdigits.collective.Mesh;
import org.sparkdigits.collective.MeshConfig;
import org.sparkdigits.collective.Rendezvous;
import org.sparkdigits.io.InputException;

/**
 * The collective engine's exchange among a barrier stage's tasks: a {@link Mesh} of authenticated TCP connections,
 * their addresses exchanged once (the rendezvous), then every step's sums over the mesh.
 *
 * <p>The rendezvous: through the driver's {@link Rendezvous} when the driver serves one for the attempt
 * ({@link #meetingAt}; a few milliseconds), else through Spark's {@link BarrierTaskContext#allGather} (which polls in
 * one-second sleeps: about 1 s per segment). Which of the two is decided on the driver, before the stage starts, and
 * travels in these exchanges, so every task of a stage takes the same path: a barrier stage's allGather must be called
 * by all its tasks or none, and a task that fell back on its own, its peers waiting at the driver, would deadlock the
 * stage (until the timeout). So a task that cannot reach the driver's rendezvous (a firewall, the driver's ephemeral
 * port closed to the executors) does not fall back: it fails, and with it the stage, within 10 s when its connection
 * goes unanswered (else the timeout). {@code SparkTrainer} then notices that its rendezvous did not see every rank,
 * logs it once, and runs that attempt again (an attempt more) and every later segment of the run with Spark's
 * allGather. The driver also falls back when it cannot start the rendezvous's listener.
 *
 * <p>Security as the Spark it runs in: with {@code spark.authenticate=true} every connection proves knowledge of the
 * application's secret (a challenge-response; the secret is read on the executor, never shipped or sent), and is
 * encrypted with {@code spark.network.crypto.enabled=true}; without it, a random token made by the driver for the
 * segment's attempt keeps strangers out (it travels in the task, as everything does in such an application). The
 * driver's rendezvous and progress channel use the same secret and stage. Settings:
 * {@value #PORTS} (a range {@code FROM-TO} for firewalled clusters; ephemeral ports by default) and {@value #TIMEOUT}
 * (how long a task waits for a peer before the stage fails naming it; default {@value #DEFAULT_TIMEOUT_S} s).
 */
@com.esotericsoftware.kryo.DefaultSerializer(com.esotericsoftware.kryo.serializers.JavaSerializer.class)
final class MeshExchanges implements CollectiveSteps.Exchanges {

    private static final long serialVersionUID = 1L;
    static final String PORTS = "spark.digits.collective.ports";
    static final String TIMEOUT = "spark.digits.collective.timeout";
    static final long DEFAULT_TIMEOUT_S = 120;

    private final boolean sparkSecret;
    private final boolean encrypt;
    private final MeshConfig token;   // without spark.authenticate
    private final long timeoutMs;
    private final int portFrom;
    private final int portTo;
    private final String stage;
    /** The driver's progress channel ({@link org.sparkdigits.collective.ProgressChannel}), or {@code null}. */
    private final String progress;
    /** The driver's {@link Rendezvous}, or {@code null} for Spark's allGather. */
    private final String rendezvous;

    private MeshExchanges(boolean sparkSecret, boolean encrypt, MeshConfig token, long timeoutMs, int portFrom, int portTo,
                          String stage, String progress, String rendezvous) {
        this.sparkSecret = sparkSecret;
        this.encrypt = encrypt;
        this.token = token;
        this.timeoutMs = timeoutMs;
        this.portFrom = portFrom;
        this.portTo = portTo;
        this.stage = stage;
        this.progress = progress;
        this.rendezvous = rendezvous;
    }

    /** These exchanges with rank 0 reporting its steps to the driver's channel at {@code address}. */
    MeshExchanges reportingTo(String address) {
        return new MeshExchanges(sparkSecret, encrypt, token, timeoutMs, portFrom, portTo, stage, address, rendezvous);
    }

    /** These exchanges with the tasks meeting at the driver's {@link Rendezvous} at {@code address}. */
    MeshExchanges meetingAt(String address) {
        return new MeshExchanges(sparkSecret, encrypt, token, timeoutMs, portFrom, portTo, stage, progress, address);
    }

    /**
     * The settings of the driver's end of the progress channel: the same secret (the driver's own copy of Spark's, or
     * the token) and stage as the tasks'.
     */
    MeshConfig driverConfig() {
        return sparkSecret ? new MeshConfig(secret(), encrypt, Duration.ofMillis(timeoutMs), 0, 0, stage) : new MeshConfig(token.secret(), false,
                Duration.ofMillis(timeoutMs), 0, 0, stage);
    }

    @Override
    public CollectiveSteps.Reporter reporter() throws IOException {
        if (progress == null) {
            return null;
        }
        org.sparkdigits.collective.ProgressChannel.Client c = org.sparkdigits.collective.ProgressChannel.connect(progress,
                driverConfig());
        return new CollectiveSteps.Reporter() {
            @Override
            public void send(byte[] message) throws IOException {
                c.send(message);
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    /** The exchanges of one attempt of a segment ({@code stage} names it, in messages and in the key derivation). */
    static MeshExchanges of(SparkConf conf, String stage) {
        boolean auth = conf.getBoolean("spark.authenticate", false);
        boolean crypto = auth && conf.getBoolean("spark.network.crypto.enabled", false);
        long timeoutMs = timeoutMs(conf);
        int[] ports = ports(conf);
        MeshConfig token = auth ? null : MeshConfig.token(Duration.ofMillis(timeoutMs), stage);
        if (token != null && ports[0] != 0) {
            token = new MeshConfig(token.secret(), false, token.timeout(), ports[0], ports[1], stage);
        }
        // the progress channel and the rendezvous listen on the driver's ephemeral ports: the driver's own Spark ports
        // are as open
        return new MeshExchanges(auth, crypto, token, timeoutMs, ports[0], ports[1], stage, null, null);
    }

    static long timeoutMs(SparkConf conf) {
        String v = conf.get(TIMEOUT, DEFAULT_TIMEOUT_S + "s");
        try {
            long ms = org.apache.spark.network.util.JavaUtils.timeStringAsMs(v);
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return ms;
        } catch (RuntimeException e) {
            throw new InputException(TIMEOUT + " is '" + org.sparkdigits.io.Echo.value(v) + "': give a duration such as 120s or 5min");
        }
    }

    static int[] ports(SparkConf conf) {
        String v = conf.get(PORTS, "").trim();
        if (v.isEmpty()) {
            return new int[] {0, 0};
        }
        try {
            String[] parts = v.split("-", -1);
            int from = Integer.parseInt(parts[0].trim());
            int to = parts.length == 1 ? from : Integer.parseInt(parts[1].trim());
            if (parts.length > 2 || from < 1024 || to > 65535 || from > to) {
                throw new NumberFormatException();
            }
            return new int[] {from, to};
        } catch (RuntimeException e) {
            throw new InputException(PORTS + " is '" + org.sparkdigits.io.Echo.value(v) + "': give a port range FROM-TO "
                    + "within 1024-65535, e.g. 40000-40100");
        }
    }

    @Override
    public CollectiveSteps.Exchange open(BarrierTaskContext context) throws IOException {
        MeshConfig config = sparkSecret ? new MeshConfig(secret(), encrypt, Duration.ofMillis(timeoutMs), portFrom, portTo,
                stage) : token;
        int rank = context.partitionId();
        int size = context.getTaskInfos().length;
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        Mesh mesh = Mesh.bind(rank, size, host, config);
        try {
            // every task of the stage takes the same path (see the class's comment): no fallback here
            List<String> addresses = rendezvous != null
                    ? Rendezvous.join(rendezvous, rank, size, mesh.address(), config)
                    : List.of(context.allGather(mesh.address()));
            mesh.connect(addresses);
        } catch (IOException | RuntimeException e) {
            mesh.close();
            throw e;
        }
        return new CollectiveSteps.Exchange() {
            @Override
            public byte[][] allGather(byte[] mine) throws IOException {
                return mesh.allGather(mine);
            }

            @Override
            public byte[][] allToAll(byte[][] outgoing) throws IOException {
                return mesh.allToAll(outgoing);
            }

            @Override
            public long[] bytes() {
                return new long[] {mesh.bytesSent(), mesh.bytesReceived()};
            }

            @Override
            public void close() {
                mesh.close();
            }
        };
    }

    /** The application's secret, as this executor's Spark holds it. */
    private static byte[] secret() {
        String s = SparkEnv.get().securityManager().getSecretKey();
        if (s == null || s.isEmpty()) {
            throw new IllegalStateException("spark.authenticate is on but this executor has no secret");
        }
        try {   // any length of secret (spark.authenticate.secret is the user's): its SHA-256 as the mesh's key material
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
