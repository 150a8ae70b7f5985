package io.vitrine.selector.rest;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.streams.state.HostInfo;
import org.jboss.logging.Logger;

/**
 * Sends a decision request on to the instance that owns its request id and hands back that instance's answer as
 * it is (status, body, the headers a client reads). The request keeps its body and its end-to-end headers (the API
 * key among them) and gains {@value #FORWARDED_HEADER}, which tells the owner to decide itself: a request is
 * forwarded at most once, even while two instances disagree about the owner during a rebalance.
 */
public final class OwnerForwarding {

    /** Marks a forwarded request; its value names the instance that forwarded it. Internal, not in the contract. */
    public static final String FORWARDED_HEADER = "X-Vitrine-Forwarded";
    /** Names the instance that decided; on every answer of {@code POST /v1/decisions}. */
    public static final String SERVED_BY_HEADER = "X-Vitrine-Served-By";

    private static final Logger LOG = Logger.getLogger(OwnerForwarding.class);
    /**
     * Headers of one connection (RFC 9110, 7.6.1) and those the JDK's client sets itself: not passed on. Nor is
     * {@code Accept-Encoding}: the answer is relayed without its {@code Content-Encoding}, so it must come plain.
     */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host",
            "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "http2-settings",
            "accept-encoding", FORWARDED_HEADER.toLowerCase(Locale.ROOT));
    /** Headers of the owner's answer that the client reads. */
    private static final List<String> ANSWER_HEADERS = List.of("Content-Type", SERVED_BY_HEADER, "Retry-After",
            "WWW-Authenticate");

    private final HttpClient http;
    private final Duration timeout;
    private final String self;

    /**
     * @param timeout the longest wait for the owner's whole answer
     * @param self    this instance's address, sent in {@value #FORWARDED_HEADER}
     */
    public OwnerForwarding(Duration timeout, HostInfo self) {
        // HTTP/1.1: the JDK's client would otherwise try an h2c upgrade on every new connection.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(1)) < 0 ? timeout : Duration.ofSeconds(1))
                .build();
        this.timeout = timeout;
        this.self = self.host() + ":" + self.port();
    }

    /** Whether {@code headers} mark a request that another instance already forwarded here. */
    public static boolean forwarded(HttpHeaders headers) {
        return headers.getHeaderString(FORWARDED_HEADER) != null;
    }

    /** What came of a forward. */
    public sealed interface Outcome {
    }

    /** The owner answered; its answer, to relay as it is. */
    public record Answered(Response answer) implements Outcome {
    }

    /**
     * The owner could not be reached (no connection within the connect timeout, refused, reset, or the request
     * could not be built): it cannot have decided, so the caller decides itself.
     */
    public record Unreachable(String why) implements Outcome {
    }

    /**
     * The owner took the request but gave no answer within the timeout. It may still decide and log, so the caller
     * must not decide too (that would be a second decision of the id), and the time is spent: the caller answers
     * {@code 503}, and the client's retry meets the owner's retry window.
     */
    public record TimedOut(Duration after) implements Outcome {
    }

    /** The owner's answer to {@code body} sent to {@code path} with {@code headers}, or why there is none. */
    public CompletionStage<Outcome> forward(HostInfo owner, String path, byte[] body,
                                            Map<String, List<String>> headers) {
        HttpRequest request;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + owner.host() + ":"
                            + owner.port() + path))
                    .timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .header(FORWARDED_HEADER, self);
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                    for (String value : header.getValue()) {
                        builder.header(header.getKey(), value);
                    }
                }
            }
            request = builder.build();
        } catch (IllegalArgumentException e) { // a header the JDK's client will not send: this instance decides
            LOG.debugf("request not forwarded to %s: %s", owner, e.getMessage());
            return CompletableFuture.completedFuture(new Unreachable(e.getMessage()));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((answer, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        LOG.debugf("owner %s of a request did not answer: %s", owner, cause.toString());
                        // A connect timeout is also an HttpTimeoutException, but then the owner never had the request.
                        if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
                            return new TimedOut(timeout);
                        }
                        return new Unreachable(cause.toString());
                    }
                    Response.ResponseBuilder relayed = Response.status(answer.statusCode()).entity(answer.body());
                    for (String name : ANSWER_HEADERS) {
                        answer.headers().firstValue(name).ifPresent(value -> relayed.header(name, value));
                    }
                    return new Answered(relayed.build());
                });
    }
}
