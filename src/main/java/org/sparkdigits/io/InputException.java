package org.sparkdigits.io;

/**
 * Bad input from the user: a missing, empty or malformed file. The message is complete and meant to be
 * shown as it is (it names the file, and the line where there is one); the command line turns it into a
 * one-line error and exit code 2.
 */
public class InputException extends RuntimeException {

    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
