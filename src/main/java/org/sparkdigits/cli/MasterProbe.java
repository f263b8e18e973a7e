package org.sparkdigits.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import org.sparkdigits.io.InputException;

/**
 * Tries a standalone master's address before Spark does: an unreachable {@code spark://host:port} otherwise costs a
 * minute of retries and a hundred lines of Spark's log before "Cannot call methods on a stopped SparkContext".
 * Here it is one line naming the master, at once.
 */
final class MasterProbe {

    /** How long one connection attempt may take. */
    static final int TIMEOUT_MS = 5000;

    private MasterProbe() {
    }

    /** @throws InputException if {@code master} is {@code spark://...} and none of its addresses accepts a connection */
    static void check(String master) {
        if (master == null || !master.startsWith("spark://")) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new InputException("--master " + master + ": " + hostPort + " has no port number");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
                return;
            } catch (UnknownHostException e) {
                failures.add(hostPort + ": unknown host " + host);
            } catch (IOException e) {
                failures.add(hostPort + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        throw new InputException("--master " + master + ": cannot reach the Spark master (" + String.join("; ", failures)
                + "): is it running, and is the address right?");
    }
}
