package io.vitrine.selector.access;

import io.vitrine.selector.config.SelectorConfig;
import io.vitrine.selector.rest.Problem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * When {@code vitrine.selector.api-keys} is set, the decision API ({@code /v1/decisions}, {@code /v1/events}) answers
 * only requests whose {@value #HEADER} header holds one of the keys; others get a 401 problem and nothing is decided
 * or logged. Unset (the default), the API is open, as behind a gateway that authenticates callers itself.
 */
public class ApiKeyFilter {

    public static final String HEADER = "X-Api-Key";
    private static final List<String> GUARDED = List.of("/v1/decisions", "/v1/events");

    /** SHA-256 of each accepted key: compared in constant time, whatever the keys' lengths. */
    private final List<byte[]> accepted;

    public ApiKeyFilter(SelectorConfig config) {
        this.accepted = config.selector().apiKeys().orElse(Set.of()).stream().map(ApiKeyFilter::sha256).toList();
    }

    @ServerRequestFilter(preMatching = true)
    public Response requireKey(ContainerRequestContext request) {
        if (accepted.isEmpty()) {
            return null;
        }
        String path = request.getUriInfo().getRequestUri().getPath();
        if (GUARDED.stream().noneMatch(p -> path.equals(p) || path.startsWith(p + "/"))) {
            return null;
        }
        String presented = request.getHeaderString(HEADER);
        if (presented != null) {
            byte[] digest = sha256(presented);
            boolean known = false;
            for (byte[] key : accepted) {
                known |= MessageDigest.isEqual(key, digest);
            }
            if (known) {
                return null;
            }
        }
        String detail = presented == null ? "The decision API needs an API key in the " + HEADER + " header."
                : "The API key in the " + HEADER + " header is not one of the selector's keys.";
        return Response.status(Response.Status.UNAUTHORIZED).type(Problem.MEDIA_TYPE)
                .header("WWW-Authenticate", "ApiKey header=\"" + HEADER + "\"")
                .entity(new Problem("about:blank", "Unauthorized", 401, detail, null, null))
                .build();
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
