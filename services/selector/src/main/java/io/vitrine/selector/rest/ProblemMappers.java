package io.vitrine.selector.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.vitrine.selector.decision.InvalidRequestException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error answer is an RFC 9457 problem ({@code application/problem+json}) a person can act on. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    static final String MEDIA_TYPE = "application/problem+json";

    /** The body of an error answer; {@code errors} lists each problem of an invalid request. */
    public record Problem(String type, String title, int status, String detail, List<String> errors) {
    }

    @ServerExceptionMapper
    public Response invalidRequest(InvalidRequestException e) {
        List<String> errors = e.violations().stream().map(Object::toString).toList();
        return problem(Response.Status.BAD_REQUEST, "Invalid decision request", e.getMessage(), errors);
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        return problem(Response.Status.BAD_REQUEST, "Unreadable JSON", e.getOriginalMessage(), List.of());
    }

    /** More specific than Quarkus' own mapper for this type, which answers in plain JSON. */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        String field = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .reduce("", (a, b) -> a.isEmpty() || b.startsWith("[") ? a + b : a + "." + b);
        String detail = field.isEmpty() ? e.getOriginalMessage() : field + ": " + e.getOriginalMessage();
        return problem(Response.Status.BAD_REQUEST, "Unreadable JSON", detail, List.of(detail));
    }

    @ServerExceptionMapper
    public Response notLogged(DecisionNotLoggedException e) {
        LOG.warn(e.getMessage());
        return problem(Response.Status.SERVICE_UNAVAILABLE, "Decision not logged", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
        if (status == null) {
            status = Response.Status.BAD_REQUEST;
        }
        return problem(status, status.getReasonPhrase(), e.getMessage(), List.of());
    }

    static Response problem(Response.Status status, String title, String detail, List<String> errors) {
        return Response.status(status).type(MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status.getStatusCode(), detail, errors))
                .build();
    }
}
