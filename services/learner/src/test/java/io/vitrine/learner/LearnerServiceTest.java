package io.vitrine.learner;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The learner on a real broker, exactly once: events in, a committed reward and a queryable posterior out. */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class LearnerServiceTest {

    @Test
    void clickedImpressionBecomesARewardAndMovesThePosterior() throws Exception {
        String requestId = "learn-" + System.nanoTime();
        String scope = "hotel-7/hero@enc";
        Instant now = Instant.now();
        send(Topic.DECISIONS, requestId, Decision.newBuilder()
                .setRequestId(requestId).setSlot("hotel-7/hero").setScope(scope).setTimestamp(now)
                .setContext(List.of(1f)).setCandidates(List.of(new Candidate("a", List.of(1f))))
                .setK(1).setChosen(List.of(new ChosenCandidate("a", 0, 0.1, 0.1, 1.0, List.of(1f, 0.5f), null)))
                .setSeed(3L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(1).build(), now);
        send(Topic.IMPRESSIONS, requestId, new Impression(requestId, "a", now.plusMillis(10)), now.plusMillis(10));
        send(Topic.CLICKS, requestId, new Click(requestId, "a", now.plusMillis(500), null), now.plusMillis(500));

        Reward reward = readFirst(Topic.REWARDS, Reward.class, r -> r.getRequestId().equals(requestId));
        assertEquals(RewardKind.CLICK, reward.getKind());
        assertEquals(scope, reward.getScope());

        String path = "/v1/posteriors/" + scope; // slots may hold '/', the path takes the rest
        awaitStatus(path, 200);
        given().get(path).then().log().ifValidationFails().statusCode(200)
                .body("version", equalTo(1))
                .body("dimension", equalTo(2))
                .body("scope", equalTo(scope));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains("vitrine_rewards_total{kind=\"click\"}"),
                "rewards counted by kind");
        given().get("/q/health/ready").then().log().ifValidationFails().statusCode(200)
                .body("checks.find { it.name == 'learner-state' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'kafka-topics' }.status", equalTo("UP"));
    }

    @Test
    void undecodableRecordGoesToTheDeadLetterTopicWithItsSource() throws Exception {
        String key = "garbage-" + System.nanoTime();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topic.IMPRESSIONS.name(Topic.DEFAULT_PREFIX), key,
                    new byte[] {1, 2, 3, 4, 5})).get();
        }
        DeadLetter letter = readFirst(Topic.DEAD_LETTERS, DeadLetter.class,
                d -> d.getKey() != null && new String(d.getKey().array()).equals(key));
        assertEquals("learner", letter.getService());
        assertEquals("undecodable", letter.getReason());
        assertEquals(Topic.IMPRESSIONS.name(Topic.DEFAULT_PREFIX), letter.getSourceTopic());
        assertEquals(5, letter.getValue().remaining());
        org.junit.jupiter.api.Assertions.assertNotNull(letter.getOffset());
        org.junit.jupiter.api.Assertions.assertTrue(given().get("/q/metrics").then().extract().asString()
                .contains("vitrine_dead_letters_total{reason=\"undecodable\",service=\"learner\"}"));
    }

    @Test
    void unknownScopeIsA404Problem() throws InterruptedException {
        awaitStatus("/v1/posteriors/nothing-here", 404);
        given().get("/v1/posteriors/nothing-here").then().log().ifValidationFails().statusCode(404)
                .contentType("application/problem+json")
                .body("title", equalTo("Unknown scope"));
    }

    /** The store answers 503 until the stream threads run; wait for the awaited answer. */
    static void awaitStatus(String path, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (given().get(path).statusCode() != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> void send(Topic topic, String key, T value, Instant at)
            throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers());
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(config, new StringSerializer(),
                AvroSerdes.registryless((Class<T>) value.getClass()).serializer())) {
            producer.send(new ProducerRecord<>(topic.name(Topic.DEFAULT_PREFIX), null, at.toEpochMilli(), key, value))
                    .get();
        }
    }

    static <T extends SpecificRecord> T readFirst(Topic topic, Class<T> type,
                                                          java.util.function.Predicate<T> match) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                AvroSerdes.registryless(type).deserializer())) {
            consumer.subscribe(List.of(topic.name(Topic.DEFAULT_PREFIX)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> record : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(record.value())) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("no matching record on " + topic);
    }

    /** Every record of the topic up to its end offsets at the time of the call. */
    static <T extends SpecificRecord> List<T> readAll(Topic topic, Class<T> type) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> records = new java.util.ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                AvroSerdes.registryless(type).deserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer
                    .partitionsFor(topic.name(Topic.DEFAULT_PREFIX)).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end within 30 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> records.add(r.value()));
            }
        }
        return records;
    }
}
