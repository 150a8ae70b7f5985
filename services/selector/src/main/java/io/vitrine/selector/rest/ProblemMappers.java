package io.vitrine.selector.rest;

import io.vitrine.selector.decision.InvalidRequestException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error answer of every endpoint is an RFC 9457 {@link Problem} a person can act on: refused input names each
 * field and reason, and an unexpected failure gets an id ({@code instance}) that the log line carries.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalidRequest(InvalidRequestException e) {
        return Response.status(Response.Status.BAD_REQUEST).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", "Invalid request", 400, e.getMessage(), null,
                        e.violations().stream().map(Problem.FieldError::of).toList()))
                .build();
    }

    @ServerExceptionMapper
    public Response conflict(RequestIdConflictException e) {
        return problem(Response.Status.CONFLICT, "Request id already used", e.getMessage(),
                List.of(new Problem.FieldError("requestId", "/requestId", e.getMessage(), "request-id-conflict")));
    }

    @ServerExceptionMapper
    public Response notLogged(DecisionNotLoggedException e) {
        return unavailable("Decision not logged", e);
    }

    @ServerExceptionMapper
    public Response ownerTimeout(OwnerTimeoutException e) {
        return unavailable("Owner did not answer", e);
    }

    @ServerExceptionMapper
    public Response eventsNotLogged(EventsNotLoggedException e) {
        return unavailable("Events not logged", e);
    }

    /** A 503 the client may retry in a second; the log line and the answer share an id. */
    private static Response unavailable(String title, RuntimeException e) {
        String id = UUID.randomUUID().toString();
        LOG.warnf("problem %s: %s", id, e.getMessage());
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(Problem.MEDIA_TYPE)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .entity(new Problem("about:blank", title, 503, e.getMessage(), "urn:uuid:" + id, null))
                .build();
    }

    /** Answers of the HTTP layer itself (404, 405, 406, 415 ...), keeping their headers such as {@code Allow}. */
    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response original = e.getResponse();
        Response.StatusType status = original.getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return unexpected(e);
        }
        Response.ResponseBuilder answer = Response.status(status.getStatusCode()).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), e.getMessage(),
                        null, List.of(new Problem.FieldError(fieldOf(status.getStatusCode()), "", e.getMessage(),
                        reasonOf(status.getStatusCode())))));
        original.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) && !name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
                values.forEach(value -> answer.header(name, value));
            }
        });
        return answer.build();
    }

    /** Anything else is a bug: the client gets an id to quote, the log has the same id with the stack trace. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "problem %s: unexpected failure", id);
        return Response.status(Response.Status.INTERNAL_SERVER_ERROR).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", "Internal Server Error", 500,
                        "Unexpected failure; quote " + id + " when reporting it.", "urn:uuid:" + id, null))
                .build();
    }

    static Response problem(Response.Status status, String title, String detail, List<Problem.FieldError> errors) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status.getStatusCode(), detail, null, errors))
                .build();
    }

    /** What an answer of the HTTP layer is about: the header that decided it, or the request line. */
    private static String fieldOf(int status) {
        return switch (status) {
            case 406 -> "header.Accept";
            case 415 -> "header.Content-Type";
            default -> "request";
        };
    }

    private static String reasonOf(int status) {
        return switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "body-too-large";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status;
        };
    }
}
