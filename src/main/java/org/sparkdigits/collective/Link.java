package org.sparkdigits.collective;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One authenticated connection, after its {@link Handshake}: length-prefixed messages over a socket.
 *
 * <p>A frame is a 4-byte big-endian length, then that many bytes; lengths above {@link #MAX_FRAME} (2^31 - 9, the
 * largest Java array) or below zero are refused before anything is allocated. Encrypted, a frame's bytes are
 * AES-256-GCM of the message with a 16-byte tag, under the direction's session key, the 12-byte IV being 4 zero
 * bytes and a 64-bit message counter (each direction its own key, so counters never repeat under one key); a
 * frame that fails its tag, was replayed, reordered or cut, fails loudly. Writes are serialized by the link; reads
 * are for one reader thread. The streams are buffered (64 KiB) and TCP_NODELAY is on, so a message leaves at
 * once and a large one goes from the caller's array to the socket without a copy (plain text).
 */
final class Link implements Closeable {

    /** The largest frame: the largest array Java allocates. */
    static final int MAX_FRAME = Integer.MAX_VALUE - 8;
    static final int TAG = 16;
    static final int BUFFER = 1 << 16;

    private final Socket socket;
    private final BufferedInputStream in;
    private final BufferedOutputStream out;
    private final SecretKeySpec sendKey;
    private final SecretKeySpec receiveKey;
    private final Cipher sendCipher;
    private final Cipher receiveCipher;
    private final byte[] header = new byte[4];
    private long sent;
    private long received;

    Link(Socket socket, BufferedInputStream in, BufferedOutputStream out, Handshake.Session session)
            throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = out;
        if (session.encrypted()) {
            sendKey = new SecretKeySpec(session.sendKey(), "AES");
            receiveKey = new SecretKeySpec(session.receiveKey(), "AES");
            try {
                sendCipher = Cipher.getInstance("AES/GCM/NoPadding");
                receiveCipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IOException("AES/GCM is not available", e);
            }
        } else {
            sendKey = receiveKey = null;
            sendCipher = receiveCipher = null;
        }
    }

    /** A connected socket's buffered streams, TCP_NODELAY on. */
    static BufferedInputStream input(Socket socket) throws IOException {
        return new BufferedInputStream(socket.getInputStream(), BUFFER);
    }

    static BufferedOutputStream output(Socket socket) throws IOException {
        return new BufferedOutputStream(socket.getOutputStream(), BUFFER);
    }

    static void tune(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
    }

    /** The longest message a link takes: a frame less the tag if encrypted. */
    int maxMessage() {
        return sendCipher == null ? MAX_FRAME : MAX_FRAME - TAG;
    }

    boolean encrypted() {
        return sendCipher != null;
    }

    /** Writes one message and flushes it; blocks while the peer's buffers are full. */
    synchronized void write(byte[] message) throws IOException {
        if (message.length > maxMessage()) {
            throw new IOException("a message of " + message.length + " bytes is longer than the largest frame ("
                    + maxMessage() + ")");
        }
        byte[] frame = message;
        if (sendCipher != null) {
            try {
                sendCipher.init(Cipher.ENCRYPT_MODE, sendKey, iv(sent++));
                frame = sendCipher.doFinal(message);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot encrypt a message", e);
            }
        }
        int n = frame.length;
        header[0] = (byte) (n >>> 24);
        header[1] = (byte) (n >>> 16);
        header[2] = (byte) (n >>> 8);
        header[3] = (byte) n;
        out.write(header);
        // the header and the first bytes in one segment; the rest straight from the array
        int first = Math.min(n, BUFFER - header.length);
        out.write(frame, 0, first);
        if (n > first) {
            out.write(frame, first, n - first);
        }
        out.flush();
    }

    /** Reads the next message; EOFException if the peer closed between messages, IOException for anything else. */
    byte[] read() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            throw new EOFException("it closed the connection");
        }
        int n = (b0 << 24) | (readByte() << 16) | (readByte() << 8) | readByte();
        if (n < 0 || n > MAX_FRAME) {
            throw new IOException("it announced a message of " + Integer.toUnsignedString(n)
                    + " bytes, more than the largest frame (" + MAX_FRAME + ")");
        }
        if (receiveCipher != null && n < TAG) {
            throw new IOException("it sent an encrypted frame of " + n + " bytes, shorter than its tag");
        }
        byte[] frame = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(frame, got, n - got);
            if (r < 0) {
                throw new EOFException("it closed the connection mid-message (" + got + " of " + n + " bytes)");
            }
            got += r;
        }
        if (receiveCipher == null) {
            return frame;
        }
        try {
            receiveCipher.init(Cipher.DECRYPT_MODE, receiveKey, iv(received++));
            return receiveCipher.doFinal(frame);
        } catch (AEADBadTagException e) {
            throw new IOException("message " + (received - 1) + " failed its authentication tag (tampered,"
                    + " corrupted or out of order)", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot decrypt message " + (received - 1), e);
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("it closed the connection mid-header");
        }
        return b;
    }

    private static GCMParameterSpec iv(long counter) {
        return new GCMParameterSpec(TAG * 8, ByteBuffer.allocate(12).putInt(0).putLong(counter).array());
    }

    String remote() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    /** Closes the socket; a blocked read or write ends with an exception. Idempotent. */
    @Override
    public void close() {
        Net.closeQuietly(socket);
    }
}
