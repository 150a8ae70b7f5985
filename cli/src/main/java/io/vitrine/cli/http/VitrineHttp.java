package io.vitrine.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** The small HTTP surface of the services that the simulator and the launcher use besides decisions. */
public final class VitrineHttp {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final ObjectMapper json;

    public VitrineHttp(HttpClient http, ObjectMapper json) {
        this.http = http;
        this.json = json;
    }

    /** An HTTP/1.1 client with short connect timeouts, as every call here is local or nearby. */
    public static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The selector's feature layout. */
    public EncoderInfo encoder(URI selector) throws IOException, InterruptedException {
        HttpResponse<String> response = get(selector.resolve("/v1/encoder"));
        if (response.statusCode() != 200) {
            throw new IOException("GET /v1/encoder answered " + response.statusCode() + ": " + shorten(response.body()));
        }
        JsonNode node = json.readTree(response.body());
        int context = node.path("contextFeatures").asInt(0);
        int candidate = node.path("candidateFeatures").asInt(0);
        if (context < 1 || candidate < 1) {
            throw new IOException("GET /v1/encoder: missing contextFeatures or candidateFeatures in " + shorten(response.body()));
        }
        return new EncoderInfo(node.path("version").asText(""), context, candidate, node.path("dimension").asInt(0));
    }

    /** The learner's posterior of a scope, or empty when the scope has no reward yet (404). */
    public Optional<PosteriorSummary> posterior(URI learner, String scope) throws IOException, InterruptedException {
        String encoded = URLEncoder.encode(scope, StandardCharsets.UTF_8).replace("+", "%20");
        HttpResponse<String> response = get(learner.resolve("/v1/posteriors/" + encoded));
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET /v1/posteriors/" + encoded + " answered " + response.statusCode() + ": "
                    + shorten(response.body()));
        }
        JsonNode node = json.readTree(response.body());
        return Optional.of(new PosteriorSummary(node.path("scope").asText(scope), node.path("version").asLong(),
                node.path("n").asDouble(), node.path("dimension").asInt()));
    }

    /** The trainer's view of the encoder versions and which one serves ({@code GET /v1/encoders}). */
    public JsonNode encoders(URI trainer) throws IOException, InterruptedException {
        HttpResponse<String> response = get(trainer.resolve("/v1/encoders"));
        if (response.statusCode() != 200) {
            throw new IOException("GET /v1/encoders answered " + response.statusCode() + ": "
                    + shorten(response.body()));
        }
        return json.readTree(response.body());
    }

    /** True when {@code /q/health/ready} answers 200; false on any other answer or no answer. */
    public boolean ready(URI service) {
        return readiness(service).isEmpty();
    }

    /**
     * Empty when {@code /q/health/ready} answers 200, else what it answered (or why it did not), to
     * explain a service that never becomes ready.
     */
    public Optional<String> readiness(URI service) {
        try {
            HttpResponse<String> response = get(service.resolve("/q/health/ready"));
            return response.statusCode() == 200 ? Optional.empty()
                    : Optional.of(response.statusCode() + " " + shorten(response.body()));
        } catch (IOException e) {
            return Optional.of(e.getMessage() != null ? e.getMessage() : e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static String shorten(String body) {
        String oneLine = body == null ? "" : body.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }
}
