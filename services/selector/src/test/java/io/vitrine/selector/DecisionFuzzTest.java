package io.vitrine.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.engine.SourceOfRandomness;
import org.junit.jupiter.api.Test;

/**
 * A structure-aware fuzz of {@code POST /v1/decisions}: jqwik generates valid requests (the contract's shape and
 * the encoder's layout), then mutates their structure (types swapped, members removed, unknown or duplicated,
 * extreme numbers, lone surrogates, long text, nesting), their bytes (truncation, trailing data, invalid UTF-8) and
 * their headers (content type, accept, content encoding), with request ids drawn from a small pool so that retries
 * and conflicts happen. No answer may be a 5xx; every 4xx must be a problem document whose errors each name a field
 * and a reason; every 200 must be a decision.
 *
 * <p>{@value #DEFAULT_REQUESTS} requests by default; {@code -Dfuzz.requests=100000} for the long run
 * (docs/api.md), {@code -Dfuzz.seed=N} to replay another sequence.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class DecisionFuzzTest {

    static final int DEFAULT_REQUESTS = 2_000;
    static final int FEATURES = 8;

    @TestHTTPResource("/v1/decisions")
    URL endpoint;

    private final ObjectMapper json = new ObjectMapper();

    /** A JSON value as written: members keep their order and may repeat; {@link Raw} is written as it is. */
    record Obj(List<Map.Entry<String, Object>> members) {
    }

    record Raw(String text) {
    }

    record Attempt(String contentType, String accept, String encoding, byte[] body) {
    }

    enum Mutation { REPLACE, REMOVE, ADD_UNKNOWN, DUPLICATE, WRAP_IN_ARRAY, EMPTY_ARRAY }

    enum ByteMutation { NONE, TRUNCATE, TRAILING, INVALID_UTF8, BOM, OVERSIZED }

    @Test
    void generatedRequestsGetNo5xxAndEveryRefusalNamesItsFieldAndReason() throws Exception {
        int requests = Integer.getInteger("fuzz.requests", DEFAULT_REQUESTS);
        long seed = Long.getLong("fuzz.seed", 20261206L);
        // jqwik's generators run outside a jqwik property through sampleStream, drawing from its thread's source of
        // randomness, seeded here so that a run can be replayed.
        SourceOfRandomness.create(Long.toString(seed));
        java.util.Iterator<Attempt> generator = attempts().sampleStream().iterator();
        List<Attempt> batch = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        long start = System.nanoTime();
        try {
            for (int sent = 0; sent < requests; ) {
                batch.clear();
                for (int i = 0; i < 500 && sent < requests; i++, sent++) {
                    batch.add(generator.next());
                }
                List<Future<?>> answers = new ArrayList<>();
                for (Attempt attempt : batch) {
                    answers.add(pool.submit(() -> check(http, attempt, statuses, failures)));
                }
                for (Future<?> answer : answers) {
                    answer.get();
                }
                if (sent % 10_000 == 0 || sent == requests) {
                    System.out.printf("fuzz: %,d of %,d requests, %.0f s, statuses %s%n", sent, requests,
                            (System.nanoTime() - start) / 1e9, new TreeMap<>(statuses));
                }
                assertTrue(failures.isEmpty(), failures.size() + " bad answers (seed " + seed + "), first: "
                        + failures.subList(0, Math.min(5, failures.size())));
            }
        } finally {
            pool.shutdownNow();
        }
        int total = statuses.values().stream().mapToInt(AtomicInteger::get).sum();
        assertEquals(requests, total);
        assertTrue(statuses.keySet().stream().allMatch(s -> s < 500), "no 5xx: " + statuses);
        assertTrue(statuses.containsKey(200) && statuses.containsKey(400), "both decisions and refusals: " + statuses);
    }

    private void check(HttpClient http, Attempt attempt, Map<Integer, AtomicInteger> statuses, List<String> failures) {
        HttpRequest.Builder request;
        HttpResponse<String> answer;
        try {
            request = HttpRequest.newBuilder(endpoint.toURI()).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(attempt.body()));
            if (attempt.contentType() != null) {
                request.header("Content-Type", attempt.contentType());
            }
            if (attempt.accept() != null) {
                request.header("Accept", attempt.accept());
            }
            if (attempt.encoding() != null) {
                request.header("Content-Encoding", attempt.encoding());
            }
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            failures.add("no answer to " + describe(attempt) + ": " + e);
            return;
        }
        statuses.computeIfAbsent(answer.statusCode(), s -> new AtomicInteger()).incrementAndGet();
        String problem = verdict(answer);
        if (problem != null) {
            failures.add(answer.statusCode() + " " + problem + " for " + describe(attempt) + ": " + answer.body());
        }
    }

    /** What is wrong with an answer, or null. */
    private String verdict(HttpResponse<String> answer) {
        int status = answer.statusCode();
        if (status >= 500) {
            return "a server error";
        }
        JsonNode body;
        try {
            body = json.readTree(answer.body());
        } catch (Exception e) {
            return "a body that is not JSON";
        }
        String type = answer.headers().firstValue("Content-Type").orElse("");
        if (status == 200) {
            return body.path("chosen").size() >= 1 && body.path("seed").isTextual() ? null : "not a decision";
        }
        if (!type.startsWith("application/problem+json")) {
            return "a refusal that is not a problem document (" + type + ")";
        }
        if (body.path("status").asInt() != status || body.path("title").asText().isBlank()
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

    private static String describe(Attempt attempt) {
        String body = new String(attempt.body(), StandardCharsets.UTF_8);
        return "[" + attempt.contentType() + ", accept " + attempt.accept() + ", encoding " + attempt.encoding() + "] "
                + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }

    // ---- generators ----

    static Arbitrary<Attempt> attempts() {
        Arbitrary<String> contentType = Arbitraries.frequencyOf(
                Tuple.of(92, Arbitraries.just("application/json")),
                Tuple.of(3, Arbitraries.just("application/json; charset=utf-8")),
                Tuple.of(2, Arbitraries.of("text/plain", "application/x-www-form-urlencoded", "application/xml")),
                Tuple.of(1, Arbitraries.just((String) null))).withoutEdgeCases();
        Arbitrary<String> accept = Arbitraries.frequencyOf(
                Tuple.of(85, Arbitraries.just((String) null)),
                Tuple.of(10, Arbitraries.of("application/json", "application/problem+json",
                        "application/json, application/problem+json", "*/*")),
                Tuple.of(2, Arbitraries.of("text/html", "application/xml"))).withoutEdgeCases();
        Arbitrary<String> encoding = Arbitraries.frequencyOf(
                Tuple.of(98, Arbitraries.just((String) null)),
                Tuple.of(2, Arbitraries.of("gzip", "br", "identity"))).withoutEdgeCases();
        Arbitrary<ByteMutation> bytes = Arbitraries.frequencyOf(
                Tuple.of(800, Arbitraries.just(ByteMutation.NONE)),
                Tuple.of(60, Arbitraries.just(ByteMutation.TRUNCATE)),
                Tuple.of(60, Arbitraries.just(ByteMutation.TRAILING)),
                Tuple.of(40, Arbitraries.just(ByteMutation.INVALID_UTF8)),
                Tuple.of(20, Arbitraries.just(ByteMutation.BOM)),
                Tuple.of(1, Arbitraries.just(ByteMutation.OVERSIZED))).withoutEdgeCases();
        Arbitrary<List<Tuple.Tuple3<Mutation, Integer, Object>>> mutations = Combinators.combine(
                        Arbitraries.of(Mutation.class), Arbitraries.integers().between(0, 10_000), oddValues())
                .as(Tuple::of).list().ofMinSize(0).ofMaxSize(3);
        Arbitrary<byte[]> body = Combinators.combine(validRequests(), mutations, bytes,
                Arbitraries.integers().between(0, 10_000), Arbitraries.strings().ofMinLength(1).ofMaxLength(8))
                .as((request, changes, byteChange, position, garbage) -> {
                    Object tree = request;
                    for (Tuple.Tuple3<Mutation, Integer, Object> change : changes) {
                        tree = mutate(tree, change.get1(), change.get2(), change.get3());
                    }
                    return mutateBytes(write(tree), byteChange, position, garbage);
                });
        return Combinators.combine(contentType, accept, encoding, body).as(Attempt::new);
    }

    /** Requests in the contract's shape: 1 to 6 candidates, the encoder's feature counts, ids from a small pool. */
    static Arbitrary<Obj> validRequests() {
        Arbitrary<Object> feature = Arbitraries.floats().between(-10f, 10f).map(f -> (Object) f);
        Arbitrary<List<Object>> features = feature.list().ofSize(FEATURES);
        Arbitrary<String> requestId = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 40).map(i -> "fuzz-" + i)),
                Tuple.of(7, Arbitraries.just((String) null)));
        Arbitrary<List<Object>> candidates = features.list().ofMinSize(1).ofMaxSize(6).map(list -> {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(new Obj(new ArrayList<>(List.of(Map.entry("id", "c" + i), Map.entry("features",
                        list.get(i))))));
            }
            return out;
        });
        return Combinators.combine(requestId, Arbitraries.of("fuzz/hero", "fuzz/side", "hotel-9/hero"), features,
                candidates, Arbitraries.integers().between(0, 3), Arbitraries.of(true, false, null))
                .as((id, slot, context, list, k, explain) -> {
                    List<Map.Entry<String, Object>> members = new ArrayList<>();
                    if (id != null) {
                        members.add(Map.entry("requestId", id));
                    }
                    members.add(Map.entry("slot", slot));
                    members.add(Map.entry("context", context));
                    members.add(Map.entry("candidates", list));
                    if (k > 0 && k <= list.size()) {
                        members.add(Map.entry("k", k));
                    }
                    if (explain != null) {
                        members.add(Map.entry("explain", explain));
                    }
                    return new Obj(members);
                });
    }

    /** Values that do not belong where they land: wrong types, extreme numbers, invalid or long text. */
    static Arbitrary<Object> oddValues() {
        return Arbitraries.oneOf(
                Arbitraries.just((Object) null),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.of("", " ", "1", "NaN", "Infinity", "\ud800", "a\udc00b", "\u0000", "\ufeff", "é")
                        .map(s -> (Object) s),
                Arbitraries.strings().ofMinLength(0).ofMaxLength(300).map(s -> (Object) s),
                Arbitraries.integers().between(-3, 1000).map(i -> (Object) i),
                Arbitraries.of("3.4e38", "-3.4e38", "1e39", "1e-50", "-0.0", "1.5", "1.0", "4294967297",
                        "99999999999999999999999", "1e999999", "NaN", "-Infinity", "0x10", "01", "1.", ".5", "+1",
                        "1" + "0".repeat(1200)).map(s -> (Object) new Raw(s)),
                Arbitraries.just((Object) new Obj(new ArrayList<>())),
                Arbitraries.just((Object) List.of()),
                Arbitraries.floats().list().ofMinSize(0).ofMaxSize(12).map(l -> (Object) new ArrayList<Object>(l)),
                Arbitraries.integers().between(490, 520).map(n -> (Object) java.util.stream.IntStream.range(0, n)
                        .mapToObj(i -> (Object) new Obj(List.of(Map.entry("id", "x" + i),
                                Map.entry("features", List.of(0f))))).toList()));
    }

    /** Applies one structural mutation to the {@code target}-th container (object or array) of the tree. */
    static Object mutate(Object tree, Mutation mutation, int target, Object value) {
        List<Object> containers = new ArrayList<>();
        collect(tree, containers);
        Object chosen = containers.get(target % containers.size());
        Random pick = new Random(target);
        if (chosen instanceof Obj obj) {
            List<Map.Entry<String, Object>> members = new ArrayList<>(obj.members());
            int at = members.isEmpty() ? 0 : pick.nextInt(members.size());
            switch (mutation) {
                case REPLACE -> {
                    if (!members.isEmpty()) {
                        members.set(at, Map.entry(members.get(at).getKey(), value == null ? new Raw("null") : value));
                    }
                }
                case REMOVE -> {
                    if (!members.isEmpty()) {
                        members.remove(at);
                    }
                }
                case ADD_UNKNOWN -> members.add(Map.entry("unknown" + at, value == null ? new Raw("null") : value));
                case DUPLICATE -> {
                    if (!members.isEmpty()) {
                        members.add(Map.entry(members.get(at).getKey(), value == null ? new Raw("null") : value));
                    }
                }
                case WRAP_IN_ARRAY -> {
                    if (!members.isEmpty()) {
                        members.set(at, Map.entry(members.get(at).getKey(), List.of(members.get(at).getValue())));
                    }
                }
                case EMPTY_ARRAY -> {
                    if (!members.isEmpty()) {
                        members.set(at, Map.entry(members.get(at).getKey(), List.of()));
                    }
                }
            }
            return replace(tree, chosen, new Obj(members));
        }
        List<Object> elements = new ArrayList<>((List<?>) chosen);
        int at = elements.isEmpty() ? 0 : pick.nextInt(elements.size());
        switch (mutation) {
            case REPLACE, DUPLICATE, ADD_UNKNOWN -> {
                if (elements.isEmpty() || mutation != Mutation.REPLACE) {
                    elements.add(at, value == null ? new Raw("null") : value);
                } else {
                    elements.set(at, value == null ? new Raw("null") : value);
                }
            }
            case REMOVE -> {
                if (!elements.isEmpty()) {
                    elements.remove(at);
                }
            }
            case WRAP_IN_ARRAY -> {
                if (!elements.isEmpty()) {
                    elements.set(at, List.of(elements.get(at)));
                }
            }
            case EMPTY_ARRAY -> elements.clear();
        }
        return replace(tree, chosen, elements);
    }

    private static void collect(Object node, List<Object> containers) {
        if (node instanceof Obj obj) {
            containers.add(obj);
            obj.members().forEach(m -> collect(m.getValue(), containers));
        } else if (node instanceof List<?> list) {
            containers.add(list);
            list.forEach(e -> collect(e, containers));
        }
    }

    /** The tree with the first occurrence of the node {@code old} (by identity) replaced. */
    private static Object replace(Object node, Object old, Object replacement) {
        return replace(node, old, replacement, new boolean[1]);
    }

    private static Object replace(Object node, Object old, Object replacement, boolean[] done) {
        if (done[0]) {
            return node;
        }
        if (node == old) {
            done[0] = true;
            return replacement;
        }
        if (node instanceof Obj obj) {
            List<Map.Entry<String, Object>> members = new ArrayList<>();
            for (Map.Entry<String, Object> member : obj.members()) {
                members.add(Map.entry(member.getKey(), replace(member.getValue(), old, replacement, done)));
            }
            return new Obj(members);
        }
        if (node instanceof List<?> list) {
            List<Object> elements = new ArrayList<>();
            for (Object element : list) {
                elements.add(replace(element, old, replacement, done));
            }
            return elements;
        }
        return node;
    }

    static byte[] mutateBytes(byte[] body, ByteMutation mutation, int position, String garbage) {
        int at = body.length == 0 ? 0 : position % body.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (mutation) {
            case NONE -> out.writeBytes(body);
            case TRUNCATE -> out.write(body, 0, at);
            case TRAILING -> {
                out.writeBytes(body);
                out.writeBytes(garbage.getBytes(StandardCharsets.UTF_8));
            }
            case INVALID_UTF8 -> {
                out.write(body, 0, at);
                out.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
                out.write(body, at, body.length - at);
            }
            case BOM -> {
                out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
                out.writeBytes(body);
            }
            case OVERSIZED -> {
                out.writeBytes(body);
                out.writeBytes(" ".repeat(1024 * 1024).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** Writes the tree as JSON text; strings are escaped as JSON requires, lone surrogates as \\u escapes. */
    static byte[] write(Object node) {
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(Object node, StringBuilder out) {
        if (node == null) {
            out.append("null");
        } else if (node instanceof Raw raw) {
            out.append(raw.text());
        } else if (node instanceof String text) {
            out.append('"');
            for (char c : text.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20 || Character.isSurrogate(c)) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        } else if (node instanceof Float f) {
            out.append(new BigDecimal(Float.toString(f)).toPlainString());
        } else if (node instanceof Number || node instanceof Boolean) {
            out.append(node);
        } else if (node instanceof Obj obj) {
            out.append('{');
            for (int i = 0; i < obj.members().size(); i++) {
                Map.Entry<String, Object> member = obj.members().get(i);
                out.append(i == 0 ? "" : ",");
                write(member.getKey(), out);
                out.append(':');
                write(member.getValue(), out);
            }
            out.append('}');
        } else if (node instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + node);
        }
    }
}
