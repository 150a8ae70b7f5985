package io.vitrine.selector.rest;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** What to tell a client when Kafka did not acknowledge a write: the producer's own reason, or the timeout. */
final class KafkaFailures {

    private KafkaFailures() {
    }

    /** The failure itself, not its {@link CompletionException} wrapper; a bare timeout says which one. */
    static Throwable cause(Throwable error, Duration logTimeout) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof TimeoutException && cause.getMessage() == null
                ? new TimeoutException("no acknowledgement within vitrine.selector.log-timeout (" + logTimeout + ")")
                : cause;
    }
}
