package io.vitrine.selector.rest;

import io.smallrye.common.annotation.NonBlocking;
import io.vitrine.selector.config.SelectorConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /v1/baseline}: reads the body and answers {@code {}} on the event loop, nothing else. The load tests
 * measure it in the same process and run as the decisions, so that a decision rate reads against what the HTTP
 * stack itself can do on the same machine at that moment. Off unless {@code vitrine.selector.baseline-endpoint}.
 */
@Path("/v1/baseline")
public class BaselineResource {

    private static final String ANSWER = "{}";

    private final boolean enabled;

    public BaselineResource(SelectorConfig config) {
        this.enabled = config.selector().baselineEndpoint();
    }

    @POST
    @NonBlocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public String baseline(byte[] body) {
        if (!enabled) {
            throw new NotFoundException();
        }
        return ANSWER;
    }
}
