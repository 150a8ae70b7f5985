package io.vitrine.selector.rest;

import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.selector.JsonMutations;
import io.vitrine.selector.JsonMutations.ByteMutation;
import io.vitrine.selector.JsonMutations.Mutation;
import io.vitrine.selector.JsonMutations.Obj;
import io.vitrine.selector.decision.InvalidRequestException;
import io.vitrine.selector.decision.RequestValidator;
import io.vitrine.selector.events.EventLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Property-based, structure-aware fuzz of how the HTTP API reads its bodies, in process and so by the ten thousand:
 * {@code POST /v1/decisions} (read, then checked against the encoder's layout and the limits, as the engine does)
 * and {@code POST /v1/events}. jqwik builds valid bodies, then mutates their structure (a member replaced by a value
 * of another type or an extreme number, removed, unknown, duplicated, wrapped in an array, emptied) and their bytes
 * (truncated, trailing data, invalid UTF-8, a byte order mark). Every body must be accepted or refused with problems
 * that each name a field and say what is wrong; anything else (an exception of another kind) is what the HTTP layer
 * would answer with a 5xx, and fails the property with the smallest body jqwik can shrink it to. An unmutated body
 * must be accepted. {@code DecisionFuzzTest} and {@code EventFuzzTest} send such bodies over HTTP.
 *
 * <p>Tries per property: {@code vitrine.fuzz.tries} in the module's pom (jqwik's {@code jqwik.tries.default}), or
 * {@code -Dvitrine.fuzz.tries=N}.
 */
class RequestReadingFuzzTest {

    static final int FEATURES = 8;
    private static final int MAX_BATCH = 1_000;
    private static final RequestValidator VALIDATOR = new RequestValidator(
            new EncoderInfo("fuzz", FEATURES, FEATURES, 32), 500, 50, Optional.empty());

    /** A body as sent; {@code intact} when no mutation touched it. */
    record Body(String text, byte[] bytes, boolean intact, int events) {
        @Override
        public String toString() {
            return (intact ? "intact " : "mutated ") + (text.length() > 2_000 ? text.substring(0, 2_000) + "..." : text);
        }
    }

    @Property
    void decisionBodiesAreReadOrRefusedFieldByField(@ForAll("decisionBodies") Body body) {
        try {
            DecisionResource.DecisionRequest request = DecisionResource.read(JsonFields.parse(body.bytes()));
            VALIDATOR.validate(request.input(), false);
        } catch (InvalidRequestException e) {
            check(!body.intact(), "a valid request was refused: " + e.violations());
            checkNamed(e);
        }
    }

    @Property
    void eventBatchesAreReadOrRefusedFieldByField(@ForAll("eventBodies") Body body) {
        List<EventLog.Event> batch;
        try {
            batch = EventResource.read(JsonFields.parse(body.bytes()), MAX_BATCH,
                    Instant.now().plus(Duration.ofMinutes(1)));
        } catch (InvalidRequestException e) {
            check(!body.intact(), "a valid batch was refused: " + e.violations());
            checkNamed(e);
            return;
        }
        check(!batch.isEmpty() && batch.size() <= MAX_BATCH, "a batch of " + batch.size() + " events accepted");
        check(!body.intact() || batch.size() == body.events(), "an intact batch of " + body.events() + " events read as "
                + batch.size());
    }

    private static void checkNamed(InvalidRequestException e) {
        check(!e.violations().isEmpty(), "a refusal without problems");
        check(e.reason() != null && !e.reason().isBlank(), "a refusal without reason: " + e.violations());
        for (InvalidRequestException.Violation violation : e.violations()) {
            check(violation.field() != null && !violation.field().isBlank() && violation.message() != null
                    && !violation.message().isBlank() && violation.kind() != null && !violation.kind().isBlank(),
                    "a problem without field, message or kind: " + violation);
        }
    }

    private static void check(boolean holds, String message) {
        if (!holds) {
            throw new AssertionError(message);
        }
    }

    // ---- generators ----

    @Provide
    Arbitrary<Body> decisionBodies() {
        return bodies(JsonMutations.decisionRequests(FEATURES));
    }

    @Provide
    Arbitrary<Body> eventBodies() {
        return bodies(JsonMutations.eventBatches());
    }

    /** Half the bodies intact, half with one to three structural mutations, a tenth with their bytes damaged. */
    private static Arbitrary<Body> bodies(Arbitrary<Obj> valid) {
        Arbitrary<List<Tuple.Tuple3<Mutation, Integer, Object>>> mutations = Combinators.combine(
                        Arbitraries.of(Mutation.class), Arbitraries.integers().between(0, 10_000),
                        JsonMutations.oddValues())
                .as(Tuple::of).list().ofMinSize(1).ofMaxSize(3);
        Arbitrary<List<Tuple.Tuple3<Mutation, Integer, Object>>> maybeMutations = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(List.of())), Tuple.of(1, mutations));
        Arbitrary<ByteMutation> bytes = Arbitraries.frequencyOf(
                Tuple.of(90, Arbitraries.just(ByteMutation.NONE)),
                Tuple.of(3, Arbitraries.just(ByteMutation.TRUNCATE)),
                Tuple.of(3, Arbitraries.just(ByteMutation.TRAILING)),
                Tuple.of(2, Arbitraries.just(ByteMutation.INVALID_UTF8)),
                Tuple.of(2, Arbitraries.just(ByteMutation.BOM)));
        return Combinators.combine(valid, maybeMutations, bytes, Arbitraries.integers().between(0, 10_000),
                        Arbitraries.strings().ofMinLength(1).ofMaxLength(8))
                .as((request, changes, byteChange, position, garbage) -> {
                    Object tree = request;
                    for (Tuple.Tuple3<Mutation, Integer, Object> change : changes) {
                        tree = JsonMutations.mutate(tree, change.get1(), change.get2(), change.get3());
                    }
                    byte[] body = JsonMutations.mutateBytes(JsonMutations.write(tree), byteChange, position, garbage);
                    return new Body(new String(body, StandardCharsets.UTF_8), body,
                            changes.isEmpty() && byteChange == ByteMutation.NONE, events(request));
                });
    }

    private static int events(Obj request) {
        return request.members().stream().filter(m -> m.getKey().equals("events")).findFirst()
                .map(m -> ((List<?>) m.getValue()).size()).orElse(0);
    }
}
