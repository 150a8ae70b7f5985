package io.vitrine.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vitrine.selector.JsonMutations.ByteMutation;
import io.vitrine.selector.JsonMutations.Mutation;
import io.vitrine.service.LocalKafkaResource;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.engine.SourceOfRandomness;
import org.junit.jupiter.api.Test;

/**
 * A structure-aware fuzz of {@code POST /v1/events} over the real HTTP server, the event API's counterpart of
 * {@link DecisionFuzzTest}: jqwik builds valid batches ({@link JsonMutations#eventBatches()}), then mutates their
 * structure, their bytes and their content type. No answer may be a 5xx; a batch sent intact must be accepted
 * (202, every event counted); every refusal must be a problem document whose errors each name a field, a reason and
 * a detail. The same bodies are read in process by the ten thousand in {@code RequestReadingFuzzTest}, where jqwik
 * shrinks a failure to its smallest body; here they go through Vert.x, RESTEasy and Kafka.
 *
 * <p>{@value #DEFAULT_REQUESTS} requests by default; {@code -Dfuzz.requests=N} for more, {@code -Dfuzz.seed=N} to
 * replay another sequence.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class EventFuzzTest {

    static final int DEFAULT_REQUESTS = 500;

    @TestHTTPResource("/v1/events")
    URL endpoint;

    record Attempt(String contentType, byte[] body, boolean intact, int events) {
    }

    @Test
    void generatedBatchesGetNo5xxIntactOnesAreAcceptedAndEveryRefusalNamesItsField() throws Exception {
        int requests = Integer.getInteger("fuzz.requests", DEFAULT_REQUESTS);
        long seed = Long.getLong("fuzz.seed", 20261207L);
        // jqwik's generators outside a property (a Quarkus test is not one): seeded here so that a run can be replayed.
        SourceOfRandomness.create(Long.toString(seed));
        Iterator<Attempt> generator = attempts().sampleStream().iterator();
        URI uri = endpoint.toURI();
        FuzzAnswers answers = new FuzzAnswers();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        long start = System.nanoTime();
        try {
            List<Future<?>> sending = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                Attempt attempt = generator.next();
                HttpRequest request = FuzzAnswers.post(uri, attempt.body(), attempt.contentType()).build();
                sending.add(pool.submit(() -> answers.send(request, describe(attempt),
                        (answer, body) -> verdict(attempt, answer, body))));
            }
            for (Future<?> done : sending) {
                done.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Map<Integer, Integer> statuses = answers.statuses();
        System.out.printf("event fuzz: %,d requests, %.0f s, statuses %s%n", requests,
                (System.nanoTime() - start) / 1e9, statuses);
        answers.assertAllRight(seed);
        assertEquals(requests, answers.count());
        assertTrue(statuses.containsKey(202) && statuses.containsKey(400), "both accepted and refused: " + statuses);
    }

    /** What is wrong with an answer, or null. */
    private static String verdict(Attempt attempt, HttpResponse<String> answer, JsonNode body) {
        int status = answer.statusCode();
        if (attempt.intact() && "application/json".equals(attempt.contentType())) {
            return status == 202 && body.path("accepted").asInt() == attempt.events() ? null
                    : "an intact batch of " + attempt.events() + " events not accepted";
        }
        if (status == 202) {
            return body.path("accepted").asInt() >= 1 ? null : "an acceptance without events";
        }
        return FuzzAnswers.refusalFault(answer, body);
    }

    private static String describe(Attempt attempt) {
        return "[" + attempt.contentType() + "] " + FuzzAnswers.shortened(attempt.body());
    }

    static Arbitrary<Attempt> attempts() {
        Arbitrary<String> contentType = Arbitraries.frequencyOf(
                Tuple.of(95, Arbitraries.just("application/json")),
                Tuple.of(3, Arbitraries.of("text/plain", "application/x-www-form-urlencoded")),
                Tuple.of(2, Arbitraries.just((String) null))).withoutEdgeCases();
        Arbitrary<List<Tuple.Tuple3<Mutation, Integer, Object>>> mutations = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(List.<Tuple.Tuple3<Mutation, Integer, Object>>of())),
                Tuple.of(2, Combinators.combine(Arbitraries.of(Mutation.class),
                        Arbitraries.integers().between(0, 10_000), JsonMutations.oddValues())
                        .as(Tuple::of).list().ofMinSize(1).ofMaxSize(3))).withoutEdgeCases();
        Arbitrary<ByteMutation> bytes = Arbitraries.frequencyOf(
                Tuple.of(900, Arbitraries.just(ByteMutation.NONE)),
                Tuple.of(30, Arbitraries.just(ByteMutation.TRUNCATE)),
                Tuple.of(30, Arbitraries.just(ByteMutation.TRAILING)),
                Tuple.of(20, Arbitraries.just(ByteMutation.INVALID_UTF8)),
                Tuple.of(10, Arbitraries.just(ByteMutation.BOM)),
                Tuple.of(1, Arbitraries.just(ByteMutation.OVERSIZED))).withoutEdgeCases();
        return Combinators.combine(contentType, JsonMutations.eventBatches(), mutations, bytes,
                        Arbitraries.integers().between(0, 10_000), Arbitraries.strings().ofMinLength(1).ofMaxLength(8))
                .as((type, batch, changes, byteChange, position, garbage) -> {
                    Object tree = batch;
                    for (Tuple.Tuple3<Mutation, Integer, Object> change : changes) {
                        tree = JsonMutations.mutate(tree, change.get1(), change.get2(), change.get3());
                    }
                    int events = ((List<?>) batch.members().get(0).getValue()).size();
                    return new Attempt(type, JsonMutations.mutateBytes(JsonMutations.write(tree), byteChange, position,
                            garbage), changes.isEmpty() && byteChange == ByteMutation.NONE, events);
                });
    }
}
