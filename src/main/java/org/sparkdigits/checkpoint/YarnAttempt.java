package org.sparkdigits.checkpoint;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The YARN application attempt a driver runs in, when it runs inside a YARN container (cluster deploy mode: the driver
 * is in the ApplicationMaster's container, which YARN starts again, with a new attempt number, when the first one is
 * lost). Read from the container's id ({@code CONTAINER_ID}, {@code container_[e<epoch>_]<cluster>_<app>_<attempt>_<n>}),
 * before any SparkContext exists. A driver outside YARN (local, standalone, Kubernetes, YARN client mode) has none.
 *
 * @param applicationId {@code application_<cluster>_<app>}
 * @param attempt       1 for the first attempt
 */
public record YarnAttempt(String applicationId, int attempt) {

    private static final Pattern CONTAINER = Pattern.compile("container_(?:e\\d+_)?(\\d+)_(\\d+)_(\\d+)_\\d+");

    /** This JVM's attempt, if it is a driver inside a YARN container. */
    public static Optional<YarnAttempt> ofThisDriver() {
        return parse(System.getenv("CONTAINER_ID"));
    }

    /** The attempt of a container id, if it is one. */
    static Optional<YarnAttempt> parse(String containerId) {
        if (containerId == null) {
            return Optional.empty();
        }
        Matcher m = CONTAINER.matcher(containerId.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new YarnAttempt("application_" + m.group(1) + "_" + m.group(2), Integer.parseInt(m.group(3))));
    }

    /** Whether YARN started this driver again after an earlier attempt of the same application was lost. */
    public boolean reattempt() {
        return attempt > 1;
    }
}
