package io.vitrine.evaluation;

/** A log file that cannot be read as mapped, with the line at fault. */
public final class LogFormatException extends Exception {

    public LogFormatException(String message) {
        super(message);
    }
}
