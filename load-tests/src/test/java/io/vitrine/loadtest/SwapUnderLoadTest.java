package io.vitrine.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Decision;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.e2e.CommittedRecords;
import io.vitrine.e2e.LearnerInput;
import io.vitrine.e2e.RebuildRecords;
import io.vitrine.e2e.ServiceProcess;
import io.vitrine.e2e.ServiceRun;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.schemas.AvroArrays;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Scopes;
import io.vitrine.schemas.Topic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An encoder swap under load: the selector answers decisions at a fixed arrival rate of 1,000 per second (open
 * loop, each request sent at its intended time whatever the earlier ones did) while a version trained by the trainer
 * is rebuilt by the learner and promoted. No request fails; every answer and every logged decision names the
 * version it used (the built-in encoder before the swap, the new one after); every request sent 5 s or more after
 * the promotion is answered with the new version; and the new version's posterior equals the batch fit of every reward re-encoded with
 * its model (relative 1e-9).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SwapUnderLoadTest {

    private static final int REWARDS = 3_000;
    private static final int SLOTS = 2;
    private static final int RATE = 1_000;
    private static final Duration LOAD = Duration.ofSeconds(30);
    /**
     * Requests in flight at most: each needs its own HTTP/1.1 connection, and the test JVM's broker shares its file
     * limit. Past it, sending waits; latency still counts from the intended send time, so the wait shows.
     */
    private static final int IN_FLIGHT = 256;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = VitrineHttp.newClient();

    /** One answer: when it was meant to be sent, its status and the encoder version it names. */
    private record Answer(String requestId, long intendedNanos, long sentNanos, long answeredNanos, int status,
                          String encoderVersion) {
    }

    @Test
    void promotingAVersionUnderLoadFailsNoRequestAndEveryDecisionNamesItsVersion() throws Exception {
        ServiceRun run = ServiceRun.fresh("swap");
        Random random = new Random(31);
        List<Reward> log = new ArrayList<>();
        try (KafkaProducer<String, SpecificRecord> producer = LearnerInput.producer(run.bootstrap())) {
            for (int i = 0; i < REWARDS; i++) {
                Reward reward = reward(random, "slot-" + (i % SLOTS), i);
                log.add(reward);
                producer.send(new ProducerRecord<>(Topic.REWARDS.name(run.prefix()),
                        Scopes.learningKey(reward.getScope()), reward));
            }
            producer.flush();
        }
        try (ServiceProcess learner = run.learner("learner", List.of("-Dvitrine.learner.publish-interval=200ms"));
             // The gate off: these rewards carry no candidates to evaluate on, and the swap is what is tested here.
             ServiceProcess trainer = run.trainer("trainer", List.of("-Dvitrine.trainer.enabled=false",
                     "-Dvitrine.trainer.gate.enabled=false", "-Dvitrine.trainer.min-rewards=100",
                     "-Dvitrine.trainer.steps=200"));
             ServiceProcess selector = run.selector("selector", List.of());
             var stopping = ServiceProcess.stopTogether(learner, trainer, selector)) {
            learner.launch();
            trainer.launch();
            selector.launch();
            learner.awaitReady();
            trainer.awaitReady();
            selector.awaitReady();
            String builtIn = json.readTree(get(selector.uri().resolve("/v1/encoder"))).path("version").asText();
            awaitTrainerSaw(trainer, REWARDS);
            String version = json.readTree(post(trainer.uri().resolve("/v1/trainer/train"), "")).path("version")
                    .asText();

            Map<String, Answer> answers = new ConcurrentHashMap<>();
            ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
            AtomicLong failures = new AtomicLong();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            int total = (int) (RATE * LOAD.toSeconds());
            CountDownLatch done = new CountDownLatch(total);
            Thread load = new Thread(() -> drive(selector.uri(), start, total, random, answers, latency, failures,
                    done), "load");
            load.start();

            // A third of the way in, once its rebuild is done, the version is promoted.
            Thread.sleep(LOAD.toMillis() / 3);
            awaitReadyOnTrainer(trainer, version);
            long promotedAt = System.nanoTime();
            post(trainer.uri().resolve("/v1/encoders/" + version + "/promote"), "{\"actor\": \"swap-test\"}");
            load.join();
            assertTrue(done.await(60, TimeUnit.SECONDS), "every request answered");

            long lastAnswer = answers.values().stream().mapToLong(Answer::answeredNanos).max().orElse(start);
            System.err.printf(Locale.ROOT, "swap under load: %d requests offered at %d/s, answered at %.0f/s on"
                            + " average, %d failed, latency from the intended send time p50 %.1f ms, p99 %.1f ms,"
                            + " max %.1f ms%n", total, RATE, total / ((lastAnswer - start) / 1e9), failures.get(),
                    latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
                    latency.getMaxValue() / 1e6);
            assertEquals(0, failures.get(), "no request failed");
            assertEquals(total, answers.size());
            long before = 0;
            long after = 0;
            for (Answer answer : answers.values()) {
                assertEquals(200, answer.status(), answer.toString());
                assertTrue(answer.encoderVersion().equals(builtIn) || answer.encoderVersion().equals(version),
                        "every decision names the version it used: " + answer);
                if (answer.sentNanos() > promotedAt + TimeUnit.SECONDS.toNanos(5)) {
                    assertEquals(version, answer.encoderVersion(), "5 s after the promotion: " + answer);
                }
                if (answer.encoderVersion().equals(version)) {
                    after++;
                } else {
                    before++;
                }
            }
            assertTrue(before > 0 && after > 0, "the swap happened during the load: " + before + " before, "
                    + after + " after");

            List<Decision> logged = CommittedRecords.values(run.bootstrap(), Topic.DECISIONS.name(run.prefix()),
                    AvroSerdes.registryless(Decision.class).deserializer(), total, Duration.ofSeconds(60));
            assertEquals(total, logged.size(), "every decision answered is on the decisions topic, once");
            for (Decision decision : logged) {
                Answer answer = answers.get(decision.getRequestId());
                assertEquals(answer.encoderVersion(), decision.getEncoderVersion(), decision.getRequestId());
                assertEquals(Scopes.of(decision.getSlot(), decision.getEncoderVersion()), decision.getScope());
            }

            EncoderVersion published = CommittedRecords.values(run.bootstrap(), Topic.ENCODERS.name(run.prefix()),
                    AvroSerdes.registryless(EncoderVersion.class).deserializer(), 1, Duration.ofSeconds(30)).get(0);
            Map<String, PosteriorSnapshot> latest = latestSnapshots(run, version);
            try (OnnxEncoder encoder = OnnxEncoder.load(RebuildRecords.bytes(published.getOnnx()))) {
                for (int s = 0; s < SLOTS; s++) {
                    String slot = "slot-" + s;
                    SufficientStatistics batch = SufficientStatistics.empty(encoder.info().dimension());
                    for (Reward reward : log) {
                        if (reward.getSlot().equals(slot)) {
                            batch.update(encoder.encode(AvroArrays.floats(reward.getContext()),
                                    new float[][] {AvroArrays.floats(reward.getCandidateFeatures())})[0],
                                    reward.getReward());
                        }
                    }
                    PosteriorSnapshot rebuilt = latest.get(Scopes.of(slot, version));
                    NormalInverseGammaPosterior expected = NormalInverseGammaPosterior.fromStatistics(batch,
                            NigPrior.DEFAULT);
                    assertEquals(REWARDS / SLOTS, rebuilt.getVersion(), slot + ": every reward once");
                    assertEquals(expected.bn(), rebuilt.getBn(), 1e-9 * expected.bn(), slot);
                    for (int j = 0; j < expected.mu().length; j++) {
                        assertEquals(expected.mu()[j], rebuilt.getMu().get(j),
                                1e-9 * Math.max(1, Math.abs(expected.mu()[j])), slot + " mu[" + j + "]");
                    }
                }
            }
        }
    }

    /** Sends {@code total} decisions at {@link #RATE} per second, each at its intended time (open loop). */
    private void drive(URI selector, long start, int total, Random random, Map<String, Answer> answers,
                       ConcurrentHistogram latency, AtomicLong failures, CountDownLatch done) {
        long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(IN_FLIGHT);
        String[] bodies = new String[64];
        for (int b = 0; b < bodies.length; b++) {
            bodies[b] = body(random, "slot-" + (b % SLOTS));
        }
        for (int i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            inFlight.acquireUninterruptibly();
            String requestId = "load-" + i;
            long sent = System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(selector.resolve("/v1/decisions"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(bodies[i % bodies.length]
                            .replace("\"REQUEST\"", "\"" + requestId + "\"")))
                    .build();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                inFlight.release();
                latency.recordValue(Math.max(0, System.nanoTime() - intended));
                String version = "";
                int status = error != null ? -1 : response.statusCode();
                if (status == 200) {
                    try {
                        version = json.readTree(response.body()).path("encoderVersion").asText();
                    } catch (Exception e) {
                        status = -2;
                    }
                }
                if (status != 200) {
                    failures.incrementAndGet();
                }
                answers.put(requestId, new Answer(requestId, intended, sent, System.nanoTime(), status, version));
                done.countDown();
            });
        }
    }

    private static String body(Random random, String slot) {
        StringBuilder body = new StringBuilder("{\"requestId\": \"REQUEST\", \"slot\": \"" + slot + "\", \"context\": ")
                .append(vector(random)).append(", \"candidates\": [");
        for (int a = 0; a < 4; a++) {
            body.append(a == 0 ? "" : ", ").append("{\"id\": \"c").append(a).append("\", \"features\": ")
                    .append(vector(random)).append('}');
        }
        return body.append("]}").toString();
    }

    private static String vector(Random random) {
        StringBuilder v = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            v.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", random.nextFloat() * 2 - 1));
        }
        return v.append(']').toString();
    }

    private void awaitReadyOnTrainer(ServiceProcess trainer, String version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String state = "";
        while (System.nanoTime() < deadline) {
            for (JsonNode v : json.readTree(get(trainer.uri().resolve("/v1/encoders"))).path("versions")) {
                if (v.path("version").asText().equals(version)) {
                    state = v.path("state").asText();
                }
            }
            if (state.equals("READY")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("version " + version + " not rebuilt: " + state);
    }

    private void awaitTrainerSaw(ServiceProcess trainer, int rewards) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (json.readTree(get(trainer.uri().resolve("/v1/trainer"))).path("rewardsReceived").asLong() >= rewards) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the trainer did not read the " + rewards + " rewards");
    }

    private String get(URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private String post(URI uri, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** The newest committed snapshot of every scope, once each of the version's scopes counts all its rewards. */
    private static Map<String, PosteriorSnapshot> latestSnapshots(ServiceRun run, String version) {
        List<ConsumerRecord<String, PosteriorSnapshot>> records = CommittedRecords.read(run.bootstrap(),
                Topic.POSTERIORS.name(run.prefix()), AvroSerdes.registryless(PosteriorSnapshot.class).deserializer(),
                read -> RebuildRecords.latest(read).values().stream().filter(p -> p.getEncoderVersion().equals(version))
                        .filter(p -> p.getVersion() >= REWARDS / SLOTS).count() >= SLOTS,
                Duration.ofSeconds(120), Duration.ofSeconds(3));
        return RebuildRecords.latest(records);
    }

    /** Clicks more likely when the first context and candidate features agree in sign; 8 + 8 features. */
    private static Reward reward(Random random, String slot, int i) {
        List<Float> context = new ArrayList<>();
        List<Float> candidate = new ArrayList<>();
        for (int f = 0; f < 8; f++) {
            context.add(random.nextFloat() * 2 - 1);
            candidate.add(random.nextFloat() * 2 - 1);
        }
        boolean click = random.nextDouble() < (context.get(0) * candidate.get(0) > 0 ? 0.4 : 0.05);
        Instant at = Instant.now();
        return Reward.newBuilder()
                .setRequestId("sw-" + i).setCandidateId("c" + (i % 4)).setSlot(slot).setScope(Scopes.of(slot, "live"))
                .setEncoderVersion("live").setReward(click ? 1 : 0).setKind(click ? RewardKind.CLICK
                        : RewardKind.NO_CLICK)
                .setDecisionTimestamp(at).setImpressionTimestamp(at).setClickTimestamp(click ? at : null)
                .setPropensity(0.5).setEmbedding(List.of(1f)).setContext(context).setCandidateFeatures(candidate)
                .build();
    }
}
