package io.vitrine.selector.rest;

import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.selector.decision.DecisionEngine;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/encoder}: the encoder in use and the feature layout requests must follow. */
@Path("/v1/encoder")
public class EncoderResource {

    private final DecisionEngine engine;

    public EncoderResource(DecisionEngine engine) {
        this.engine = engine;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public EncoderInfo get() {
        return engine.encoderInfo();
    }
}
