package org.sparkdigits.collective;

import java.io.IOException;

/**
 * A connection that did not prove it belongs to the mesh (or the progress channel): wrong secret or stage, a rank
 * not expected or already connected, a different encryption setting, bytes that are not the protocol, or a peer too
 * slow to finish the exchange. The connection is closed; nothing it sent is read as data.
 */
public class HandshakeException extends IOException {

    private static final long serialVersionUID = 1L;

    public HandshakeException(String message) {
        super(message);
    }

    public HandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
