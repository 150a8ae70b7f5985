package io.vitrine.selector.rest;

/** Kafka did not acknowledge a decision in time: it is not served, since it would be missing from the log. */
public final class DecisionNotLoggedException extends RuntimeException {

    public DecisionNotLoggedException(Throwable cause) {
        super("the decision could not be logged to Kafka: " + cause.getMessage(), cause);
    }
}
