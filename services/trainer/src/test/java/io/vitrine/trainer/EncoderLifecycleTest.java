package io.vitrine.trainer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import io.vitrine.service.encoders.RebuildProgress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * An encoder's life on a real broker: rewards in, a version trained when enough came, its gate verdict, its
 * promotion once the learner's rebuild of it is done (the rebuild's committed offsets are set here: the learner's side
 * is its own test), a version trained on shuffled rewards refused, and the operator's pin, rollback and forced
 * promotion, each on the encoder-serving topic within 5 s.
 *
 * <p>The world: eight context and eight candidate features; a click is likely when context feature 3 and candidate
 * feature 5 agree in sign (0.7, else 0.05), five candidates per decision, logged uniformly at random (propensity
 * 0.2). A linear model cannot tell agreement; a trained network can; one trained on shuffled rewards cannot.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class EncoderLifecycleTest {

    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);
    private static final String LEARNER = Topic.DEFAULT_PREFIX + "learner";

    @Test
    void versionsAreGatedPromotedWhenRebuiltPinnedAndRolledBack() throws Exception {
        String builtIn = given().get("/v1/encoders").then().statusCode(200).extract().path("serving");
        assertTrue(builtIn.startsWith("default-c8-a8-d17"), builtIn);
        // Pinned: the gate must promote nothing, however good.
        JsonPath pinned = act("/v1/encoders/pin", "{\"actor\": \"alice\", \"note\": \"hold\"}");
        assertTrue(pinned.getBoolean("pinned"));
        assertEquals(builtIn, awaitServing(s -> s.getPinned()).getVersion());

        Instant start = Instant.now();
        Random random = new Random(4);
        send(world(2000, random, false));
        EncoderVersion good = awaitVersion(start, null);
        assertTrue(good.getVersion().startsWith("t"), good.getVersion());
        assertEquals(8, good.getContextFeatures());
        assertEquals(8, good.getCandidateFeatures());
        byte[] model = bytes(good.getOnnx());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model)), good.getSha256());
        try (OnnxEncoder encoder = OnnxEncoder.load(model)) {
            assertEquals(good.getVersion(), encoder.info().version());
            assertEquals(good.getDimension(), encoder.info().dimension());
        }
        assertNotNull(good.getTrainedOn());
        assertTrue(good.getTrainedOn().getRows() <= 900, "the 1,500 kept less the gate's 600: " + good.getTrainedOn());
        assertTrue(good.getTrainedOn().getHeldOutLoss() < good.getTrainedOn().getBaselineLoss(),
                "the click depends on the features: the network beats the constant " + good.getTrainedOn());
        assertNotNull(good.getGate());
        assertEquals(builtIn, good.getGate().getAgainst());
        assertEquals(600, good.getGate().getRounds());
        assertTrue(good.getGate().getPromote(), good.getGate().getReason());
        assertTrue(good.getGate().getDifference().getDoublyRobustLow() > 0,
                "a network that learned the interaction beats a linear model: " + good.getGate().getReason());

        // While the learner rebuilds it, enough new rewards do not publish a newer version, which would supersede it
        // and throw its replay away: the due training waits for the rebuild, then trains on everything that came.
        int published = given().get("/v1/trainer").then().extract().path("versions.size()");
        Instant beforeMore = Instant.now();
        send(world(2000, random, false));
        awaitBuffered(beforeMore, 2000);
        Thread.sleep(2_500); // the trainer looks once a second
        assertEquals(published, (int) given().get("/v1/trainer").then().extract().path("versions.size()"),
                "no version while the candidate " + good.getVersion() + " is rebuilt");

        markRebuilt(good);
        EncoderVersion next = awaitVersion(good.getCreatedAt(), null);
        assertTrue(next.getTrainedOn().getToTimestamp().isAfter(good.getTrainedOn().getToTimestamp()),
                "trained, once the rebuild was done, on the rewards that came meanwhile");
        Thread.sleep(2_000);
        assertEquals(builtIn, currentServing().getVersion(), "pinned: the ready, passing version waits");
        given().delete("/v1/encoders/pin").then().statusCode(200);
        EncoderServing promoted = awaitServing(s -> s.getVersion().equals(good.getVersion()));
        assertEquals("GATE", promoted.getReason().name());
        assertEquals(List.of(builtIn), promoted.getPrevious());

        // A network trained on shuffled rewards, from fresh weights, compared on real recent rewards: refused.
        List<Reward> shuffled = world(900, random, true);
        List<Reward> recent = world(600, random, false);
        List<Reward> batch = new ArrayList<>(shuffled);
        batch.addAll(recent);
        Instant beforeBad = Instant.now();
        send(batch);
        awaitBuffered(beforeBad, 1500);
        String badVersion = given().queryParam("warm-start", false).post("/v1/trainer/train").then()
                .statusCode(200).extract().path("version");
        EncoderVersion bad = awaitVersion(start, badVersion);
        assertNull(bad.getParent());
        assertFalse(bad.getGate().getPromote(), bad.getGate().getReason());
        assertEquals(good.getVersion(), bad.getGate().getAgainst());
        assertTrue(bad.getGate().getDifference().getDoublyRobustHigh() < 0, "clearly worse: " + bad.getGate().getReason());
        markRebuilt(bad);
        Thread.sleep(2_000);
        assertEquals(good.getVersion(), currentServing().getVersion(), "a refused version is never promoted");
        JsonPath view = given().get("/v1/encoders").then().statusCode(200).extract().jsonPath();
        assertEquals(Boolean.FALSE, view.get("versions.find { it.version == '" + badVersion + "' }.gatePassed"));
        assertEquals("READY", view.get("versions.find { it.version == '" + badVersion + "' }.state"));

        // Rollback: the built-in encoder again, and the version rolled back from is refused.
        long asked = System.nanoTime();
        act("/v1/encoders/rollback", "{\"actor\": \"bob\", \"note\": \"clicks fell\"}");
        EncoderServing rolledBack = awaitServing(s -> s.getVersion().equals(builtIn));
        assertTrue(System.nanoTime() - asked < FIVE_SECONDS.toNanos());
        assertEquals("ROLLBACK", rolledBack.getReason().name());
        assertEquals("bob", rolledBack.getActor());
        assertTrue(rolledBack.getRefused().contains(good.getVersion()), "the gate will not bring it back");
        Thread.sleep(1_000);
        assertEquals(builtIn, currentServing().getVersion());

        // Pin a version: it serves and holds; a forced promotion overrides the gate's refusal.
        act("/v1/encoders/pin", "{\"version\": \"" + good.getVersion() + "\"}");
        EncoderServing pinnedGood = awaitServing(s -> s.getVersion().equals(good.getVersion()) && s.getPinned());
        assertFalse(pinnedGood.getRefused().contains(good.getVersion()));
        act("/v1/encoders/" + badVersion + "/promote", "{\"actor\": \"carol\"}");
        assertEquals("FORCED", awaitServing(s -> s.getVersion().equals(badVersion)).getReason().name());
        given().contentType(ContentType.JSON).body("{}").post("/v1/encoders/not-a-version/promote").then()
                .statusCode(409);
        given().contentType(ContentType.JSON).body("{}").post("/v1/encoders/" + badVersion + "/refuse").then()
                .statusCode(409); // serving: roll back instead
        act("/v1/encoders/rollback", "{}");
        assertEquals(good.getVersion(), awaitServing(s -> s.getVersion().equals(good.getVersion())).getVersion());

        String metrics = given().get("/q/metrics").then().extract().asString();
        assertTrue(metrics.contains("vitrine_gate_verdicts_total{verdict=\"refuse\"}"), "verdicts are counted");
        assertTrue(metrics.contains("vitrine_encoder_promotions_total{reason=\"gate\"}"));
        assertTrue(metrics.contains("vitrine_encoder_serving_info{version=\"" + good.getVersion() + "\"} 1.0"));
    }

    private static void assertNull(Object value) {
        org.junit.jupiter.api.Assertions.assertNull(value);
    }

    private static JsonPath act(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(200).extract()
                .jsonPath();
    }

    /** Commits, for the version's rebuild application, the rewards topic's end offsets: what a finished rebuild does. */
    private static void markRebuilt(EncoderVersion version) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedLocalKafka.bootstrapServers()))) {
            String topic = Topic.REWARDS.name(Topic.DEFAULT_PREFIX);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < Topic.REWARDS.partitions(); p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp,
                    new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(RebuildProgress.applicationId(LEARNER, version.getVersion()), ends).all()
                    .get();
        }
    }

    private static void awaitBuffered(Instant since, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            int since0 = given().get("/v1/trainer").then().extract().path("rewardsSinceTraining");
            if (since0 >= count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the trainer did not receive " + count + " rewards since " + since);
    }

    private static EncoderServing currentServing() {
        return awaitServing(s -> true);
    }

    /** The newest record of the encoder-serving topic once it matches, read within 5 s. */
    private static EncoderServing awaitServing(Predicate<EncoderServing> wanted) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, EncoderServing> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                AvroSerdes.registryless(EncoderServing.class).deserializer())) {
            consumer.subscribe(List.of(Topic.ENCODER_SERVING.name(Topic.DEFAULT_PREFIX)));
            long deadline = System.nanoTime() + FIVE_SECONDS.toNanos();
            EncoderServing newest = null;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, EncoderServing> record : consumer.poll(Duration.ofMillis(100))) {
                    newest = record.value();
                }
                if (newest != null && wanted.test(newest) && consumer.assignment().stream()
                        .allMatch(tp -> consumer.position(tp) >= consumer.endOffsets(List.of(tp)).get(tp))) {
                    return newest;
                }
            }
            throw new AssertionError("no matching serving record within 5 s; newest: " + newest);
        }
    }

    /** Decisions of the world with their rewards; {@code shuffled} permutes the rewards among them. */
    private static List<Reward> world(int count, Random random, boolean shuffled) {
        List<Reward> rewards = new ArrayList<>();
        List<Double> clicks = new ArrayList<>();
        Instant at = Instant.now();
        for (int i = 0; i < count; i++) {
            List<Float> context = features(random);
            List<Candidate> candidates = new ArrayList<>();
            for (int a = 0; a < 5; a++) {
                candidates.add(new Candidate("c" + a, features(random)));
            }
            int shown = random.nextInt(5);
            Candidate candidate = candidates.get(shown);
            boolean click = context.get(3) * candidate.getFeatures().get(5) > 0 ? random.nextDouble() < 0.7
                    : random.nextDouble() < 0.05;
            clicks.add(click ? 1.0 : 0.0);
            rewards.add(Reward.newBuilder()
                    .setRequestId("lifecycle-" + System.nanoTime() + "-" + i).setCandidateId(candidate.getId())
                    .setSlot("gate-slot").setScope("gate-slot").setEncoderVersion("e").setReward(0)
                    .setKind(RewardKind.NO_CLICK).setDecisionTimestamp(at).setImpressionTimestamp(at.plusMillis(i))
                    .setClickTimestamp(null).setPropensity(0.2).setEmbedding(List.of(1f)).setContext(context)
                    .setCandidateFeatures(candidate.getFeatures()).setK(1).setCandidates(candidates)
                    .build());
        }
        if (shuffled) {
            Collections.shuffle(clicks, random);
        }
        for (int i = 0; i < count; i++) {
            double click = clicks.get(i);
            rewards.get(i).setReward(click);
            rewards.get(i).setKind(click > 0 ? RewardKind.CLICK : RewardKind.NO_CLICK);
        }
        return rewards;
    }

    private static List<Float> features(Random random) {
        List<Float> features = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            features.add(random.nextFloat() * 2 - 1);
        }
        return features;
    }

    private static void send(List<Reward> rewards) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers());
        try (KafkaProducer<String, Reward> producer = new KafkaProducer<>(config, new StringSerializer(),
                AvroSerdes.registryless(Reward.class).serializer())) {
            for (Reward reward : rewards) {
                producer.send(new ProducerRecord<>(Topic.REWARDS.name(Topic.DEFAULT_PREFIX), "gate-slot", reward));
            }
            producer.flush();
        }
    }

    /** The first version created after {@code since} (or the one named {@code version}) on the encoders topic. */
    private static EncoderVersion awaitVersion(Instant since, String version) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topic.MAX_ENCODER_BYTES);
        try (KafkaConsumer<String, EncoderVersion> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                AvroSerdes.registryless(EncoderVersion.class).deserializer())) {
            consumer.subscribe(List.of(Topic.ENCODERS.name(Topic.DEFAULT_PREFIX)));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, EncoderVersion> record : consumer.poll(Duration.ofMillis(200))) {
                    EncoderVersion v = record.value();
                    if (version == null ? v.getCreatedAt().isAfter(since) : v.getVersion().equals(version)) {
                        return v;
                    }
                }
            }
        }
        throw new AssertionError("no encoder version " + (version == null ? "after " + since : version));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
