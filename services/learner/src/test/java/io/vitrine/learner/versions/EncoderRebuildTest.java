package io.vitrine.learner.versions;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.ServingReason;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.core.train.Mlp;
import io.vitrine.core.train.MlpOnnxExporter;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.learner.streams.Reencoder;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

/**
 * A new encoder version on a running learner: its own application replays the reward log exactly once, is marked
 * ready once it reached the offsets of its publication, goes on learning live rewards, and its posterior equals the
 * batch fit of every reward of the slot re-encoded with it.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class EncoderRebuildTest {

    private static final Map<String, Object> PRODUCER = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all");

    @Test
    void aNewVersionRebuildsItsPosteriorsByReplayAndThenLearnsLive() throws Exception {
        String slot = "rebuild-" + System.nanoTime();
        String version = "t-" + System.nanoTime();
        byte[] model = MlpOnnxExporter.export(Mlp.initialize(6, new int[] {10}, 1, 17), 4, 2, version);
        Random random = new Random(3);
        List<Reward> log = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            log.add(reward(random, slot, i));
        }
        send(Topic.REWARDS, log);
        Thread.sleep(50); // the version's creation time comes after these rewards' log time
        send(Topic.ENCODERS, version, EncoderVersion.newBuilder()
                .setVersion(version).setCreatedAt(Instant.now()).setContextFeatures(4).setCandidateFeatures(2)
                .setDimension(10).setOnnx(ByteBuffer.wrap(model)).setSha256(sha256(model)).build());

        awaitReady(version);
        List<Reward> live = new ArrayList<>();
        for (int i = 200; i < 250; i++) {
            live.add(reward(random, slot, i));
        }
        send(Topic.REWARDS, live);
        log.addAll(live);

        PosteriorSnapshot snapshot = awaitSnapshot(slot + "@" + version, log.size());
        try (OnnxEncoder encoder = OnnxEncoder.load(model)) {
            SufficientStatistics batch = SufficientStatistics.empty(10);
            for (Reward reward : log) {
                batch.update(Reencoder.reencode(encoder, reward), reward.getReward());
            }
            NormalInverseGammaPosterior expected = NormalInverseGammaPosterior.fromStatistics(batch, NigPrior.DEFAULT);
            assertEquals(expected.a(), snapshot.getA(), 1e-9 * expected.a());
            assertEquals(expected.bn(), snapshot.getBn(), 1e-9 * expected.bn());
            for (int j = 0; j < 10; j++) {
                assertEquals(expected.mu()[j], snapshot.getMu().get(j), 1e-9 * Math.max(1, Math.abs(expected.mu()[j])));
            }
        }
        // The learner's REST answers for the version's scopes from the version's own application.
        Map<String, Object> served = given().get("/v1/posteriors/" + slot + "@" + version).then().statusCode(200)
                .extract().jsonPath().getMap("");
        assertEquals(version, served.get("encoderVersion"));
        assertEquals(log.size(), ((Number) served.get("n")).doubleValue(), 1e-9);
        assertEquals(snapshot.getMu().get(1), ((Number) ((List<?>) served.get("mu")).get(1)).doubleValue(), 1e-9);
        assertEquals(log.size(), given().get("/q/metrics").then().extract().asString().lines()
                .filter(l -> l.startsWith("vitrine_encoder_version_rewards_total") && l.contains(version))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum(), 0.0,
                "each reward learned once by the version");

        // A newer version supersedes it while nothing serves: it is retired, and learns nothing meanwhile.
        String newer = "t-" + System.nanoTime();
        byte[] newerModel = MlpOnnxExporter.export(Mlp.initialize(6, new int[] {10}, 1, 19), 4, 2, newer);
        send(Topic.ENCODERS, newer, EncoderVersion.newBuilder()
                .setVersion(newer).setCreatedAt(Instant.now()).setContextFeatures(4).setCandidateFeatures(2)
                .setDimension(10).setOnnx(ByteBuffer.wrap(newerModel)).setSha256(sha256(newerModel)).build());
        awaitState(version, "RETIRED");
        awaitReady(newer);
        List<Reward> whileRetired = new ArrayList<>();
        for (int i = 250; i < 260; i++) {
            whileRetired.add(reward(random, slot, i));
        }
        send(Topic.REWARDS, whileRetired);
        log.addAll(whileRetired);
        awaitSnapshot(slot + "@" + newer, log.size());

        // Served again (an operator's choice): it resumes where it stopped and catches up, each reward once.
        send(Topic.ENCODER_SERVING, "serving", EncoderServing.newBuilder().setVersion(version)
                .setPrevious(List.of()).setPinned(true).setRefused(List.of()).setReason(ServingReason.PINNED)
                .setActor("test").setChangedAt(Instant.now()).build());
        awaitReady(version);
        PosteriorSnapshot resumed = awaitSnapshot(slot + "@" + version, log.size());
        assertEquals(log.size(), resumed.getN(), 1e-9, "the rewards that came while it was retired, once");
    }

    private static void awaitState(String version, String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> statuses = given().get("/v1/encoders").then().statusCode(200).extract()
                    .jsonPath().getList("$");
            state = statuses.stream().filter(s -> version.equals(s.get("version"))).map(s -> (String) s.get("state"))
                    .findFirst().orElse("unknown");
            if (state.equals(wanted)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("version " + version + " not " + wanted + " after 90 s: " + state);
    }

    private static void awaitReady(String version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> statuses = given().get("/v1/encoders").then().statusCode(200).extract()
                    .jsonPath().getList("$");
            state = statuses.stream().filter(s -> version.equals(s.get("version"))).map(s -> (String) s.get("state"))
                    .findFirst().orElse("unknown");
            if (state.equals("READY")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("version " + version + " not ready after 90 s: " + state);
    }

    private static PosteriorSnapshot awaitSnapshot(String scope, long version) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        PosteriorSnapshot last = null;
        try (KafkaConsumer<String, PosteriorSnapshot> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                AvroSerdes.registryless(PosteriorSnapshot.class).deserializer())) {
            consumer.subscribe(List.of(Topic.POSTERIORS.name(Topic.DEFAULT_PREFIX)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, PosteriorSnapshot> record : consumer.poll(Duration.ofMillis(200))) {
                    if (scope.equals(record.key())) {
                        last = record.value();
                        if (last.getVersion() == version) {
                            return last;
                        }
                        assertTrue(last.getVersion() < version, "more rewards than were sent: " + last.getVersion());
                    }
                }
            }
        }
        throw new AssertionError("no snapshot of " + scope + " with " + version + " rewards; last " + last);
    }

    private static Reward reward(Random random, String slot, int i) {
        List<Float> context = List.of(random.nextFloat(), random.nextFloat(), random.nextFloat(), random.nextFloat());
        boolean click = random.nextDouble() < 0.3;
        Instant at = Instant.now();
        return Reward.newBuilder()
                .setRequestId(slot + "-" + i).setCandidateId("c" + (i % 3)).setSlot(slot)
                .setScope(slot + "@live-enc").setEncoderVersion("live-enc")
                .setReward(click ? 1 : 0).setKind(click ? RewardKind.CLICK : RewardKind.NO_CLICK)
                .setDecisionTimestamp(at).setImpressionTimestamp(at).setClickTimestamp(click ? at : null)
                .setPropensity(0.5).setEmbedding(List.of(1f, 0f))
                .setContext(context).setCandidateFeatures(List.of(random.nextFloat(), random.nextFloat())).build();
    }

    private static void send(Topic topic, List<Reward> rewards) throws Exception {
        try (KafkaProducer<String, Reward> producer = new KafkaProducer<>(PRODUCER, new StringSerializer(),
                AvroSerdes.registryless(Reward.class).serializer())) {
            for (Reward reward : rewards) {
                producer.send(new ProducerRecord<>(topic.name(Topic.DEFAULT_PREFIX), reward.getSlot(), reward));
            }
            producer.flush();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> void send(Topic topic, String key, T value) throws Exception {
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(PRODUCER, new StringSerializer(),
                AvroSerdes.registryless((Class<T>) value.getClass()).serializer())) {
            producer.send(new ProducerRecord<>(topic.name(Topic.DEFAULT_PREFIX), key, value)).get();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
