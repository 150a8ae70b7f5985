package io.vitrine.learner.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details for the learner's HTTP answers; the same Problem schema as the selector's. */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";

    /** The body of an error answer; {@code instance} ({@code urn:uuid:<id>}) names a failure in the log. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Problem(String type, String title, int status, String detail, String instance) {

        Problem(String type, String title, int status, String detail) {
            this(type, title, status, detail, null);
        }
    }

    private Problems() {
    }

    static Response response(Response.Status status, String title, String detail) {
        return Response.status(status)
                .type(MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status.getStatusCode(), detail))
                .build();
    }
}
