package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vitrine.avro.Decision;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.ServingReason;
import io.vitrine.core.encoder.DefaultEncoder;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.kafka.SharedLocalKafka;
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
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The selector follows the encoder-serving topic: a new version serves without a restart, and back. */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class EncoderSwapTest {

    private static final String BODY = "{\"requestId\": \"%s\", \"slot\": \"swap\", \"context\": [0,0,0,0,0,0,0,0],"
            + " \"candidates\": [{\"id\": \"plain\", \"features\": [0,0,0,0,0,0,0,0]},"
            + " {\"id\": \"liked\", \"features\": [1,0,0,0,0,0,0,0]}]}";

    @Test
    void aServingChangeSwapsTheEncoderAndItsPosteriorsWithoutARestart() throws Exception {
        String builtIn = given().get("/v1/encoder").then().statusCode(200).extract().path("version");
        byte[] model = DefaultEncoder.random(8, 8, 20, 7).toOnnx();
        String version;
        try (OnnxEncoder encoder = OnnxEncoder.load(model)) {
            version = encoder.info().version();
        }
        send(Topic.ENCODERS, version, EncoderVersion.newBuilder()
                .setVersion(version).setCreatedAt(Instant.now()).setContextFeatures(8).setCandidateFeatures(8)
                .setDimension(20).setOnnx(ByteBuffer.wrap(model))
                .setSha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model))).build());
        String scope = "swap@" + version;
        send(Topic.POSTERIORS, scope, snapshot(scope, version, 20, 11L));
        Instant asked = Instant.now();
        send(Topic.ENCODER_SERVING, "serving", serving(version, List.of(builtIn), ServingReason.FORCED, asked));

        String served = awaitServing(version, Duration.ofSeconds(5));
        assertEquals(version, served, "the new version serves within 5 s of the serving record");
        int liked = 0;
        for (int i = 0; i < 20; i++) {
            Map<?, ?> answer = given().contentType(ContentType.JSON).body(String.format(BODY, "swap-" + i))
                    .post("/v1/decisions").then().statusCode(200).extract().as(Map.class);
            assertEquals(version, answer.get("encoderVersion"), "every decision names the version it used");
            assertEquals(scope, answer.get("scope"));
            assertEquals(11, ((Number) answer.get("posteriorVersion")).longValue(),
                    "the new version's own posterior, from the posteriors topic");
            liked += "liked".equals(((Map<?, ?>) ((List<?>) answer.get("chosen")).get(0)).get("candidateId")) ? 1 : 0;
        }
        assertTrue(liked >= 15, "the new version's posterior drives the choice: liked " + liked + " of 20");
        Decision logged = TopicReader.readUntil(Topic.DECISIONS, Decision.class,
                d -> d.getRequestId().equals("swap-0"));
        assertEquals(version, logged.getEncoderVersion(), "the logged decision names the version too");
        assertEquals(20, logged.getChosen().get(0).getEmbedding().size());

        // Back to the built-in encoder, as a rollback would: the held version serves again.
        send(Topic.ENCODER_SERVING, "serving", serving(builtIn, List.of(), ServingReason.ROLLBACK,
                asked.plusMillis(1)));
        assertEquals(builtIn, awaitServing(builtIn, Duration.ofSeconds(5)));
        Map<?, ?> answer = given().contentType(ContentType.JSON).body(String.format(BODY, "swap-back"))
                .post("/v1/decisions").then().statusCode(200).extract().as(Map.class);
        assertEquals(builtIn, answer.get("encoderVersion"));
    }

    private static String awaitServing(String version, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String served;
        do {
            served = given().get("/v1/encoder").then().statusCode(200).extract().path("version");
            if (!version.equals(served)) {
                Thread.sleep(50);
            }
        } while (!version.equals(served) && System.nanoTime() < deadline);
        return served;
    }

    private static EncoderServing serving(String version, List<String> previous, ServingReason reason, Instant at) {
        return EncoderServing.newBuilder().setVersion(version).setPrevious(previous).setPinned(false)
                .setRefused(List.of()).setReason(reason).setActor("test").setChangedAt(at).build();
    }

    private static PosteriorSnapshot snapshot(String scope, String version, int d, long posteriorVersion) {
        List<Double> mu = new ArrayList<>();
        List<Double> cholesky = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            mu.add(i == 8 ? 5.0 : 0.0); // z[8] is the first candidate feature
            for (int j = 0; j < d; j++) {
                cholesky.add(i == j ? 1000.0 : 0.0);
            }
        }
        return PosteriorSnapshot.newBuilder()
                .setScope(scope).setSlot("swap").setEncoderVersion(version).setVersion(posteriorVersion)
                .setDimension(d).setN(100).setPriorLambda(1).setPriorA(2).setPriorB(0.25).setA(52).setBn(1.0)
                .setMu(mu).setCholeskyLower(cholesky).setUpdatedAt(Instant.now()).build();
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> void send(Topic topic, String key, T value) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedLocalKafka.bootstrapServers(), ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topic.MAX_ENCODER_BYTES);
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(config, new StringSerializer(),
                AvroSerdes.registryless((Class<T>) value.getClass()).serializer())) {
            producer.send(new ProducerRecord<>(topic.name(Topic.DEFAULT_PREFIX), key, value)).get();
        }
    }
}
