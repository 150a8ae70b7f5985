package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The topic path and the posterior view, on a real broker. */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class TopicPathTest {

    private static final List<Float> CONTEXT = List.of(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f);

    @Test
    void requestOnTheTopicBecomesALoggedDecision() throws Exception {
        String requestId = "topic-" + System.nanoTime();
        send(Topic.DECISION_REQUESTS, requestId, request(requestId, CONTEXT));
        Decision decision = TopicReader.readUntil(Topic.DECISIONS, Decision.class,
                d -> d.getRequestId().equals(requestId));
        assertEquals(1, decision.getChosen().size());
        assertEquals("promo", decision.getSlot());
    }

    @Test
    void invalidRequestOnTheTopicBecomesADeadLetterAndTheStreamGoesOn() throws Exception {
        String bad = "bad-" + System.nanoTime();
        List<Float> nanContext = new ArrayList<>(CONTEXT);
        nanContext.set(3, Float.NaN);
        send(Topic.DECISION_REQUESTS, bad, request(bad, nanContext));
        DeadLetter letter = TopicReader.readUntil(Topic.DEAD_LETTERS, DeadLetter.class,
                d -> d.getKey() != null && new String(d.getKey().array()).equals(bad));
        assertEquals("invalid-features", letter.getReason());
        assertEquals(Topic.DECISION_REQUESTS.name(Topic.DEFAULT_PREFIX), letter.getSourceTopic());
        assertTrue(letter.getPartition() != null && letter.getOffset() != null, "where the request came from");
        assertTrue(letter.getDetail().contains("context[3]"), letter.getDetail());
        byte[] raw = new byte[letter.getValue().remaining()];
        letter.getValue().get(raw);
        assertEquals(bad, AvroSerdes.registryless(DecisionRequest.class).deserializer()
                .deserialize(letter.getSourceTopic(), raw).getRequestId(), "the request itself, ready to replay");

        String good = "good-" + System.nanoTime();
        send(Topic.DECISION_REQUESTS, good, request(good, CONTEXT));
        TopicReader.readUntil(Topic.DECISIONS, Decision.class, d -> d.getRequestId().equals(good));
    }

    @Test
    void oversizedCandidateListOnTheTopicBecomesADeadLetterCountedInTheMetrics() throws Exception {
        String big = "big-" + System.nanoTime();
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            candidates.add(new Candidate("c" + i, List.of(1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f)));
        }
        DecisionRequest oversized = request(big, CONTEXT);
        oversized.setCandidates(candidates);
        send(Topic.DECISION_REQUESTS, big, oversized);
        DeadLetter letter = TopicReader.readUntil(Topic.DEAD_LETTERS, DeadLetter.class,
                d -> d.getKey() != null && new String(d.getKey().array()).equals(big));
        assertEquals("too-many-candidates", letter.getReason());
        assertTrue(letter.getDetail().contains("limit of 500"), letter.getDetail());
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("vitrine_dead_letters_total{reason=\"too-many-candidates\",service=\"selector\"}"),
                "dead letters counted by reason");
        assertTrue(metrics.contains("vitrine_decisions_rejected_total{path=\"topic\",reason=\"too-many-candidates\"}"));
        assertTrue(metrics.contains("vitrine_decisions_total{path=\"topic\"}"));
        assertTrue(metrics.contains("vitrine_posterior_staleness_seconds"));
    }

    @Test
    void undecodableRequestGoesToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
        String key = "undecodable-" + System.nanoTime();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topic.DECISION_REQUESTS.name(Topic.DEFAULT_PREFIX), key,
                    "not avro".getBytes())).get();
        }
        DeadLetter letter = TopicReader.readUntil(Topic.DEAD_LETTERS, DeadLetter.class,
                d -> d.getKey() != null && new String(d.getKey().array()).equals(key));
        assertEquals("selector", letter.getService());
        assertEquals("undecodable", letter.getReason());
        assertEquals(Topic.DECISION_REQUESTS.name(Topic.DEFAULT_PREFIX), letter.getSourceTopic());
        assertTrue(given().get("/q/metrics").then().extract().asString()
                        .contains("vitrine_dead_letters_total{reason=\"undecodable\",service=\"selector\"}"),
                "undecodable records are counted too");

        String good = "after-undecodable-" + System.nanoTime();
        send(Topic.DECISION_REQUESTS, good, request(good, CONTEXT));
        TopicReader.readUntil(Topic.DECISIONS, Decision.class, d -> d.getRequestId().equals(good));
    }

    @Test
    void publishedPosteriorDrivesTheChoice() throws Exception {
        String version = given().get("/v1/encoder").then().extract().path("version");
        String scope = "favourite@" + version;
        int d = 32;
        List<Double> mu = new ArrayList<>();
        List<Double> cholesky = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            mu.add(i == 8 ? 5.0 : 0.0); // z[8] is the first candidate feature
            for (int j = 0; j < d; j++) {
                cholesky.add(i == j ? 1000.0 : 0.0); // Lambda = 1e6 I: almost no uncertainty
            }
        }
        send(Topic.POSTERIORS, scope, PosteriorSnapshot.newBuilder()
                .setScope(scope).setSlot("favourite").setEncoderVersion(version).setVersion(7L).setDimension(d)
                .setN(100).setPriorLambda(1).setPriorA(2).setPriorB(0.25).setA(52).setBn(1.0)
                .setMu(mu).setCholeskyLower(cholesky).setUpdatedAt(Instant.now()).build());

        String body = "{\"slot\": \"favourite\", \"context\": [0,0,0,0,0,0,0,0], \"candidates\": ["
                + "{\"id\": \"plain\", \"features\": [0,0,0,0,0,0,0,0]},"
                + "{\"id\": \"liked\", \"features\": [1,0,0,0,0,0,0,0]}]}";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> answer;
        do {
            answer = given().contentType(ContentType.JSON).body(body).post("/v1/decisions")
                    .then().statusCode(200).extract().as(Map.class);
        } while (((Number) answer.get("posteriorVersion")).longValue() != 7 && System.nanoTime() < deadline);
        assertEquals(7, ((Number) answer.get("posteriorVersion")).longValue());
        // Thompson sampling always picks "liked"; the default exploration share (0.05) shows a uniformly drawn
        // candidate instead, so "plain" appears in about 2.5% of decisions, logged with the mixture's propensity.
        int liked = 0;
        for (int i = 0; i < 40; i++) {
            Map<String, Object> chosen = given().contentType(ContentType.JSON).body(body).post("/v1/decisions")
                    .then().statusCode(200).extract().path("chosen[0]");
            double propensity = ((Number) chosen.get("propensity")).doubleValue();
            if (chosen.get("candidateId").equals("liked")) {
                liked++;
                assertEquals(0.975, propensity, 0.0051, "liked: 0.05 / 2 + 0.95 x Thompson's 1");
            } else {
                assertEquals(0.025, propensity, 1e-9, "plain: only exploration shows it, 0.05 x 1 / 2");
            }
        }
        assertTrue(liked >= 32, "the posterior drives the choice: liked " + liked + " of 40");
    }

    @Test
    void perCandidateSlotScoresEachCandidateWithItsOwnPosterior() throws Exception {
        String version = given().get("/v1/encoder").then().extract().path("version");
        int d = 32;
        int intercept = 16; // the default encoder's constant-1 column comes right after the F = 16 inputs
        List<Double> mu = new ArrayList<>();
        List<Double> cholesky = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            mu.add(i == intercept ? 50.0 : 0.0);
            for (int j = 0; j < d; j++) {
                cholesky.add(i == j ? 1000.0 : 0.0);
            }
        }
        String likedScope = "per-candidate-slot#liked@" + version;
        send(Topic.POSTERIORS, likedScope, PosteriorSnapshot.newBuilder()
                .setScope(likedScope).setSlot("per-candidate-slot").setEncoderVersion(version).setVersion(3L)
                .setDimension(d).setN(3).setPriorLambda(1).setPriorA(2).setPriorB(0.25).setA(3.5).setBn(0.5)
                .setMu(mu).setCholeskyLower(cholesky).setUpdatedAt(Instant.now()).build());

        String body = "{\"requestId\": \"%s\", \"slot\": \"per-candidate-slot\", \"context\": [0,0,0,0,0,0,0,0],"
                + " \"candidates\": [{\"id\": \"plain\", \"features\": [0,0,0,0,0,0,0,0]},"
                + " {\"id\": \"liked\", \"features\": [0,0,0,0,0,0,0,0]}]}";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> answer;
        int n = 0;
        do {
            answer = given().contentType(ContentType.JSON).body(String.format(body, "pc-" + n++))
                    .post("/v1/decisions").then().statusCode(200).extract().as(Map.class);
        } while (((Number) answer.get("posteriorVersion")).longValue() != 3 && System.nanoTime() < deadline);
        assertEquals(3, ((Number) answer.get("posteriorVersion")).longValue(), "sum of the candidates' versions");
        // Thompson sampling picks "liked"; the exploration share (0.05) shows "plain" in about 2.5% of decisions,
        // so about one in 40 (more than 8 has a probability below 1e-6).
        int liked = 0;
        for (int i = 0; i < 40; i++) {
            String chosen = given().contentType(ContentType.JSON).body(String.format(body, "pc-last-" + i))
                    .post("/v1/decisions").then().statusCode(200).extract().path("chosen[0].candidateId");
            liked += chosen.equals("liked") ? 1 : 0;
        }
        assertTrue(liked >= 32, "each candidate's own posterior drives the choice: liked " + liked + " of 40");
        Decision logged = TopicReader.readUntil(Topic.DECISIONS, Decision.class,
                d2 -> d2.getRequestId().equals("pc-last-0"));
        assertEquals(likedScope, logged.getChosen().get(0).getScope());
        assertEquals("per-candidate-slot@" + version, logged.getScope());
    }

    private static DecisionRequest request(String requestId, List<Float> context) {
        return DecisionRequest.newBuilder()
                .setRequestId(requestId).setSlot("promo").setContext(context)
                .setCandidates(List.of(new Candidate("a", List.of(1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f)),
                        new Candidate("b", List.of(0f, 1f, 0f, 0f, 0f, 0f, 0f, 0f))))
                .setK(1).setTimestamp(Instant.now())
                .build();
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
