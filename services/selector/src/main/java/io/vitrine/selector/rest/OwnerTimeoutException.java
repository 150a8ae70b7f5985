package io.vitrine.selector.rest;

import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The instance that owns a request id took the forwarded request but did not answer within the forward timeout. The
 * request is answered {@code 503}: the owner may still decide and log it, and a retry meets the owner's retry window.
 */
public final class OwnerTimeoutException extends RuntimeException {

    public OwnerTimeoutException(String requestId, HostInfo owner, Duration after) {
        super("the instance that owns request id " + requestId + " (" + owner.host() + ":" + owner.port()
                + ") did not answer within " + after.toMillis() + " ms (vitrine.selector.forward-timeout); retry");
    }
}
