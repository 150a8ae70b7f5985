package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ten thousand malformed records and requests against a running learner and selector: undecodable bytes,
 * tombstones, events without keys, invalid decisions and rewards, impressions nobody decided, invalid decision
 * requests on the topic path, and broken HTTP requests. Every record must come back as exactly one dead letter
 * naming its source, every request must get a 4xx answer, and both services must still work afterwards.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class FuzzTest {

    private static final int UNDECODABLE = 1_000;
    private static final int INVALID_REQUESTS = 600;
    private static final int TOMBSTONES = 200;
    private static final int UNKNOWN_DECISION = 600;
    private static final int KEYLESS = 400;
    private static final int INVALID_DECISIONS = 400;
    private static final int UNCHOSEN = 400;
    private static final int INVALID_REWARDS = 400;
    private static final int HTTP_REQUESTS = 6_000;

    private final Random random = new Random(42);
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyMalformedRecordAndRequestIsAccountedForAndTheServicesGoOn() throws Exception {
        ServiceRun run = ServiceRun.fresh("fuzz");
        String bootstrap = run.bootstrap();
        String prefix = run.prefix();
        try (ServiceProcess learner = run.learner("learner", List.of("-Dvitrine.learner.hold-grace=1000ms",
                "-Dvitrine.learner.idle-close-delay=1000ms", "-Dvitrine.learner.attribution-window=1000ms",
                "-Dvitrine.learner.publish-interval=200ms"));
             ServiceProcess selector = run.selector("selector", List.of());
             var stopping = ServiceProcess.stopTogether(learner, selector)) {
            learner.launch();
            selector.launch();
            learner.awaitReady();
            selector.awaitReady();
            HttpClient http = VitrineHttp.newClient();
            EncoderInfo encoder = new VitrineHttp(http, json).encoder(selector.uri());

            Map<String, Integer> sentByTopic = sendMalformedRecords(bootstrap, prefix, encoder);
            Map<Integer, Integer> statuses = sendMalformedRequests(http, selector.uri(), encoder);

            int expected = sentByTopic.values().stream().mapToInt(Integer::intValue).sum();
            List<DeadLetter> letters = readDeadLetters(bootstrap, prefix, expected);
            Map<String, Integer> lettersByTopic = new TreeMap<>();
            Map<String, Integer> lettersByReason = new TreeMap<>();
            for (DeadLetter letter : letters) {
                lettersByTopic.merge(String.valueOf(letter.getSourceTopic()), 1, Integer::sum);
                lettersByReason.merge(letter.getService() + "/" + letter.getReason(), 1, Integer::sum);
                assertTrue(letter.getPartition() != null && letter.getOffset() != null, "source of " + letter);
            }
            System.err.printf("fuzz: %d records -> %d dead letters %s; %d HTTP requests -> %s%n", expected,
                    letters.size(), lettersByReason, HTTP_REQUESTS, statuses);
            assertEquals(new TreeMap<>(sentByTopic), lettersByTopic, "one dead letter per malformed record");
            assertEquals(HTTP_REQUESTS, statuses.values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(statuses.keySet().stream().allMatch(s -> s >= 400 && s < 500), "only 4xx: " + statuses);

            stillWorks(bootstrap, prefix, encoder, learner);
            assertTrue(new VitrineHttp(http, json).ready(selector.uri()) && new VitrineHttp(http, json)
                    .ready(learner.uri()), "both services still ready");
        }
    }

    /** Writes every kind of malformed record; returns how many went to each topic. */
    private Map<String, Integer> sendMalformedRecords(String bootstrap, String prefix, EncoderInfo encoder)
            throws Exception {
        Map<String, Integer> sent = new HashMap<>();
        Instant now = Instant.now();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        List<Topic> eventTopics = List.of(Topic.DECISION_REQUESTS, Topic.DECISIONS, Topic.IMPRESSIONS, Topic.CLICKS);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer());
             KafkaProducer<String, SpecificRecord> avro = LearnerInput.producer(bootstrap)) {
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < UNDECODABLE; i++) {
                Topic topic = eventTopics.get(i % eventTopics.size());
                byte[] value = new byte[1 + random.nextInt(64)];
                random.nextBytes(value);
                if (i % 3 == 0) {
                    value[0] = (byte) 0xC3; // the single-object marker, then garbage: a wrong fingerprint
                }
                byte[] key = i % 5 == 0 ? null : ("fuzz-u-" + i).getBytes(StandardCharsets.UTF_8);
                pending.add(raw.send(new ProducerRecord<>(topic.name(prefix), key, value)));
                sent.merge(topic.name(prefix), 1, Integer::sum);
            }
            for (int i = 0; i < TOMBSTONES; i++) {
                Topic topic = eventTopics.get(i % eventTopics.size());
                pending.add(raw.send(new ProducerRecord<>(topic.name(prefix),
                        ("fuzz-t-" + i).getBytes(StandardCharsets.UTF_8), null)));
                sent.merge(topic.name(prefix), 1, Integer::sum);
            }
            await(pending);

            List<LearnerInput.Event> events = new ArrayList<>();
            for (int i = 0; i < INVALID_REQUESTS; i++) {
                String id = "fuzz-r-" + i;
                events.add(new LearnerInput.Event(Topic.DECISION_REQUESTS, i % 7 == 0 ? null : id,
                        invalidRequest(id, encoder, i), now));
            }
            for (int i = 0; i < UNKNOWN_DECISION; i++) {
                String id = "fuzz-nobody-" + i;
                events.add(new LearnerInput.Event(Topic.IMPRESSIONS, id, new Impression(id, "a", now), now));
            }
            for (int i = 0; i < KEYLESS; i++) {
                String id = "fuzz-k-" + i;
                events.add(i % 2 == 0
                        ? new LearnerInput.Event(Topic.IMPRESSIONS, null, new Impression(id, "a", now), now)
                        : new LearnerInput.Event(Topic.CLICKS, null, new Click(id, "a", now, null), now));
            }
            for (int i = 0; i < INVALID_DECISIONS; i++) {
                String id = "fuzz-d-" + i;
                List<Float> z = i % 3 == 0 ? List.of() : List.of(1f, i % 3 == 1 ? Float.NaN : 1f);
                double propensity = i % 3 == 2 ? 0.0 : 0.5;
                events.add(new LearnerInput.Event(Topic.DECISIONS, id, decision(id, z, propensity, now), now));
            }
            for (int i = 0; i < UNCHOSEN; i++) {
                String id = "fuzz-c-" + i;
                // A valid decision (no dead letter), then an impression of a candidate it did not choose.
                events.add(new LearnerInput.Event(Topic.DECISIONS, id, decision(id, List.of(1f, 0f), 0.5, now), now));
                events.add(new LearnerInput.Event(Topic.IMPRESSIONS, id, new Impression(id, "not-chosen", now), now));
            }
            for (int i = 0; i < INVALID_REWARDS; i++) {
                String scope = "fuzz-scope-" + (i % 4);
                events.add(new LearnerInput.Event(Topic.REWARDS, scope, invalidReward("fuzz-w-" + i, scope, i, now),
                        now));
            }
            LearnerInput.send(avro, prefix, events);
            sent.merge(Topic.DECISION_REQUESTS.name(prefix), INVALID_REQUESTS, Integer::sum);
            sent.merge(Topic.IMPRESSIONS.name(prefix), UNKNOWN_DECISION + KEYLESS / 2 + UNCHOSEN, Integer::sum);
            sent.merge(Topic.CLICKS.name(prefix), KEYLESS / 2, Integer::sum);
            sent.merge(Topic.DECISIONS.name(prefix), INVALID_DECISIONS, Integer::sum);
            sent.merge(Topic.REWARDS.name(prefix), INVALID_REWARDS, Integer::sum);
        }
        return sent;
    }

    private DecisionRequest invalidRequest(String id, EncoderInfo encoder, int i) {
        List<Float> context = floats(encoder.contextFeatures(), 0.5f);
        List<Candidate> candidates = new ArrayList<>(List.of(new Candidate("a", floats(encoder.candidateFeatures(), 1f)),
                new Candidate("b", floats(encoder.candidateFeatures(), 0f))));
        String slot = "fuzz/slot";
        int k = 1;
        switch (i % 7) {
            case 0 -> { } // no key and no usable request id below: requestId is required on the topic path
            case 1 -> context.set(random.nextInt(context.size()), Float.NaN);
            case 2 -> context = floats(encoder.contextFeatures() + 1, 0f);
            case 3 -> candidates.clear();
            case 4 -> k = 0;
            case 5 -> slot = " ";
            default -> candidates.set(1, new Candidate("a", floats(encoder.candidateFeatures(), Float.POSITIVE_INFINITY)));
        }
        return DecisionRequest.newBuilder().setRequestId(i % 7 == 0 ? "" : id).setSlot(slot).setContext(context)
                .setCandidates(candidates).setK(k).setTimestamp(Instant.now()).build();
    }

    private static Decision decision(String id, List<Float> z, double propensity, Instant at) {
        return Decision.newBuilder().setRequestId(id).setSlot("fuzz").setScope("fuzz@enc").setTimestamp(at)
                .setContext(List.of(0f)).setCandidates(List.of(new Candidate("a", List.of(0f))))
                .setK(1).setChosen(List.of(new ChosenCandidate("a", 0, 0.1, 0.1, propensity, z, null)))
                .setSeed(1L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(1).build();
    }

    private static Reward invalidReward(String id, String scope, int i, Instant at) {
        List<Float> z = switch (i % 3) {
            case 0 -> List.of();
            case 1 -> List.of(Float.NaN, 1f);
            default -> List.of(1f, Float.POSITIVE_INFINITY);
        };
        return Reward.newBuilder().setRequestId(id).setCandidateId("a").setSlot("fuzz").setScope(scope)
                .setEncoderVersion("enc").setReward(1).setKind(RewardKind.CLICK).setDecisionTimestamp(at)
                .setImpressionTimestamp(at).setClickTimestamp(at).setPropensity(0.5).setEmbedding(z)
                .setContext(List.of()).setCandidateFeatures(List.of()).build();
    }

    /** Sends broken decision requests from four threads; returns the answers counted by status. */
    private Map<Integer, Integer> sendMalformedRequests(HttpClient http, URI selector, EncoderInfo encoder)
            throws Exception {
        URI decisions = selector.resolve("/v1/decisions");
        String valid = "{\"slot\":\"fuzz/http\",\"context\":" + zeros(encoder.contextFeatures())
                + ",\"candidates\":[{\"id\":\"a\",\"features\":" + zeros(encoder.candidateFeatures()) + "}]}";
        List<HttpRequest> requests = new ArrayList<>(HTTP_REQUESTS);
        for (int i = 0; i < HTTP_REQUESTS; i++) {
            requests.add(malformed(decisions, valid, encoder, i));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (HttpRequest request : requests) {
                answers.add(pool.submit(() -> http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                statuses.merge(answer.get(60, TimeUnit.SECONDS), 1, Integer::sum);
            }
        } finally {
            pool.shutdownNow();
        }
        return statuses;
    }

    private HttpRequest malformed(URI uri, String valid, EncoderInfo encoder, int i) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        String body = switch (i % 12) {
            case 0 -> randomText(1 + random.nextInt(200)); // not JSON
            case 1 -> valid.substring(0, 1 + random.nextInt(valid.length() - 2)); // truncated
            case 2 -> valid.replace("\"slot\":\"fuzz/http\"", "\"slot\":{\"a\":1}"); // an object where text goes
            case 3 -> valid.replace("\"context\":[", "\"context\":[\"x\","); // text among the features
            case 4 -> valid.replaceFirst("\\[0(\\.0)?", "[1e999"); // out of float range
            case 5 -> valid.replace("\"slot\":\"fuzz/http\",", ""); // no slot
            case 6 -> valid.replace("}]}", "}],\"k\":" + (i % 2 == 0 ? 0 : 1000) + "}"); // k out of range
            case 7 -> valid.replace("\"context\":" + zeros(encoder.contextFeatures()), "\"context\":[]");
            case 8 -> "";
            case 9 -> "[" + valid + "]"; // an array, not an object
            case 10 -> valid.replace("\"id\":\"a\"", "\"id\":\"\""); // blank candidate id
            default -> null;
        };
        if (body == null) {
            if (i % 24 == 11) {
                return builder.setHeader("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(valid))
                        .build(); // wrong media type
            }
            // Over the 1 MiB body limit. The selector answers 413 on the declared length and closes the
            // connection; waiting for its answer before sending (Expect: 100-continue) lets the client read it.
            return builder.expectContinue(true).POST(HttpRequest.BodyPublishers.ofString(valid.replace("}]}",
                    "}]," + "\"pad\":\"" + "x".repeat(1_100_000) + "\"}"))).build();
        }
        return builder.POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** After the storm: a decision request and an impression with a click still work end to end. */
    private void stillWorks(String bootstrap, String prefix, EncoderInfo encoder, ServiceProcess learner)
            throws Exception {
        Instant now = Instant.now();
        String id = "fuzz-after-" + System.nanoTime();
        try (KafkaProducer<String, SpecificRecord> producer = LearnerInput.producer(bootstrap)) {
            LearnerInput.send(producer, prefix, List.of(
                    new LearnerInput.Event(Topic.DECISION_REQUESTS, id, DecisionRequest.newBuilder().setRequestId(id)
                            .setSlot("fuzz/after").setContext(floats(encoder.contextFeatures(), 0f))
                            .setCandidates(List.of(new Candidate("a", floats(encoder.candidateFeatures(), 1f))))
                            .setK(1).setTimestamp(now).build(), now)));
        }
        // The fuzz wrote garbage to the decisions topic too: read bytes, decode ours only.
        var decoder = AvroSerdes.registryless(Decision.class).deserializer();
        String topic = Topic.DECISIONS.name(prefix);
        boolean decided = !CommittedRecords.read(bootstrap, topic,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                records -> records.stream().anyMatch(r -> id.equals(r.key())), Duration.ofSeconds(60), Duration.ZERO)
                .stream().filter(r -> id.equals(r.key()))
                .filter(r -> id.equals(decoder.deserialize(topic, r.value()).getRequestId())).toList().isEmpty();
        assertTrue(decided, "the selector's topic path still decides");
        // The decision is on the decisions topic: show it and click it; the learner must reward it.
        try (KafkaProducer<String, SpecificRecord> producer = LearnerInput.producer(bootstrap)) {
            Instant at = Instant.now();
            LearnerInput.send(producer, prefix, List.of(
                    new LearnerInput.Event(Topic.IMPRESSIONS, id, new Impression(id, "a", at), at),
                    new LearnerInput.Event(Topic.CLICKS, id, new Click(id, "a", at.plusMillis(100), null),
                            at.plusMillis(100))));
        }
        // Read until this click's reward (it comes when its attribution window ends): the storm's valid
        // impressions have rewards of their own on the topic, so the first reward read need not be this one.
        Predicate<Reward> ours = r -> r.getRequestId().equals(id) && r.getKind() == RewardKind.CLICK;
        List<Reward> rewards = CommittedRecords.read(bootstrap, Topic.REWARDS.name(prefix),
                AvroSerdes.registryless(Reward.class).deserializer(),
                records -> records.stream().anyMatch(r -> ours.test(r.value())), Duration.ofSeconds(60), Duration.ZERO)
                .stream().map(ConsumerRecord::value).toList();
        assertTrue(rewards.stream().anyMatch(ours), "the learner still turns clicks into rewards");
    }

    private static List<DeadLetter> readDeadLetters(String bootstrap, String prefix, int expected) {
        return CommittedRecords.values(bootstrap, Topic.DEAD_LETTERS.name(prefix),
                AvroSerdes.registryless(DeadLetter.class).deserializer(), expected, Duration.ofMinutes(2));
    }

    private static void await(List<Future<?>> pending) throws Exception {
        for (Future<?> future : pending) {
            future.get(30, TimeUnit.SECONDS);
        }
        pending.clear();
    }

    private static List<Float> floats(int n, float value) {
        List<Float> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(value);
        }
        return list;
    }

    private static String zeros(int n) {
        return "[" + String.join(",", java.util.Collections.nCopies(n, "0")) + "]";
    }

    private String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (32 + random.nextInt(95)));
        }
        return text.toString();
    }
}
