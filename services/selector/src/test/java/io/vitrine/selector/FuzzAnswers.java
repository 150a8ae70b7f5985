package io.vitrine.selector;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The answers of an HTTP fuzz run ({@link DecisionFuzzTest}, {@link EventFuzzTest}): each request sent, its status
 * counted, and what is wrong with its answer kept: no answer, a server error, a body that is not JSON, or what the
 * test's own verdict finds. Safe to use from several threads.
 */
final class FuzzAnswers {

    /** What a test finds wrong with an answer whose body is JSON, or null. */
    interface Verdict {
        String of(HttpResponse<String> answer, JsonNode body);
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    /** A POST of {@code body}, with its content type when it has one. */
    static HttpRequest.Builder post(URI uri, byte[] body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return request;
    }

    /** Sends the request and judges its answer; {@code described} names the request in a failure. */
    void send(HttpRequest request, String described, Verdict verdict) {
        HttpResponse<String> answer;
        try {
            answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            failures.add("no answer to " + described + ": " + e);
            return;
        }
        statuses.computeIfAbsent(answer.statusCode(), s -> new AtomicInteger()).incrementAndGet();
        String problem = fault(answer, verdict);
        if (problem != null) {
            failures.add(answer.statusCode() + " " + problem + " for " + described + ": " + answer.body());
        }
    }

    private String fault(HttpResponse<String> answer, Verdict verdict) {
        if (answer.statusCode() >= 500) {
            return "a server error";
        }
        JsonNode body;
        try {
            body = json.readTree(answer.body());
        } catch (Exception e) {
            return "a body that is not JSON";
        }
        return verdict.of(answer, body);
    }

    /**
     * What is wrong with a refusal, or null: it must be a problem document with its status, a title and errors, each
     * error naming a field, a reason and a detail.
     */
    static String refusalFault(HttpResponse<String> answer, JsonNode body) {
        String type = answer.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/problem+json")) {
            return "a refusal that is not a problem document (" + type + ")";
        }
        if (body.path("status").asInt() != answer.statusCode() || body.path("title").asText().isBlank()
                || !body.path("errors").isArray() || body.path("errors").isEmpty()) {
            return "a problem document without status, title or errors";
        }
        for (JsonNode error : body.path("errors")) {
            if (error.path("field").asText().isBlank() || error.path("reason").asText().isBlank()
                    || error.path("detail").asText().isBlank()) {
                return "an error without field, reason or detail";
            }
        }
        return null;
    }

    /** A request body as text for a failure message, cut after 300 characters. */
    static String shortened(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /** Answers so far by status. */
    Map<Integer, Integer> statuses() {
        Map<Integer, Integer> counts = new TreeMap<>();
        statuses.forEach((status, n) -> counts.put(status, n.get()));
        return counts;
    }

    int count() {
        return statuses.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    void assertAllRight(long seed) {
        synchronized (failures) {
            assertTrue(failures.isEmpty(), failures.size() + " bad answers (seed " + seed + "), first: "
                    + failures.subList(0, Math.min(5, failures.size())));
        }
    }
}
