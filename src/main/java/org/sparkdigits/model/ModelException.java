package org.sparkdigits.model;

import org.sparkdigits.io.InputException;

/** A model directory that is missing, truncated or inconsistent; the message names the file. */
public class ModelException extends InputException {

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
