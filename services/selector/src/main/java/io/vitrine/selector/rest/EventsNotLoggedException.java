package io.vitrine.selector.rest;

/** Kafka did not acknowledge every event of a batch in time: the batch is not accepted and may be sent again. */
public final class EventsNotLoggedException extends RuntimeException {

    public EventsNotLoggedException(Throwable cause) {
        super("the events could not be written to Kafka: " + cause.getMessage(), cause);
    }
}
