package io.vitrine.trainer;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.ServingReason;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import io.vitrine.service.encoders.ServingFollower;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two trainers with the same transactional id: the one that starts later fences the older, which then writes no
 * promotion, answers operators with 503 and reports itself not ready; only the newer one's records are read.
 */
@QuarkusTest
@TestProfile(TrainerFencingTest.OwnTopics.class)
class TrainerFencingTest {

    static final String PREFIX = "fencing.";
    static final String ID = "fencing-trainer";

    /** Its own topics and transactional ids, so that the other tests' trainer never meets this one's records. */
    public static class OwnTopics implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String bootstrap = SharedLocalKafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                for (Topic topic : Topic.values()) {
                    try {
                        admin.createTopics(List.of(topic.newTopic(PREFIX, (short) 1))).all().get();
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw new IllegalStateException(e);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            }
            return Map.of("kafka.bootstrap.servers", bootstrap, "vitrine.topics.prefix", PREFIX,
                    "vitrine.trainer.transactional-id", ID, "vitrine.trainer.enabled", "false");
        }
    }

    @Test
    void aNewerTrainerFencesTheOlderOne() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("trainer-not-fenced"));
        given().contentType(ContentType.JSON).body("{\"actor\":\"alice\",\"note\":\"before\"}")
                .post("/v1/encoders/pin").then().statusCode(200);

        Map<String, Object> kafka = Map.of("bootstrap.servers", SharedLocalKafka.bootstrapServers());
        WireFormat wire = WireFormat.of(java.util.Optional.empty(), Map.of());
        String servingTopic = Topic.ENCODER_SERVING.name(PREFIX);
        // The newer trainer: the same ids. Starting its writers fences the running service's.
        try (FencedWriter<EncoderServing> newer = new FencedWriter<>(kafka, ID + "-serving",
                wire.<EncoderServing>serde(EncoderServing.class).serializer(), 0, Duration.ofSeconds(30));
             FencedWriter<?> newerVersions = new FencedWriter<>(kafka, ID + "-encoders",
                     wire.<io.vitrine.avro.EncoderVersion>serde(io.vitrine.avro.EncoderVersion.class).serializer(),
                     0, Duration.ofSeconds(30))) {

            given().contentType(ContentType.JSON).body("{\"actor\":\"mallory\",\"note\":\"fenced\"}")
                    .delete("/v1/encoders/pin").then().statusCode(503)
                    .body("detail", containsString("another trainer took over transactional id " + ID + "-serving"));
            given().contentType(ContentType.JSON).body("{\"actor\":\"mallory\",\"note\":\"fenced\"}")
                    .post("/v1/encoders/rollback").then().statusCode(503)
                    .body("detail", containsString("a newer trainer took over"));
            given().get("/q/health/ready").then().statusCode(503).body(containsString("trainer-not-fenced"))
                    .body(containsString("a newer trainer with the same transactional id took over"));

            newer.write(servingTopic, ServingFollower.KEY, EncoderServing.newBuilder().setVersion("v-newer")
                    .setPrevious(List.of()).setPinned(true).setRefused(List.of()).setReason(ServingReason.PINNED)
                    .setActor("newer-trainer").setChangedAt(Instant.now()).build());
            assertTrue(newerVersions.transactionalId().endsWith("-encoders"));
        }

        // Only committed records are read: the older trainer's pin, then the newer trainer's; nothing of mallory's.
        List<String> actors = new ArrayList<>();
        try (KafkaConsumer<String, EncoderServing> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                WireFormat.of(java.util.Optional.empty(), Map.of()).<EncoderServing>serde(EncoderServing.class)
                        .deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(servingTopic).stream()
                    .map(p -> new TopicPartition(servingTopic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, EncoderServing> r : consumer.poll(Duration.ofMillis(200))) {
                    actors.add(r.value().getActor());
                }
            }
        }
        assertEquals(Arrays.asList("alice", "newer-trainer"), actors);
    }
}
