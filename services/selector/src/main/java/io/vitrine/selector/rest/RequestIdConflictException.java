package io.vitrine.selector.rest;

/** A request id seen within the retry window came with a different body: a client bug, not a retry. */
public final class RequestIdConflictException extends RuntimeException {

    public RequestIdConflictException(String requestId) {
        super("request id '" + requestId + "' was used for a different request within the retry window;"
                + " a retry must repeat the same body, a new request needs a new id");
    }
}
