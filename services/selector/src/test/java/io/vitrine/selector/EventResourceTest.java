package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /v1/events} on a real broker: what lands on the topics, and what a bad batch gets. */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class EventResourceTest {

    @TestHTTPResource("/v1/events")
    URL events;

    static String event(String type, String requestId, String candidateId, String timestamp) {
        return "{\"type\": \"" + type + "\", \"requestId\": \"" + requestId + "\", \"candidateId\": \"" + candidateId
                + "\"" + (timestamp == null ? "" : ", \"timestamp\": \"" + timestamp + "\"") + "}";
    }

    static String batch(String... events) {
        return "{\"events\": [" + String.join(", ", events) + "]}";
    }

    @Test
    void batchSentWithCurlLandsAsAvroRecordsOnTheJavaPartitionersPartitions() throws Exception {
        String first = "ev-a-" + System.nanoTime();
        String second = "ev-b-" + System.nanoTime();
        double impressionsBefore = counter("vitrine_events_accepted_total{type=\"impression\"}");
        double clicksBefore = counter("vitrine_events_accepted_total{type=\"click\"}");
        Instant before = Instant.now().minusMillis(1);
        Path body = Files.createTempFile("events", ".json");
        Files.writeString(body, batch(
                event("impression", first, "img-1", "2026-12-06T17:00:00.123+01:00"),
                event("click", first, "img-1", "2026-12-06T16:00:02.5Z"),
                event("impression", second, "img-7", null)));
        Process curl = new ProcessBuilder("curl", "-sS", "-w", "\n%{http_code}", "-H", "Content-Type: application/json",
                "--data-binary", "@" + body, events.toString()).redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(60, TimeUnit.SECONDS), "curl finished");
        Files.delete(body);
        assertTrue(output.endsWith("\n202"), "curl got 202: " + output);
        assertTrue(output.contains("\"accepted\":3") && output.contains("\"impressions\":2")
                && output.contains("\"clicks\":1"), output);

        List<ConsumerRecord<String, byte[]>> impressions = raw(Topic.IMPRESSIONS, List.of(first, second));
        assertEquals(2, impressions.size(), "one record per impression");
        for (ConsumerRecord<String, byte[]> record : impressions) {
            assertEquals(javaPartition(record.key(), Topic.IMPRESSIONS), record.partition(),
                    "partition of the Java producer's murmur2 for key " + record.key());
            GenericRecord impression = decode("Impression", record.value());
            assertEquals(record.key(), impression.get("requestId").toString(), "key = request id");
            long at = (Long) impression.get("timestamp");
            assertEquals(at, record.timestamp(), "record time = event time");
            if (record.key().equals(first)) {
                assertEquals("img-1", impression.get("candidateId").toString());
                assertEquals(Instant.parse("2026-12-06T16:00:00.123Z").toEpochMilli(), at);
            } else {
                assertEquals("img-7", impression.get("candidateId").toString());
                assertTrue(at >= before.toEpochMilli() && at <= System.currentTimeMillis(),
                        "without a timestamp, the time the selector received it: " + at);
            }
        }
        List<ConsumerRecord<String, byte[]>> clicks = raw(Topic.CLICKS, List.of(first, second));
        assertEquals(1, clicks.size(), "one record per click");
        GenericRecord click = decode("Click", clicks.get(0).value());
        assertEquals(first, click.get("requestId").toString());
        assertEquals(Instant.parse("2026-12-06T16:00:02.500Z").toEpochMilli(), click.get("timestamp"));
        assertEquals(javaPartition(first, Topic.CLICKS), clicks.get(0).partition());

        assertEquals(impressionsBefore + 2, counter("vitrine_events_accepted_total{type=\"impression\"}"), 1e-9);
        assertEquals(clicksBefore + 1, counter("vitrine_events_accepted_total{type=\"click\"}"), 1e-9);
    }

    @Test
    void oneBadEventRefusesTheWholeBatchNamingEveryProblem() {
        String good = "ev-good-" + System.nanoTime();
        double refusedBefore = counter("vitrine_event_batches_rejected_total{reason=\"invalid-request\"}");
        String future = Instant.now().plus(Duration.ofHours(1)).toString();
        ValidatableResponse answer = post(batch(
                event("impression", good, "img-1", null),
                "{\"type\": \"impression\", \"requestId\": \"" + good + "\"}",
                event("view", good, "img-1", null),
                event("click", good, "img-1", "yesterday"),
                "{\"type\": \"click\", \"requestId\": \"" + good + "\", \"candidateId\": \"img-1\", \"reward\": 1}",
                event("click", "", "img-1", future),
                "{\"type\": \"click\", \"requestId\": 42, \"candidateId\": null}",
                "\"not an event\""))
                .statusCode(400)
                .contentType("application/problem+json")
                .body("title", equalTo("Invalid request"));
        answer.body("errors.pointer", hasItems("/events/1/candidateId", "/events/2/type", "/events/3/timestamp",
                "/events/4/reward", "/events/5/requestId", "/events/5/timestamp", "/events/6/requestId",
                "/events/6/candidateId", "/events/7"));
        answer.body("errors.size()", is(9));
        answer.body("errors.field", hasItem("events[3].timestamp"));
        answer.body("errors.find { it.pointer == '/events/2/type' }.detail",
                equalTo("must be \"impression\" or \"click\", got \"view\""));
        answer.body("errors.find { it.pointer == '/events/5/timestamp' }.detail",
                org.hamcrest.Matchers.containsString("max-clock-skew"));

        assertTrue(raw(Topic.IMPRESSIONS, List.of(good)).isEmpty(), "nothing of a refused batch is written");
        assertTrue(raw(Topic.CLICKS, List.of(good)).isEmpty(), "nothing of a refused batch is written");
        assertEquals(refusedBefore + 1, counter("vitrine_event_batches_rejected_total{reason=\"invalid-request\"}"),
                1e-9);

        // The same batch without its bad events is accepted.
        post(batch(event("impression", good, "img-1", null))).statusCode(202).body("accepted", is(1));
        assertEquals(1, raw(Topic.IMPRESSIONS, List.of(good)).size());
    }

    @Test
    void aClickCarriesItsValueIntoTheClickRecordAndAPlainClickHasNone() throws Exception {
        String booked = "ev-booked-" + System.nanoTime();
        String plain = "ev-plain-" + System.nanoTime();
        post(batch(
                "{\"type\": \"click\", \"requestId\": \"" + booked + "\", \"candidateId\": \"img-1\", \"value\": 240.5}",
                "{\"type\": \"click\", \"requestId\": \"" + booked + "\", \"candidateId\": \"img-1\", \"value\": 0}",
                event("click", plain, "img-1", null)))
                .statusCode(202).body("clicks", is(3));
        List<Double> values = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : raw(Topic.CLICKS, List.of(booked))) {
            values.add((Double) decode("Click", record.value()).get("value"));
        }
        assertEquals(List.of(240.5, 0.0), values, "in the order sent (one key, one partition)");
        List<ConsumerRecord<String, byte[]>> plainClicks = raw(Topic.CLICKS, List.of(plain));
        assertEquals(1, plainClicks.size());
        assertNull(decode("Click", plainClicks.get(0).value()).get("value"));
        // A reader of Click version 1, resolving the writer's schema, reads the same record as a plain click.
        Schema v1 = new Schema.Parser().parse(ContractTest.REPO.resolve("schemas/versions/Click/v1.avsc").toFile());
        Schema v2 = new Schema.Parser().parse(ContractTest.REPO.resolve("schemas/versions/Click/v2.avsc").toFile());
        org.apache.avro.message.SchemaStore.Cache writers = new org.apache.avro.message.SchemaStore.Cache();
        writers.addSchema(v2);
        GenericRecord old = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1, writers)
                .decode(raw(Topic.CLICKS, List.of(booked)).get(0).value());
        assertEquals(booked, old.get("requestId").toString());
    }

    @Test
    void aValueMustBeAFiniteNumberOnAClick() {
        String id = "ev-bad-value-" + System.nanoTime();
        String head = "{\"requestId\": \"" + id + "\", \"candidateId\": \"img-1\", ";
        ValidatableResponse answer = post(batch(
                head + "\"type\": \"impression\", \"value\": 3}",
                head + "\"type\": \"click\", \"value\": \"240\"}",
                head + "\"type\": \"click\", \"value\": 1e400}",
                head + "\"type\": \"click\", \"value\": null}",
                head + "\"type\": \"click\", \"value\": 12.5}"))
                .statusCode(400).contentType("application/problem+json");
        answer.body("errors.size()", is(4));
        answer.body("errors.find { it.pointer == '/events/0/value' }.detail",
                equalTo("only a click carries a value (what the click led to), not an impression"));
        answer.body("errors.find { it.pointer == '/events/1/value' }.detail",
                equalTo("must be a number, got the string \"240\""));
        answer.body("errors.find { it.pointer == '/events/2/value' }.detail",
                org.hamcrest.Matchers.containsString("outside the range of a 64-bit double"));
        answer.body("errors.find { it.pointer == '/events/3/value' }.detail",
                equalTo("must be left out rather than null"));
        assertTrue(raw(Topic.CLICKS, List.of(id)).isEmpty(), "nothing of a refused batch is written");
        post("{\"events\": [" + head + "\"type\": \"click\", \"value\": NaN}]}").statusCode(400)
                .body("errors[0].detail", org.hamcrest.Matchers.containsString("JSON has no NaN or Infinity"));
    }

    @Test
    void batchOverTheLimitIsRefusedAsAWhole() {
        String id = "ev-many-" + System.nanoTime();
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            many.add(event("impression", id, "img-" + i, null));
        }
        post(batch(many.toArray(String[]::new))).statusCode(400)
                .body("errors[0].pointer", equalTo("/events"))
                .body("errors[0].reason", equalTo("too-many-events"))
                .body("errors[0].detail", org.hamcrest.Matchers.containsString("limit of 1000"));
        assertTrue(raw(Topic.IMPRESSIONS, List.of(id)).isEmpty());
    }

    @Test
    void bodyThatIsNotABatchGetsAProblem() {
        post("{\"events\": [], \"extra\": 1}").statusCode(400)
                .body("errors.pointer", hasItems("/extra"));
        post("{\"events\": []}").statusCode(400)
                .body("errors[0].detail", equalTo("must hold at least one event"));
        post("[{\"type\": \"impression\"}]").statusCode(400).body("errors[0].pointer", equalTo(""));
        post("{\"events\": [").statusCode(400).body("errors[0].reason", equalTo("malformed-json"));
        post(batch(event("click", "r", "c".repeat(257), null))).statusCode(400)
                .body("errors[0].pointer", equalTo("/events/0/candidateId"))
                .body("errors[0].detail", equalTo("is longer than 256 characters"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "duplicate key|{\"events\": [{\"type\": \"click\", \"type\": \"impression\", \"requestId\": \"r\", \"candidateId\": \"c\"}]}|/events/0/type|Duplicate field 'type'",
        "data after the document|{\"events\": [{\"type\": \"click\", \"requestId\": \"r\", \"candidateId\": \"c\"}]} {}||has data after the JSON document",
        "number for an id|{\"events\": [{\"type\": \"click\", \"requestId\": 7, \"candidateId\": \"c\"}]}|/events/0/requestId|must be a string, got the number 7",
        "null timestamp|{\"events\": [{\"type\": \"click\", \"requestId\": \"r\", \"candidateId\": \"c\", \"timestamp\": null}]}|/events/0/timestamp|must be left out rather than null",
        "epoch millis for a timestamp|{\"events\": [{\"type\": \"click\", \"requestId\": \"r\", \"candidateId\": \"c\", \"timestamp\": 1765040400000}]}|/events/0/timestamp|must be a string",
        "timestamp without an offset|{\"events\": [{\"type\": \"click\", \"requestId\": \"r\", \"candidateId\": \"c\", \"timestamp\": \"2026-12-06T17:00:00\"}]}|/events/0/timestamp|RFC 3339 date-time with an offset",
        "timestamp before 1970|{\"events\": [{\"type\": \"click\", \"requestId\": \"r\", \"candidateId\": \"c\", \"timestamp\": \"1969-12-31T23:59:59Z\"}]}|/events/0/timestamp|is before 1970",
        "lone surrogate|{\"events\": [{\"type\": \"click\", \"requestId\": \"r\\ud800\", \"candidateId\": \"c\"}]}|/events/0/requestId|lone surrogate",
        "type in capitals|{\"events\": [{\"type\": \"Click\", \"requestId\": \"r\", \"candidateId\": \"c\"}]}|/events/0/type|must be \"impression\" or \"click\"",
        "events not an array|{\"events\": {\"type\": \"click\"}}|/events|must be an array, got an object",
    })
    void strictInputRulesOfDecisionsHoldForEvents(String name, String body, String pointer, String detail) {
        post(body).statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].pointer", equalTo(pointer == null ? "" : pointer))
                .body("errors[0].detail", org.hamcrest.Matchers.containsString(detail));
    }

    @Test
    void onlyJsonIsRead() {
        given().contentType(ContentType.TEXT).body("type=click").post("/v1/events").then().statusCode(415)
                .contentType("application/problem+json");
    }

    private static ValidatableResponse post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/events").then();
    }

    /**
     * Decodes Avro single-object bytes with Avro's generic reader and the schema file, not the project's classes:
     * what any consumer holding the schema reads.
     */
    private static GenericRecord decode(String type, byte[] bytes) throws IOException {
        Schema schema = new Schema.Parser().parse(ContractTest.REPO.resolve("schemas/src/main/avro/" + type + ".avsc")
                .toFile());
        return new BinaryMessageDecoder<GenericRecord>(GenericData.get(), schema).decode(bytes);
    }

    /** The partition Kafka's Java producer picks for a key by default: murmur2 of its bytes. */
    private static int javaPartition(String key, Topic topic) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % topic.partitions();
    }

    /** The raw records of the topic (everything written so far) whose key is one of {@code keys}. */
    private static List<ConsumerRecord<String, byte[]>> raw(Topic topic, List<String> keys) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-raw-" + System.nanoTime());
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(Topic.DEFAULT_PREFIX)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            assertEquals(topic.partitions(), partitions.size(), "the registry's partition count");
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, "read " + topic + " to its end within 30 s");
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (keys.contains(record.key())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    /** The value of one series of the Prometheus scrape. */
    private static double counter(String series) {
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertTrue(value.find(), series + " is exported");
        return Double.parseDouble(value.group(1));
    }
}
