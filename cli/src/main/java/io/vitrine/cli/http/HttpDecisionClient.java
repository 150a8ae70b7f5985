package io.vitrine.cli.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.cli.sim.DecisionAnswer;
import io.vitrine.cli.sim.DecisionClient;
import io.vitrine.cli.sim.DecisionException;
import io.vitrine.cli.sim.DecisionQuery;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Asks the selector for decisions over {@code POST /v1/decisions}. */
public final class HttpDecisionClient implements DecisionClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final ObjectMapper json;
    private final URI endpoint;

    public HttpDecisionClient(HttpClient http, ObjectMapper json, URI selector) {
        this.http = http;
        this.json = json;
        this.endpoint = selector.resolve("/v1/decisions");
    }

    @Override
    public DecisionAnswer decide(DecisionQuery query) throws DecisionException {
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(query)))
                    .build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DecisionException("POST /v1/decisions: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DecisionException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new DecisionException("POST /v1/decisions answered " + response.statusCode() + problem(response.body()));
        }
        try {
            return parse(json.readTree(response.body()));
        } catch (JsonProcessingException e) {
            throw new DecisionException("POST /v1/decisions: unreadable answer " + VitrineHttp.shorten(response.body()), e);
        }
    }

    private DecisionAnswer parse(JsonNode node) throws DecisionException {
        JsonNode chosenNodes = node.path("chosen");
        if (!chosenNodes.isArray()) {
            throw new DecisionException("POST /v1/decisions: no 'chosen' array in " + VitrineHttp.shorten(node.toString()));
        }
        List<DecisionAnswer.Chosen> chosen = new ArrayList<>();
        for (JsonNode c : chosenNodes) {
            chosen.add(new DecisionAnswer.Chosen(c.path("candidateId").asText(), c.path("rank").asInt(),
                    c.path("propensity").asDouble(Double.NaN)));
        }
        return new DecisionAnswer(node.path("requestId").asText(), node.path("scope").asText(null),
                node.path("posteriorVersion").asLong(), chosen);
    }

    /** ": title - detail" from an RFC 9457 problem body, or the start of whatever the body is. */
    private String problem(String body) {
        try {
            JsonNode node = json.readTree(body);
            String title = node.path("title").asText("");
            String detail = node.path("detail").asText("");
            if (!title.isEmpty() || !detail.isEmpty()) {
                return ": " + title + (detail.isEmpty() ? "" : " - " + detail);
            }
        } catch (IOException | RuntimeException e) {
            // Not JSON: fall through to the raw body.
        }
        return body == null || body.isBlank() ? "" : ": " + VitrineHttp.shorten(body);
    }
}
