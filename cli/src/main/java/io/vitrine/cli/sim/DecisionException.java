package io.vitrine.cli.sim;

/** A decision request failed: an HTTP error status, a transport error or an unreadable answer. */
public final class DecisionException extends Exception {

    private static final long serialVersionUID = 1L;

    public DecisionException(String message) {
        super(message);
    }

    public DecisionException(String message, Throwable cause) {
        super(message, cause);
    }
}
