package io.vitrine.cli.stack;

/** The local stack could not be started; the message says which part and why. */
public final class StackException extends Exception {

    private static final long serialVersionUID = 1L;

    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
