package io.vitrine.trainer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * The trainer on a real broker: rewards with a learnable click pattern in, encoder versions out, one when enough new
 * rewards came and one on request, each a loadable ONNX model with its layout, hash, parent and held-out numbers.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class TrainerServiceTest {

    @Test
    void enoughNewRewardsTrainAVersionAndARequestTrainsItsChild() throws Exception {
        Instant start = Instant.now();
        send(rewards(900, new Random(4)));
        EncoderVersion first = awaitVersion(start, null);
        assertTrue(first.getVersion().startsWith("t"), first.getVersion());
        assertEquals(4, first.getContextFeatures());
        assertEquals(3, first.getCandidateFeatures());
        byte[] model = bytes(first.getOnnx());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model)), first.getSha256());
        try (OnnxEncoder encoder = OnnxEncoder.load(model)) {
            assertEquals(first.getVersion(), encoder.info().version());
            assertEquals(first.getDimension(), encoder.info().dimension());
        }
        assertNotNull(first.getTrainedOn());
        assertTrue(first.getTrainedOn().getRows() >= 400, "trained on what had come: " + first.getTrainedOn());
        assertTrue(first.getTrainedOn().getHeldOutLoss() < first.getTrainedOn().getBaselineLoss(),
                "the click depends on the features: the network beats the constant " + first.getTrainedOn());

        String second = given().post("/v1/trainer/train").then().statusCode(200).extract().path("version");
        EncoderVersion child = awaitVersion(start, second);
        assertEquals(first.getVersion(), child.getParent(), "warm-started from the previous version");
        given().get("/v1/trainer").then().statusCode(200);
        assertTrue(given().get("/q/metrics").then().extract().asString().contains("vitrine_trainer_versions_total"));
    }

    /** Clicks when the first context feature and the first candidate feature agree in sign. */
    private static List<Reward> rewards(int count, Random random) {
        List<Reward> rewards = new ArrayList<>();
        Instant at = Instant.now();
        for (int i = 0; i < count; i++) {
            List<Float> context = List.of(random.nextFloat() * 2 - 1, random.nextFloat(), random.nextFloat(),
                    random.nextFloat());
            List<Float> candidate = List.of(random.nextFloat() * 2 - 1, random.nextFloat(), random.nextFloat());
            boolean click = context.get(0) * candidate.get(0) > 0 ? random.nextDouble() < 0.6
                    : random.nextDouble() < 0.05;
            rewards.add(Reward.newBuilder()
                    .setRequestId("train-" + i).setCandidateId("c").setSlot("train-slot").setScope("train-slot@e")
                    .setEncoderVersion("e").setReward(click ? 1 : 0).setKind(click ? RewardKind.CLICK
                            : RewardKind.NO_CLICK)
                    .setDecisionTimestamp(at).setImpressionTimestamp(at.plusMillis(i)).setClickTimestamp(null)
                    .setPropensity(0.5).setEmbedding(List.of(1f)).setContext(context).setCandidateFeatures(candidate)
                    .build());
        }
        return rewards;
    }

    private static void send(List<Reward> rewards) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers());
        try (KafkaProducer<String, Reward> producer = new KafkaProducer<>(config, new StringSerializer(),
                AvroSerdes.registryless(Reward.class).serializer())) {
            for (Reward reward : rewards) {
                producer.send(new ProducerRecord<>(Topic.REWARDS.name(Topic.DEFAULT_PREFIX), "train-slot", reward));
            }
            producer.flush();
        }
    }

    /** The first version created after {@code since} (or the one named {@code version}) on the encoders topic. */
    private static EncoderVersion awaitVersion(Instant since, String version) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
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
