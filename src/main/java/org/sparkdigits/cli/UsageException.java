package org.sparkdigits.cli;

/** A bad command line: unknown command or option, missing or invalid value. Exit code 2. */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
