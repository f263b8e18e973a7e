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
 * <p>A frame is a 4-byte big-endian message length, then the message; lengths above {@link #MAX_FRAME} (2^31 - 9,
 * the largest Java array) or below zero are refused before anything is allocated. Encrypted, the message follows
 * as records of {@value #RECORD} bytes (the last shorter; one empty record for an empty message), each AES-256-GCM
 * with a 16-byte tag under the direction's session key, the 4-byte length header as associated data, the 12-byte
 * IV being 4 zero bytes and a 64-bit record counter (each direction has its own key, so an IV never repeats under
 * one key). Records keep the cipher's calls short (the JIT compiles its intrinsics early; no whole-message buffer
 * inside the cipher) and the memory per link to two record buffers. A record that fails its tag (tampered,
 * replayed, reordered, a changed length) fails loudly. Writes are serialized by the link; reads
 * are for one reader thread. The streams are buffered (64 KiB) and TCP_NODELAY is on, so a message leaves at
 * once and a large one goes from the caller's array to the socket without a copy (plain text).
 */
final class Link implements Closeable {

    /** The largest frame: the largest array Java allocates. */
    static final int MAX_FRAME = Integer.MAX_VALUE - 8;
    static final int TAG = 16;
    static final int BUFFER = 1 << 16;
    /** The plaintext of one encrypted record. */
    static final int RECORD = 1 << 16;

    private final Socket socket;
    private final BufferedInputStream in;
    private final BufferedOutputStream out;
    private final SecretKeySpec sendKey;
    private final SecretKeySpec receiveKey;
    private final Cipher sendCipher;
    private final Cipher receiveCipher;
    private final byte[] header = new byte[4];
    private final byte[] sealed;
    private final byte[] opened;
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
            sealed = new byte[RECORD + TAG];
            opened = new byte[RECORD + TAG];
        } else {
            sealed = opened = null;
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

    boolean encrypted() {
        return sendCipher != null;
    }

    /** Writes one message and flushes it; blocks while the peer's buffers are full. */
    synchronized void write(byte[] message) throws IOException {
        int n = message.length;
        if (n > MAX_FRAME) {
            throw new IOException("a message of " + n + " bytes is longer than the largest frame (" + MAX_FRAME + ")");
        }
        header[0] = (byte) (n >>> 24);
        header[1] = (byte) (n >>> 16);
        header[2] = (byte) (n >>> 8);
        header[3] = (byte) n;
        out.write(header);
        if (sendCipher == null) {
            // the header and the first bytes in one segment; the rest straight from the caller's array
            int first = Math.min(n, BUFFER - header.length);
            out.write(message, 0, first);
            if (n > first) {
                out.write(message, first, n - first);
            }
        } else {
            int off = 0;
            try {
                do {
                    int len = Math.min(RECORD, n - off);
                    sendCipher.init(Cipher.ENCRYPT_MODE, sendKey, iv(sent++));
                    sendCipher.updateAAD(header);
                    int sealedLength = sendCipher.doFinal(message, off, len, sealed, 0);
                    out.write(sealed, 0, sealedLength);
                    off += len;
                } while (off < n);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot encrypt a message", e);
            }
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
        byte[] message = new byte[n];
        if (receiveCipher == null) {
            readFully(message, 0, n, n);
            return message;
        }
        byte[] aad = {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
        int off = 0;
        do {
            int len = Math.min(RECORD, n - off);
            readFully(opened, 0, len + TAG, n);
            try {
                receiveCipher.init(Cipher.DECRYPT_MODE, receiveKey, iv(received++));
                receiveCipher.updateAAD(aad);
                receiveCipher.doFinal(opened, 0, len + TAG, message, off);
            } catch (AEADBadTagException e) {
                throw new IOException("record " + (received - 1) + " failed its authentication tag (tampered,"
                        + " corrupted or out of order)", e);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot decrypt record " + (received - 1), e);
            }
            off += len;
        } while (off < n);
        return message;
    }

    private void readFully(byte[] b, int off, int len, int messageLength) throws IOException {
        int got = 0;
        while (got < len) {
            int r = in.read(b, off + got, len - got);
            if (r < 0) {
                throw new EOFException("it closed the connection mid-message (a message of " + messageLength
                        + " bytes)");
            }
            got += r;
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
