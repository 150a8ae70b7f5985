package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.avro.Reward;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.HttpDecisionClient;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.sim.DecisionQuery;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two learners and two selectors share the partitions; one of each is stopped in the middle of the run. The
 * learners still turn every impression into exactly one reward and fold every reward into the posterior once;
 * the selectors still answer every decision request, on HTTP and on the topic path, exactly once; and
 * {@code GET /v1/posteriors/{scope}} answers the same from either learner, whichever owns the scope.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ScaleOutTest {

    private static final int REQUESTS = 1_600;
    private static final int SCOPES = 6;
    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static final int BATCH = 80;
    private static final Duration BATCH_PAUSE = Duration.ofMillis(400);
    private static final int TOPIC_REQUESTS = 400;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void twoOfEachShareTheWorkAndOneOfEachStopsMidRun() throws Exception {
        ServiceRun run = ServiceRun.fresh("scale");
        String bootstrap = run.bootstrap();
        String prefix = run.prefix();
        // A batch carries BATCH x 25 ms = 2 s of event time, sent at once: a click of a batch can be fetched after
        // impressions of the same batch that are up to 2 s later, and Kafka Streams orders a task's partitions only
        // by what it has fetched or knows to be on the broker (docs/reliability.md, "What is left"). The allowed
        // lateness covers two batches of event time, as a deployment's default 1 s covers its producers' second.
        List<String> learnerProps = List.of("-Dvitrine.learner.attribution-window=" + WINDOW.toMillis() + "ms",
                "-Dvitrine.learner.allowed-lateness=4000ms",
                "-Dvitrine.learner.hold-grace=" + WINDOW.toMillis() + "ms",
                "-Dvitrine.learner.idle-close-delay=2000ms",
                "-Dvitrine.learner.publish-interval=200ms");
        try (ServiceProcess learner1 = run.learner("learner-1", learnerProps);
             ServiceProcess learner2 = run.learner("learner-2", learnerProps);
             ServiceProcess selector1 = run.selector("selector-1", List.of());
             ServiceProcess selector2 = run.selector("selector-2", List.of());
             var stopping = ServiceProcess.stopTogether(learner1, learner2, selector1, selector2)) {
            for (ServiceProcess service : List.of(learner1, learner2, selector1, selector2)) {
                service.launch();
            }
            for (ServiceProcess service : List.of(learner1, learner2, selector1, selector2)) {
                service.awaitReady();
            }
            // Event time starts a minute ahead of the wall clock and runs faster, so that the selectors' decisions
            // (stamped with the wall clock, on the same topic) never move the learners' stream time past the
            // input's, even when a loaded machine sends the input slowly.
            LearnerInput input = new LearnerInput(23, REQUESTS, SCOPES, Duration.ofMillis(25), WINDOW,
                    Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.SECONDS));

            var httpClient = VitrineHttp.newClient();
            EncoderInfo encoder = new VitrineHttp(httpClient, json).encoder(selector1.uri());
            List<HttpDecisionClient> selectors = new ArrayList<>(List.of(
                    new HttpDecisionClient(httpClient, json, selector1.uri()),
                    new HttpDecisionClient(httpClient, json, selector2.uri())));

            List<LearnerInput.Event> events = input.events();
            int half = events.size() / 2;
            int httpAnswers = 0;
            Set<String> topicRequests = new HashSet<>();
            boolean proxiedWhileBothRan = false;
            try (KafkaProducer<String, SpecificRecord> producer = LearnerInput.producer(bootstrap)) {
                for (int from = 0, round = 0; from < events.size(); from += BATCH, round++) {
                    if (from >= half && learner2.alive()) {
                        proxiedWhileBothRan = bothAnswerAlike(input, learner1, learner2);
                        ServiceProcess.stopTogether(learner2, selector2).close();
                        selectors.remove(1);
                    }
                    LearnerInput.send(producer, prefix, events.subList(from, Math.min(events.size(), from + BATCH)));
                    // Decision requests on HTTP, to every running selector, and on the topic path.
                    for (HttpDecisionClient selector : selectors) {
                        selector.decide(query(encoder, "http-" + round + "-" + selectors.indexOf(selector)));
                        httpAnswers++;
                    }
                    List<LearnerInput.Event> requests = new ArrayList<>();
                    for (int i = 0; i < TOPIC_REQUESTS / (events.size() / BATCH + 1) + 1; i++) {
                        String id = "topic-" + round + "-" + i;
                        topicRequests.add(id);
                        requests.add(new LearnerInput.Event(Topic.DECISION_REQUESTS, id, request(encoder, id),
                                Instant.now()));
                    }
                    LearnerInput.send(producer, prefix, requests);
                    Thread.sleep(BATCH_PAUSE.toMillis());
                }
            }
            assertTrue(proxiedWhileBothRan, "while both learners ran, one answered for the other's scopes");

            List<Reward> rewards = LearnerInput.readRewards(bootstrap, prefix, input.expectedRewards().size(),
                    Duration.ofMinutes(2));
            LearnerCrashTest.assertExactlyOneRewardPerImpression(input, rewards, "two learners, one stopped");
            for (var scope : input.rewardsByScope().entrySet()) {
                LearnerCrashTest.awaitVersion(learner1, scope.getKey(), scope.getValue());
            }

            Map<String, Integer> decided = decisionsByRequest(bootstrap, prefix, topicRequests.size());
            assertEquals(topicRequests, decided.keySet().stream().filter(id -> id.startsWith("topic-"))
                    .collect(java.util.stream.Collectors.toSet()), "every topic request decided");
            List<String> twice = decided.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                    .toList();
            assertTrue(twice.isEmpty(), "decided more than once: " + twice);
            assertTrue(httpAnswers > 0);
            System.err.printf("scale-out: %d rewards, %d decisions logged (topic path and HTTP), %d HTTP answers%n", rewards.size(),
                    decided.size(), httpAnswers);
        }
    }

    /** Every scope answered by both learners with the same body, and some answers proxied to the other one. */
    private static boolean bothAnswerAlike(LearnerInput input, ServiceProcess one, ServiceProcess two)
            throws Exception {
        boolean proxied = false;
        for (String scope : input.rewardsByScope().keySet()) {
            for (int attempt = 0; ; attempt++) {
                ServiceProcess.Answer a = one.posterior(scope);
                ServiceProcess.Answer b = two.posterior(scope);
                if (a.status() == 200 && b.status() == 200 && a.body().equals(b.body())) {
                    assertEquals(a.servedBy(), b.servedBy(), "one owner per scope");
                    proxied |= !a.servedBy().orElseThrow().endsWith(":" + one.port())
                            || !b.servedBy().orElseThrow().endsWith(":" + two.port());
                    break;
                }
                // The posterior moves between the two reads while events flow: read again.
                assertTrue(attempt < 40, scope + ": " + a.status() + " " + a.body() + " / " + b.status() + " "
                        + b.body());
                Thread.sleep(100);
            }
        }
        return proxied;
    }

    private static DecisionQuery query(EncoderInfo encoder, String requestId) {
        return new DecisionQuery(requestId, "scale/hero", new float[encoder.contextFeatures()],
                List.of(new DecisionQuery.CandidateFeatures("a", features(encoder, 0)),
                        new DecisionQuery.CandidateFeatures("b", features(encoder, 1))), 1);
    }

    private static DecisionRequest request(EncoderInfo encoder, String requestId) {
        List<Float> context = new ArrayList<>();
        for (int i = 0; i < encoder.contextFeatures(); i++) {
            context.add(0.1f * i);
        }
        return DecisionRequest.newBuilder().setRequestId(requestId).setSlot("scale/topic").setContext(context)
                .setCandidates(List.of(new Candidate("a", boxed(features(encoder, 0))),
                        new Candidate("b", boxed(features(encoder, 1)))))
                .setK(1).setTimestamp(Instant.now()).build();
    }

    private static float[] features(EncoderInfo encoder, int hot) {
        float[] f = new float[encoder.candidateFeatures()];
        f[hot % f.length] = 1f;
        return f;
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>();
        for (float v : values) {
            list.add(v);
        }
        return list;
    }

    /** Committed decisions on the topic, counted by request id, once {@code expected} topic requests are in. */
    private static Map<String, Integer> decisionsByRequest(String bootstrap, String prefix, int expected) {
        Map<String, Integer> counts = new HashMap<>();
        CommittedRecords.read(bootstrap, Topic.DECISIONS.name(prefix),
                        AvroSerdes.registryless(Decision.class).deserializer(),
                        records -> records.stream().filter(r -> r.value().getRequestId().startsWith("topic-"))
                                .count() >= expected, Duration.ofSeconds(90), Duration.ofSeconds(3))
                .forEach(record -> counts.merge(record.value().getRequestId(), 1, Integer::sum));
        return counts;
    }
}
