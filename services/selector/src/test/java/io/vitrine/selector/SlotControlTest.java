package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.SlotControl;
import io.vitrine.avro.SlotMode;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * What operators set on a slot (the slot-control topic, written by the learner's admin API; here by the test) reaches
 * the selector's decisions without a restart: the slot's exploration share sets the logged propensities, and a reset
 * sets aside every posterior last updated before it.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class SlotControlTest {

    private static final String SLOT = "controlled";
    private static final String BODY = "{\"slot\": \"" + SLOT + "\", \"context\": [0,0,0,0,0,0,0,0], \"explain\": true,"
            + " \"candidates\": [{\"id\": \"plain\", \"features\": [0,0,0,0,0,0,0,0]},"
            + " {\"id\": \"liked\", \"features\": [1,0,0,0,0,0,0,0]}]}";

    @Test
    void explorationShareAndResetOfTheSlotTakeEffectWithoutARestart() throws Exception {
        String version = given().get("/v1/encoder").then().extract().path("version");
        Instant learnedAt = Instant.now().minusSeconds(60);
        send(Topic.POSTERIORS, SLOT + "@" + version, certain(SLOT + "@" + version, version, 7, learnedAt));
        // Thompson always picks "liked": "plain" is shown only by exploration, with propensity share x 1/2.
        Map<String, Object> answer = awaitDecision(a -> version(a) == 7);
        assertEquals(0.05 / 2, plainPropensity(answer), 1e-9, "the configured share, 0.05");

        Instant changed = Instant.now();
        send(Topic.SLOT_CONTROL, SLOT, control(SLOT, 0.6, null, changed));
        answer = awaitDecision(a -> Math.abs(plainPropensity(a) - 0.3) < 1e-9);
        assertEquals(7, version(answer), "the same posterior, another exploration share");

        send(Topic.SLOT_CONTROL, SLOT, control(SLOT, 0.6, learnedAt.plusMillis(1), changed.plusMillis(1)));
        answer = awaitDecision(a -> version(a) == 0);
        // The prior is unsure which pays: the propensity is the share's floor plus its part of Thompson's choice.
        assertTrue(plainPropensity(answer) >= 0.3 - 1e-9, "the reset keeps the share: " + answer);

        // A posterior learned after the reset is used again, though its version is the learner's next one.
        send(Topic.POSTERIORS, SLOT + "@" + version, certain(SLOT + "@" + version, version, 8, Instant.now()));
        awaitDecision(a -> version(a) == 8);

        // An older record read late changes nothing: each record holds the slot's whole state, the newest wins.
        send(Topic.SLOT_CONTROL, SLOT, control(SLOT, null, null, changed.minusSeconds(1)));
        send(Topic.SLOT_CONTROL, "another-slot", control("another-slot", 0.0, null, Instant.now()));
        Thread.sleep(500); // not a timing assertion: gives the follower the chance to apply what must be ignored
        assertEquals(0.3, plainPropensity(awaitDecision(a -> version(a) == 8)), 1e-9);
    }

    private static SlotControl control(String slot, Double exploration, Instant resetAt, Instant changedAt) {
        return SlotControl.newBuilder().setSlot(slot).setLearning(true).setExploration(exploration)
                .setMode(SlotMode.ONLINE).setResetAt(resetAt).setChangedAt(changedAt).setActor("test").build();
    }

    /** A posterior that is sure candidate feature 0 pays (z[8] is the first candidate feature). */
    private static PosteriorSnapshot certain(String scope, String version, long posteriorVersion, Instant updatedAt) {
        int d = 32;
        List<Double> mu = new ArrayList<>();
        List<Double> cholesky = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            mu.add(i == 8 ? 5.0 : 0.0);
            for (int j = 0; j < d; j++) {
                cholesky.add(i == j ? 1000.0 : 0.0);
            }
        }
        return PosteriorSnapshot.newBuilder()
                .setScope(scope).setSlot(SLOT).setEncoderVersion(version).setVersion(posteriorVersion).setDimension(d)
                .setN(100).setPriorLambda(1).setPriorA(2).setPriorB(0.25).setA(52).setBn(1.0)
                .setMu(mu).setCholeskyLower(cholesky).setUpdatedAt(updatedAt).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitDecision(Predicate<Map<String, Object>> until) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> answer;
        do {
            answer = given().contentType(ContentType.JSON).body(BODY).post("/v1/decisions")
                    .then().statusCode(200).extract().as(Map.class);
        } while (!until.test(answer) && System.nanoTime() < deadline);
        if (!until.test(answer)) {
            throw new AssertionError("no such decision within 30 s; the last: " + answer);
        }
        return answer;
    }

    private static long version(Map<String, Object> answer) {
        return ((Number) answer.get("posteriorVersion")).longValue();
    }

    @SuppressWarnings("unchecked")
    private static double plainPropensity(Map<String, Object> answer) {
        return ((List<Map<String, Object>>) answer.get("explanation")).stream()
                .filter(c -> c.get("candidateId").equals("plain")).findFirst()
                .map(c -> ((Number) c.get("propensity")).doubleValue()).orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> void send(Topic topic, String key, T value) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers());
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(config, new StringSerializer(),
                AvroSerdes.registryless((Class<T>) value.getClass()).serializer())) {
            producer.send(new ProducerRecord<>(topic.name(Topic.DEFAULT_PREFIX), key, value)).get();
        }
    }
}
