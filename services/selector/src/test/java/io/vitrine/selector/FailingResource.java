package io.vitrine.selector;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Deployed only in tests: an endpoint with a bug, to see what a client and the log get from one. */
@Path("/test/failing")
public class FailingResource {

    static final String MESSAGE = "a bug nobody foresaw";

    @GET
    public String fail() {
        throw new IllegalStateException(MESSAGE);
    }
}
