package io.vitrine.learner.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every error answer of the learner is a problem document, the HTTP layer's own (404, 405, 406) included; an
 * unexpected failure gets an id ({@code instance}) that its log line carries.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    /** A client that lists {@code application/problem+json} in {@code Accept} reads JSON too. */
    @ServerRequestFilter(preMatching = true)
    public void acceptProblemJson(ContainerRequestContext request) {
        String accept = request.getHeaderString(HttpHeaders.ACCEPT);
        if (accept != null && accept.contains(Problems.MEDIA_TYPE)
                && !accept.matches("(?s).*application/json\\s*(;|,|$).*")) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, accept + ", application/json");
        }
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return unexpected(e);
        }
        return Response.status(status.getStatusCode()).type(Problems.MEDIA_TYPE)
                .entity(new Problems.Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(),
                        e.getMessage()))
                .build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "problem %s: unexpected failure", id);
        return Response.status(Response.Status.INTERNAL_SERVER_ERROR).type(Problems.MEDIA_TYPE)
                .entity(new Problems.Problem("about:blank", "Internal Server Error", 500,
                        "Unexpected failure; quote " + id + " when reporting it.", "urn:uuid:" + id))
                .build();
    }
}
