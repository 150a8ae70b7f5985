package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.avro.Incumbent;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A slot in apprentice mode serves the caller's own choice and logs Vitrine's would-be choice with its propensity,
 * on both paths; a request without the caller's choice is a 400 naming {@code incumbent}; a switch back to online
 * (a slot-control record, as the learner's admin API writes it) makes the next decisions Vitrine's own, without a
 * restart.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class ApprenticeModeTest {

    private static final String SLOT = "apprentice";
    private static final List<Float> ZEROS = Collections.nCopies(8, 0f);
    private static final String CANDIDATES = "\"candidates\": [{\"id\": \"plain\", \"features\": [0,0,0,0,0,0,0,0]},"
            + " {\"id\": \"liked\", \"features\": [1,0,0,0,0,0,0,0]}]";

    private static String body(String requestId, String incumbent) {
        return "{\"requestId\": \"" + requestId + "\", \"slot\": \"" + SLOT + "\", \"context\": [0,0,0,0,0,0,0,0], "
                + CANDIDATES + (incumbent == null ? "" : ", \"incumbent\": " + incumbent) + "}";
    }

    @Test
    @SuppressWarnings("unchecked")
    void apprenticeSlotServesTheIncumbentAndLogsWhatVitrineWouldChoose() throws Exception {
        String version = given().get("/v1/encoder").then().extract().path("version");
        send(Topic.POSTERIORS, SLOT + "@" + version, certain(SLOT + "@" + version, version));
        send(Topic.SLOT_CONTROL, SLOT, control(SlotMode.APPRENTICE, Instant.now()));

        // Vitrine is sure "liked" pays; the incumbent shows "plain" half the time. Served: the incumbent's.
        Map<String, Object> answer = await("a-", "{\"candidateId\": \"plain\", \"propensity\": 0.5}",
                a -> a.get("apprentice") != null && version(a) == 7);
        List<Map<String, Object>> chosen = (List<Map<String, Object>>) answer.get("chosen");
        assertEquals(1, chosen.size());
        assertEquals("plain", chosen.get(0).get("candidateId"));
        assertEquals(0.5, ((Number) chosen.get(0).get("propensity")).doubleValue(), 1e-12);
        Map<String, Object> apprentice = (Map<String, Object>) answer.get("apprentice");
        assertEquals(0.5, ((Number) apprentice.get("incumbentPropensity")).doubleValue(), 1e-12);
        Map<String, Object> would = ((List<Map<String, Object>>) apprentice.get("wouldChoose")).get(0);
        assertEquals("liked", would.get("candidateId"));
        // Thompson always picks "liked"; the configured exploration share 0.05 leaves it 1 - 0.05 / 2.
        assertEquals(1 - 0.05 / 2, ((Number) would.get("propensity")).doubleValue(), 1e-9);

        // The log holds the served choice (what the learner learns from) and the would-be choice beside it.
        String requestId = (String) answer.get("requestId");
        Decision logged = TopicReader.readUntil(Topic.DECISIONS, Decision.class,
                d -> d.getRequestId().equals(requestId));
        assertEquals("plain", logged.getChosen().get(0).getCandidateId());
        assertEquals(0.5, logged.getChosen().get(0).getPropensity(), 1e-12);
        assertEquals(32, logged.getChosen().get(0).getEmbedding().size(), "z of the served candidate");
        assertEquals("liked", logged.getApprentice().getWouldChoose().get(0).getCandidateId());
        assertEquals(0.5, logged.getApprentice().getIncumbentPropensity(), 1e-12);

        // A deterministic incumbent sends no propensity: the served choice is logged with propensity 1.
        Map<String, Object> deterministic = given().contentType(ContentType.JSON)
                .body(body("a-deterministic", "{\"candidateId\": \"plain\"}")).post("/v1/decisions")
                .then().statusCode(200).extract().as(Map.class);
        assertEquals(1.0, ((Number) ((List<Map<String, Object>>) deterministic.get("chosen")).get(0)
                .get("propensity")).doubleValue(), 1e-12);
        assertNull(((Map<String, Object>) deterministic.get("apprentice")).get("incumbentPropensity"));

        // Without the caller's own choice: a problem naming the missing field, and nothing logged.
        Map<String, Object> problem = given().contentType(ContentType.JSON).body(body("a-missing", null))
                .post("/v1/decisions").then().statusCode(400).contentType("application/problem+json")
                .extract().as(Map.class);
        Map<String, Object> error = ((List<Map<String, Object>>) problem.get("errors")).get(0);
        assertEquals("incumbent", error.get("field"));
        assertEquals("missing-incumbent", error.get("reason"));
        assertTrue(((String) error.get("detail")).contains("apprentice mode"), problem.toString());
        // The caller's choice must be one of the candidates.
        Map<String, Object> unknown = given().contentType(ContentType.JSON)
                .body(body("a-unknown", "{\"candidateId\": \"nowhere\", \"propensity\": 0.5}"))
                .post("/v1/decisions").then().statusCode(400).extract().as(Map.class);
        assertEquals("incumbent.candidateId",
                ((List<Map<String, Object>>) unknown.get("errors")).get(0).get("field"));

        // The topic path serves the caller's choice too.
        send(Topic.DECISION_REQUESTS, "a-topic", DecisionRequest.newBuilder().setRequestId("a-topic").setSlot(SLOT)
                .setContext(ZEROS).setCandidates(List.of(new Candidate("plain", ZEROS), new Candidate("liked",
                        oneHot())))
                .setTimestamp(Instant.now()).setIncumbent(new Incumbent("plain", 0.25)).build());
        Decision fromTopic = TopicReader.readUntil(Topic.DECISIONS, Decision.class,
                d -> d.getRequestId().equals("a-topic"));
        assertEquals("plain", fromTopic.getChosen().get(0).getCandidateId());
        assertEquals(0.25, fromTopic.getApprentice().getIncumbentPropensity(), 1e-12);
        assertEquals("liked", fromTopic.getApprentice().getWouldChoose().get(0).getCandidateId());

        // Back to online, without a restart: the next decisions are Vitrine's own, the incumbent ignored.
        send(Topic.SLOT_CONTROL, SLOT, control(SlotMode.ONLINE, Instant.now()));
        Map<String, Object> online = await("o-", "{\"candidateId\": \"plain\", \"propensity\": 0.5}",
                a -> a.get("apprentice") == null);
        assertEquals("liked", ((List<Map<String, Object>>) online.get("chosen")).get(0).get("candidateId"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void perCandidateSlotInApprenticeModeServesTheIncumbentUnderItsOwnScope() throws Exception {
        String slot = "per-candidate-slot"; // the test profile's per-candidate slot
        send(Topic.SLOT_CONTROL, slot, SlotControl.newBuilder().setSlot(slot).setLearning(true).setExploration(null)
                .setMode(SlotMode.APPRENTICE).setResetAt(null).setChangedAt(Instant.now()).setActor("test").build());
        String version = given().get("/v1/encoder").then().extract().path("version");
        String body = "{\"slot\": \"" + slot + "\", \"context\": [0,0,0,0,0,0,0,0], " + CANDIDATES
                + ", \"incumbent\": {\"candidateId\": \"plain\", \"propensity\": 0.7}}";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> answer;
        do {
            answer = given().contentType(ContentType.JSON).body(body).post("/v1/decisions")
                    .then().statusCode(200).extract().as(Map.class);
        } while (answer.get("apprentice") == null && System.nanoTime() < deadline);
        assertEquals("plain", ((List<Map<String, Object>>) answer.get("chosen")).get(0).get("candidateId"));
        double would = ((Number) ((List<Map<String, Object>>) ((Map<String, Object>) answer.get("apprentice"))
                .get("wouldChoose")).get(0).get("propensity")).doubleValue();
        assertTrue(would > 0 && would <= 1, answer.toString());
        String requestId = (String) answer.get("requestId");
        Decision logged = TopicReader.readUntil(Topic.DECISIONS, Decision.class,
                d -> d.getRequestId().equals(requestId));
        assertEquals(slot + "#plain@" + version, logged.getChosen().get(0).getScope(),
                "the served candidate is learned under its own posterior");
        assertEquals(0.7, logged.getChosen().get(0).getPropensity(), 1e-12);

        // Other tests decide in this slot: back to online, and wait until a request without an incumbent is served.
        send(Topic.SLOT_CONTROL, slot, SlotControl.newBuilder().setSlot(slot).setLearning(true).setExploration(null)
                .setMode(SlotMode.ONLINE).setResetAt(null).setChangedAt(Instant.now()).setActor("test").build());
        String online = "{\"slot\": \"" + slot + "\", \"context\": [0,0,0,0,0,0,0,0], " + CANDIDATES + "}";
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status;
        do {
            status = given().contentType(ContentType.JSON).body(online).post("/v1/decisions").statusCode();
        } while (status != 200 && System.nanoTime() < deadline);
        assertEquals(200, status, "the slot is online again");
    }

    private static List<Float> oneHot() {
        List<Float> features = new ArrayList<>(ZEROS);
        features.set(0, 1f);
        return features;
    }

    private static SlotControl control(SlotMode mode, Instant changedAt) {
        return SlotControl.newBuilder().setSlot(SLOT).setLearning(true).setExploration(null).setMode(mode)
                .setResetAt(null).setChangedAt(changedAt).setActor("test").build();
    }

    /** A posterior that is sure candidate feature 0 pays (z[8] is the first candidate feature). */
    private static PosteriorSnapshot certain(String scope, String version) {
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
                .setScope(scope).setSlot(SLOT).setEncoderVersion(version).setVersion(7).setDimension(d)
                .setN(100).setPriorLambda(1).setPriorA(2).setPriorB(0.25).setA(52).setBn(1.0)
                .setMu(mu).setCholeskyLower(cholesky).setUpdatedAt(Instant.now()).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> await(String idPrefix, String incumbent,
                                             java.util.function.Predicate<Map<String, Object>> until) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> answer;
        int attempt = 0;
        do {
            answer = given().contentType(ContentType.JSON).body(body(idPrefix + attempt++, incumbent))
                    .post("/v1/decisions").then().statusCode(200).extract().as(Map.class);
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
    private static <T extends SpecificRecord> void send(Topic topic, String key, T value) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers());
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(config, new StringSerializer(),
                AvroSerdes.registryless((Class<T>) value.getClass()).serializer())) {
            producer.send(new ProducerRecord<>(topic.name(Topic.DEFAULT_PREFIX), key, value)).get();
        }
    }
}
