package org.sparkdigits.collective;

import java.io.IOException;
import java.time.Duration;

/**
 * A peer that kept this rank waiting longer than {@link MeshConfig#timeout()}: it did not connect, send its
 * message, or take ours. The message names both ranks, the address waited for and the stage, e.g.
 * {@code rank 2 waited 30 s for rank 0 (10.0.0.5:41235) in segment 3 attempt 1: no message arrived}.
 */
public class PeerTimeoutException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int rank;
    private final int peer;
    private final String peerAddress;

    /**
     * @param rank the rank that waited
     * @param peer the rank waited for
     * @param peerAddress its address ("host:port"), as the rendezvous published it
     * @param waited how long
     * @param stage the mesh's stage label
     * @param detail what was waited for
     */
    public PeerTimeoutException(int rank, int peer, String peerAddress, Duration waited, String stage, String detail) {
        super("rank " + rank + " waited " + Net.describe(waited) + " for rank " + peer + " (" + peerAddress + ") in "
                + stage + ": " + detail);
        this.rank = rank;
        this.peer = peer;
        this.peerAddress = peerAddress;
    }

    /** The rank that waited. */
    public int rank() {
        return rank;
    }

    /** The rank it waited for. */
    public int peer() {
        return peer;
    }

    /** The address of the rank waited for. */
    public String peerAddress() {
        return peerAddress;
    }
}
