package org.sparkdigits.collective;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.IntPredicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The mutual challenge-response every connection of the package runs before any data, in the manner of Spark's
 * own authentication: the secret never goes on the wire, each end proves it holds the key of this stage.
 *
 * <pre>
 * key        = HMAC-SHA256(secret, "spark-digits-collective/" + stage)
 * C -&gt; S      hello:    "SDC1" kind(1) flags(1) fromRank(4) toRank(4) nonceC(32)            46 bytes
 * S -&gt; C      challenge "SDC1" nonceS(32) HMAC(key, "server" | transcript)                  68 bytes
 * C -&gt; S      proof:    HMAC(key, "client" | transcript)                                    32 bytes
 * S -&gt; C      accept:   0x01                                                                 1 byte
 * transcript = "SDC1" kind flags fromRank toRank nonceC nonceS stage(UTF-8)
 * </pre>
 *
 * C is the connecting side, S the accepting one; kind is {@code 'M'} (mesh), {@code 'P'} (progress channel) or
 * {@code 'R'} (the driver's {@link Rendezvous}), flags bit 0 is encryption. S checks the hello (magic, kind, flags
 * equal to its own, {@code toRank} its own rank, {@code fromRank} one it expects and not yet connected) before it
 * answers, so a stranger learns nothing; both
 * MACs are compared in constant time ({@link MessageDigest#isEqual}); the "server"/"client" labels keep one side's
 * proof from being reflected as the other's. Any failure closes the connection. With encryption, the session's
 * direction keys are {@code HMAC(prk, "client to server")} and {@code HMAC(prk, "server to client")}, where
 * {@code prk = HMAC(key, "session" | nonceC | nonceS)} (an HKDF-style extract and expand). The deadline of a
 * handshake is the caller's: a watchdog closes a socket too slow to finish it.
 */
final class Handshake {

    static final byte KIND_MESH = 'M';
    static final byte KIND_PROGRESS = 'P';
    static final byte KIND_RENDEZVOUS = 'R';
    /** The "rank" of the driver's end of a progress channel or rendezvous. */
    static final int DRIVER = -1;

    static final int NONCE = 32;
    private static final byte[] MAGIC = {'S', 'D', 'C', '1'};
    private static final int HELLO = 4 + 1 + 1 + 4 + 4 + NONCE;
    private static final int MAC = 32;
    private static final byte ACCEPT = 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a handshake leaves: the peer's rank and, with encryption, the key of each direction. */
    record Session(int peerRank, byte[] sendKey, byte[] receiveKey) {
        boolean encrypted() {
            return sendKey != null;
        }
    }

    private Handshake() {
    }

    /** The stage's key: HMAC-SHA256(secret, "spark-digits-collective/" + stage). */
    static byte[] key(MeshConfig config) {
        byte[] secret = config.secret();
        try {
            return hmac(secret, ("spark-digits-collective/" + config.stage()).getBytes(StandardCharsets.UTF_8));
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * The connecting side: rank {@code me} to rank {@code peer}. Returns once the other end has proved it holds
     * the key and accepted this rank.
     */
    static Session connect(InputStream in, OutputStream out, byte kind, int me, int peer, MeshConfig config,
            byte[] key) throws IOException {
        byte flags = flags(config);
        byte[] nonceC = nonce();
        ByteBuffer hello = ByteBuffer.allocate(HELLO).put(MAGIC).put(kind).put(flags).putInt(me).putInt(peer)
                .put(nonceC);
        out.write(hello.array());
        out.flush();
        byte[] challenge = readExactly(in, MAGIC.length + NONCE + MAC, "its challenge");
        if (!Arrays.equals(challenge, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new HandshakeException("it does not speak this protocol");
        }
        byte[] nonceS = Arrays.copyOfRange(challenge, MAGIC.length, MAGIC.length + NONCE);
        byte[] macS = Arrays.copyOfRange(challenge, MAGIC.length + NONCE, challenge.length);
        byte[] transcript = transcript(kind, flags, me, peer, nonceC, nonceS, config.stage());
        if (!MessageDigest.isEqual(macS, hmac(key, label("server"), transcript))) {
            throw new HandshakeException("it did not prove it holds the secret of " + config.stage());
        }
        out.write(hmac(key, label("client"), transcript));
        out.flush();
        int accept = in.read();
        if (accept != ACCEPT) {
            throw new HandshakeException("it refused this connection (rank " + me + " already connected or not"
                    + " expected, or a different secret or stage)");
        }
        return session(key, nonceC, nonceS, true, peer, config.encrypt());
    }

    /**
     * The accepting side, up to the client's proof: rank {@code me} reads the hello, refuses a rank
     * {@code expected} does not allow before answering, and verifies the proof. The caller then claims the rank
     * and calls {@link #accept}.
     */
    static Session verify(InputStream in, OutputStream out, byte kind, int me, IntPredicate expected,
            MeshConfig config, byte[] key) throws IOException {
        byte[] hello = readExactly(in, HELLO, "a hello");
        ByteBuffer h = ByteBuffer.wrap(hello);
        byte[] magic = new byte[MAGIC.length];
        h.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new HandshakeException("it does not speak this protocol");
        }
        byte helloKind = h.get();
        if (helloKind != kind) {
            throw new HandshakeException("it wants a " + kindName(helloKind) + ", this is a " + kindName(kind));
        }
        byte flags = h.get();
        if (flags != flags(config)) {
            throw new HandshakeException("its encryption setting differs (" + ((flags & 1) != 0) + ")");
        }
        int from = h.getInt();
        int to = h.getInt();
        if (to != me) {
            throw new HandshakeException("it wants rank " + to + ", this is rank " + me);
        }
        if (!expected.test(from)) {
            throw new HandshakeException("rank " + from + " is not expected here (or already connected)");
        }
        byte[] nonceC = new byte[NONCE];
        h.get(nonceC);
        byte[] nonceS = nonce();
        byte[] transcript = transcript(kind, flags, from, to, nonceC, nonceS, config.stage());
        out.write(ByteBuffer.allocate(MAGIC.length + NONCE + MAC).put(MAGIC).put(nonceS)
                .put(hmac(key, label("server"), transcript)).array());
        out.flush();
        byte[] macC = readExactly(in, MAC, "its proof (its secret or stage differs?)");
        if (!MessageDigest.isEqual(macC, hmac(key, label("client"), transcript))) {
            throw new HandshakeException("rank " + from + " did not prove it holds the secret of " + config.stage()
                    + " (wrong secret or stage)");
        }
        return session(key, nonceC, nonceS, false, from, config.encrypt());
    }

    /** The accepting side's last word, once the rank is claimed. */
    static void accept(OutputStream out) throws IOException {
        out.write(ACCEPT);
        out.flush();
    }

    private static Session session(byte[] key, byte[] nonceC, byte[] nonceS, boolean client, int peer,
            boolean encrypt) {
        if (!encrypt) {
            return new Session(peer, null, null);
        }
        byte[] prk = hmac(key, label("session"), nonceC, nonceS);
        byte[] c2s = hmac(prk, label("client to server"));
        byte[] s2c = hmac(prk, label("server to client"));
        return client ? new Session(peer, c2s, s2c) : new Session(peer, s2c, c2s);
    }

    private static byte flags(MeshConfig config) {
        return (byte) (config.encrypt() ? 1 : 0);
    }

    private static String kindName(byte kind) {
        return kind == KIND_MESH ? "mesh" : kind == KIND_PROGRESS ? "progress channel"
                : kind == KIND_RENDEZVOUS ? "rendezvous" : "kind " + (kind & 0xff);
    }

    private static byte[] transcript(byte kind, byte flags, int from, int to, byte[] nonceC, byte[] nonceS,
            String stage) {
        byte[] s = stage.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(MAGIC.length + 2 + 8 + 2 * NONCE + s.length).put(MAGIC).put(kind).put(flags)
                .putInt(from).putInt(to).put(nonceC).put(nonceS).put(s).array();
    }

    private static byte[] label(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] nonce() {
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        return n;
    }

    static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] readExactly(InputStream in, int n, String what) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r;
            try {
                r = in.read(b, got, n - got);
            } catch (EOFException e) {
                r = -1;
            }
            if (r < 0) {
                throw new HandshakeException("it closed the connection before " + what + " (" + got + " of " + n
                        + " bytes)");
            }
            got += r;
        }
        return b;
    }
}
