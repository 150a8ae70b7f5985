package io.vitrine.kafka;

/** A local broker could not be formatted, started or made ready; the message says why. */
public final class LocalKafkaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LocalKafkaException(String message) {
        super(message);
    }

    public LocalKafkaException(String message, Throwable cause) {
        super(message, cause);
    }
}
