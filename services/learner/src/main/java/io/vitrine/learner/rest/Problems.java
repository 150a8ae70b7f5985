package io.vitrine.learner.rest;

import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details for the learner's HTTP answers. */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";

    /** The body of an error answer. */
    record Problem(String type, String title, int status, String detail) {
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
