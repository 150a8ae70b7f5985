package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client retries one request three times through a load balancer that sends it to two selectors: one instance
 * owns the request id and decides it, the other forwards the request there, so every answer is the same decision
 * with one log record; a different body under the id is a 409 on both, and the learner turns the impression and
 * click into exactly one reward.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RetryAcrossInstancesTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void retriesOnTwoInstancesAreOneDecisionAndOneReward() throws Exception {
        ServiceRun run = ServiceRun.fresh("retry");
        try (ServiceProcess learner = run.learner("learner", List.of("-Dvitrine.learner.attribution-window=1000ms",
                "-Dvitrine.learner.hold-grace=1000ms", "-Dvitrine.learner.idle-close-delay=1000ms"));
             ServiceProcess a = run.selector("selector-a", List.of());
             ServiceProcess b = run.selector("selector-b", List.of());
             var stopping = ServiceProcess.stopTogether(learner, a, b)) {
            learner.launch();
            a.launch();
            b.launch();
            learner.awaitReady();
            a.awaitReady();
            b.awaitReady();
            HttpClient http = VitrineHttp.newClient();
            EncoderInfo encoder = new VitrineHttp(http, json).encoder(a.uri());

            awaitOneOwnerPerRequestId(http, encoder, a, b);

            String requestId = "retry-" + System.nanoTime();
            String body = body(requestId, encoder, 4);
            List<JsonNode> answers = new ArrayList<>();
            Set<String> servedBy = new HashSet<>();
            for (ServiceProcess instance : List.of(a, b, a)) {
                HttpResponse<String> answer = post(http, instance.uri(), body);
                assertEquals(200, answer.statusCode(), answer.body());
                answers.add(json.readTree(answer.body()));
                servedBy.add(answer.headers().firstValue("X-Vitrine-Served-By").orElse("none"));
            }
            assertEquals(answers.get(0), answers.get(1), "the other instance relays the same decision");
            assertEquals(answers.get(0), answers.get(2), "a retry on the first instance gets its answer again");
            assertEquals(1, servedBy.size(), "one instance decided every attempt: " + servedBy);
            assertTrue(Set.of("localhost:" + a.port(), "localhost:" + b.port()).containsAll(servedBy), servedBy::toString);
            for (ServiceProcess instance : List.of(a, b)) {
                HttpResponse<String> conflict = post(http, instance.uri(), body(requestId, encoder, 3));
                assertEquals(409, conflict.statusCode(), conflict.body());
                assertTrue(conflict.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
                assertEquals("request-id-conflict", json.readTree(conflict.body()).at("/errors/0/reason").asText());
            }

            // Every answer came after Kafka acknowledged its record: whatever was logged is on the topic now, and a
            // second record would be read within the settling time.
            String topic = Topic.DECISIONS.name(run.prefix());
            List<Decision> logged = CommittedRecords.read(run.bootstrap(), topic,
                            AvroSerdes.registryless(Decision.class).deserializer(),
                            records -> records.stream().anyMatch(r -> requestId.equals(r.key())),
                            Duration.ofSeconds(60), Duration.ofSeconds(2))
                    .stream().filter(r -> requestId.equals(r.key())).map(ConsumerRecord::value).toList();
            assertEquals(1, logged.size(), "one log record for the request id across both instances");
            assertEquals(answers.get(0).get("seed").asText(), Long.toString(logged.get(0).getSeed()));
            assertEquals(answers.get(0).at("/chosen/0/candidateId").asText(),
                    logged.get(0).getChosen().get(0).getCandidateId());

            String shown = answers.get(0).at("/chosen/0/candidateId").asText();
            Instant at = Instant.now();
            try (KafkaProducer<String, SpecificRecord> producer = LearnerInput.producer(run.bootstrap())) {
                LearnerInput.send(producer, run.prefix(), List.of(
                        new LearnerInput.Event(Topic.IMPRESSIONS, requestId, new Impression(requestId, shown, at), at),
                        new LearnerInput.Event(Topic.CLICKS, requestId, new Click(requestId, shown,
                                at.plusMillis(100), null), at.plusMillis(100))));
                LearnerInput.sendEndOfInput(producer, run.prefix(), at.plusSeconds(60));
            }
            List<Reward> rewards = CommittedRecords.read(run.bootstrap(), Topic.REWARDS.name(run.prefix()),
                            AvroSerdes.registryless(Reward.class).deserializer(),
                            // Rewards are keyed by scope: the request id is in the value.
                            records -> records.stream().anyMatch(r -> requestId.equals(r.value().getRequestId())),
                            Duration.ofSeconds(90), Duration.ofSeconds(3))
                    .stream().map(ConsumerRecord::value).filter(r -> r.getRequestId().equals(requestId)).toList();
            assertEquals(1, rewards.size(), "one reward for the request id: " + rewards);
            assertEquals(shown, rewards.get(0).getCandidateId());
            assertEquals(answers.get(0).at("/chosen/0/propensity").asDouble(), rewards.get(0).getPropensity(), 1e-9);
        }
    }

    /**
     * Waits until the two instances agree on who owns a request id: until then (the second instance joining the
     * topic path's group moves partitions) each may decide an id itself, as docs/api.md says of a rebalance.
     */
    private static void awaitOneOwnerPerRequestId(HttpClient http, EncoderInfo encoder, ServiceProcess a,
                                                  ServiceProcess b) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Set<String> servedBy = new HashSet<>();
        int agreed = 0; // in a row, over probe ids of (most likely) different partitions
        while (System.nanoTime() < deadline) {
            String probe = "probe-" + System.nanoTime();
            servedBy.clear();
            for (ServiceProcess instance : List.of(a, b)) {
                HttpResponse<String> answer = post(http, instance.uri(), body(probe, encoder, 2));
                servedBy.add(answer.statusCode() + " " + answer.headers().firstValue("X-Vitrine-Served-By").orElse(""));
            }
            agreed = servedBy.size() == 1 && servedBy.iterator().next().startsWith("200 ") ? agreed + 1 : 0;
            if (agreed == 8) {
                return;
            }
            if (agreed == 0) {
                Thread.sleep(500);
            }
        }
        throw new AssertionError("the selectors never agreed on a request id's owner: " + servedBy);
    }

    private static String body(String requestId, EncoderInfo encoder, int candidates) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < candidates; i++) {
            list.append(i == 0 ? "" : ",").append("{\"id\":\"c").append(i).append("\",\"features\":")
                    .append(features(encoder.candidateFeatures(), i)).append('}');
        }
        return "{\"requestId\":\"" + requestId + "\",\"slot\":\"retry/hero\",\"context\":"
                + features(encoder.contextFeatures(), 7) + ",\"candidates\":[" + list + "],\"k\":1}";
    }

    private static String features(int count, int salt) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(Float.toString(((i + salt) % 5) / 5f));
        }
        return "[" + String.join(",", values) + "]";
    }

    private static HttpResponse<String> post(HttpClient http, URI selector, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(selector.resolve("/v1/decisions"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
