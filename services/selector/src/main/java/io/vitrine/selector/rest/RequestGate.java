package io.vitrine.selector.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks made on every request before any endpoint reads it, answered with the same {@link Problem} documents as
 * the endpoints: a declared body over {@code quarkus.http.limits.max-body-size} is a 413 (Quarkus' own check
 * answers without a body), a {@code Content-Encoding} other than identity a 415 (a compressed body would
 * otherwise read as broken JSON). An {@code Accept} that lists {@code application/problem+json} also accepts
 * {@code application/json}: a client that says it reads problem documents reads JSON.
 */
@ApplicationScoped
public class RequestGate {

    static final String PROBLEM_JSON = Problem.MEDIA_TYPE;

    private final long maxBodySize;
    private final ObjectMapper json;

    public RequestGate(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize,
                       ObjectMapper json) {
        this.maxBodySize = maxBodySize.asLongValue();
        this.json = json;
    }

    /** Runs before Quarkus' own body-size route (order -2). */
    void install(@Observes Router router) {
        router.route().order(-3).handler(this::check);
    }

    private void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        // Java's HttpClient (JDK 17), waiting for "100 Continue", hangs on a refusal that has a body (curl reads it):
        // Quarkus' own check answers that client, with a 413 without a body.
        boolean javaAwaitingContinue = request.getHeader(HttpHeaders.EXPECT) != null
                && String.valueOf(request.getHeader(HttpHeaders.USER_AGENT)).startsWith("Java-http-client");
        if (length != null && !javaAwaitingContinue && declaredLength(length) > maxBodySize) {
            String detail = "the body is larger than the limit of " + maxBodySize + " bytes (Content-Length "
                    + length.trim() + ")";
            answer(context, new Problem("about:blank", "Request body too large", 413, detail, null,
                    List.of(new Problem.FieldError(JsonFields.BODY, "", detail, "body-too-large"))), true);
            return;
        }
        String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            String detail = "Content-Encoding '" + encoding.trim() + "' is not supported: send the body uncompressed";
            answer(context, new Problem("about:blank", "Unsupported Media Type", 415, detail, null,
                    List.of(new Problem.FieldError("header.Content-Encoding", "", detail,
                            "unsupported-content-encoding"))), false);
            return;
        }
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept != null && accept.contains(PROBLEM_JSON) && !accept.matches("(?s).*application/json\\s*(;|,|$).*")) {
            request.headers().set(HttpHeaders.ACCEPT, accept + ", application/json");
        }
        context.next();
    }

    private static HttpServerRequest request(RoutingContext context) {
        return context.request();
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1; // Vert.x refuses a malformed Content-Length itself
        }
    }

    private void answer(RoutingContext context, Problem problem, boolean close) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(problem);
        } catch (Exception e) {
            context.fail(e);
            return;
        }
        var response = context.response().setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON);
        // Only an HTTP/1.x connection carries the unread body; closing an HTTP/2 one would end its other streams.
        if (!close || request(context).version() == io.vertx.core.http.HttpVersion.HTTP_2) {
            response.end(io.vertx.core.buffer.Buffer.buffer(body));
            return;
        }
        // The unread body would otherwise be parsed as the next request of a kept-alive connection: close it once
        // the answer is written (a client waiting for 100-continue then reads the 413 as the final answer).
        response.putHeader(HttpHeaders.CONNECTION, "close");
        response.end(io.vertx.core.buffer.Buffer.buffer(body)).onComplete(written -> request(context).connection().close());
    }
}
