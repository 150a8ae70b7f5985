package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
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
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly once while an encoder version rebuilds its posteriors by replay: the trainer publishes a version trained on
 * the reward log, then the learner is killed with SIGKILL three times while the version's application replays the
 * log, and the trainer three times too; each comes back on its state. In the end every reward of the log is in the
 * version's posterior once (its count equals the log's) and the posterior equals the batch fit of all rewards
 * re-encoded with the version's model (relative 1e-9); the live version's count is exact as well.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RebuildCrashTest {

    private static final int REWARDS = 60_000;
    private static final int SLOTS = 3;
    private static final int KILLS = 3;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = VitrineHttp.newClient();

    @Test
    void killedLearnerAndTrainerLeaveTheRebuiltPosteriorsExact() throws Exception {
        ServiceRun run = ServiceRun.fresh("rebuild");
        Random random = new Random(29);
        List<Reward> log = new ArrayList<>();
        try (KafkaProducer<String, SpecificRecord> producer = LearnerInput.producer(run.bootstrap())) {
            for (int i = 0; i < REWARDS; i++) {
                Reward reward = reward(random, "slot-" + (i % SLOTS), i);
                log.add(reward);
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topic.REWARDS.name(run.prefix()),
                        Scopes.learningKey(reward.getScope()), reward));
            }
            producer.flush();
        }
        List<String> learnerProps = List.of(
                "-Dkafka-streams.main.consumer.group.instance.id=" + run.prefix() + "instance",
                "-Dkafka-streams.consumer.session.timeout.ms=6000",
                "-Dkafka-streams.consumer.heartbeat.interval.ms=1500",
                // Small fetches and frequent commits: the replay takes long enough to be killed in the middle of.
                "-Dkafka-streams.consumer.max.poll.records=50",
                "-Dvitrine.learner.publish-interval=200ms");
        try (ServiceProcess learner = run.learner("learner", learnerProps);
             // The network form: its 81-dimensional z makes each replayed reward dearer than the bilinear form's 18,
             // and 60,000 rewards make the replay last long enough to be killed three times (12,000 did before the
             // statistics record was packed, which made each replayed reward several times cheaper).
             ServiceProcess trainer = run.trainer("trainer", List.of("-Dvitrine.trainer.enabled=false",
                     "-Dvitrine.trainer.min-rewards=100", "-Dvitrine.trainer.steps=200",
                     "-Dvitrine.trainer.form=mlp"));
             var stopping = ServiceProcess.stopTogether(learner, trainer)) {
            learner.launch();
            trainer.launch();
            learner.awaitReady();
            trainer.awaitReady();
            awaitTrainerSaw(trainer, REWARDS);
            String version = json.readTree(post(trainer.uri().resolve("/v1/trainer/train"))).path("version").asText();
            assertTrue(version.startsWith("t"), version);

            List<String> killLog = new ArrayList<>();
            for (int kill = 0; kill < KILLS; kill++) {
                // Part-way and further each time: a quarter, half and three quarters of the log replayed.
                long behind = awaitRebuilding(learner, version, (kill + 1.0) / (KILLS + 1));
                learner.kill();
                trainer.kill();
                killLog.add("learner and trainer killed with " + behind + " rewards left to replay");
                learner.launch();
                trainer.launch();
                learner.awaitReady();
                trainer.awaitReady();
            }
            System.err.println("rebuild crash test: " + killLog);
            awaitReady(learner, version);

            EncoderVersion published = CommittedRecords.values(run.bootstrap(), Topic.ENCODERS.name(run.prefix()),
                    AvroSerdes.registryless(EncoderVersion.class).deserializer(), 1, Duration.ofSeconds(30)).get(0);
            assertEquals(version, published.getVersion(), "the restarted trainer published nothing more");
            Map<String, PosteriorSnapshot> latest = latestSnapshots(run, log.size() / SLOTS);
            try (OnnxEncoder encoder = OnnxEncoder.load(RebuildRecords.bytes(published.getOnnx()))) {
                for (int s = 0; s < SLOTS; s++) {
                    String slot = "slot-" + s;
                    SufficientStatistics batch = SufficientStatistics.empty(encoder.info().dimension());
                    int count = 0;
                    for (Reward reward : log) {
                        if (reward.getSlot().equals(slot)) {
                            batch.update(encoder.encode(AvroArrays.floats(reward.getContext()),
                                    new float[][] {AvroArrays.floats(reward.getCandidateFeatures())})[0],
                                    reward.getReward());
                            count++;
                        }
                    }
                    PosteriorSnapshot rebuilt = latest.get(Scopes.of(slot, version));
                    assertEquals(count, rebuilt.getVersion(), slot + ": every reward once in the rebuilt posterior");
                    assertEquals(count, latest.get(Scopes.of(slot, "live")).getVersion(),
                            slot + ": every reward once in the live posterior");
                    NormalInverseGammaPosterior expected = NormalInverseGammaPosterior.fromStatistics(batch,
                            NigPrior.DEFAULT);
                    assertEquals(expected.bn(), rebuilt.getBn(), 1e-9 * expected.bn(), slot);
                    for (int j = 0; j < expected.mu().length; j++) {
                        assertEquals(expected.mu()[j], rebuilt.getMu().get(j),
                                1e-9 * Math.max(1, Math.abs(expected.mu()[j])), slot + " mu[" + j + "]");
                    }
                }
            }
        }
    }

    /**
     * Waits until the version's application has replayed at least {@code share} of the log but not all of it;
     * returns what is left.
     */
    private long awaitRebuilding(ServiceProcess learner, String version, double share) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = status(learner, version);
            long behind = last == null ? -1 : last.path("behind").asLong();
            long target = last == null ? 0 : last.path("target").asLong();
            if (last != null && last.path("state").asText().equals("REBUILDING") && behind > 0
                    && target - behind >= share * target) {
                return behind;
            }
            if (last != null && last.path("state").asText().equals("READY")) {
                throw new AssertionError("the replay ended before it could be interrupted: " + last);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("version " + version + " never " + Math.round(100 * share)
                + "% rebuilt: " + last);
    }

    private void awaitReady(ServiceProcess learner, String version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = status(learner, version);
            if (last != null && last.path("state").asText().equals("READY")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("version " + version + " not ready: " + last);
    }

    private JsonNode status(ServiceProcess learner, String version) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(learner.uri().resolve("/v1/encoders"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return null;
        }
        for (JsonNode status : json.readTree(response.body())) {
            if (status.path("version").asText().equals(version)) {
                return status;
            }
        }
        return null;
    }

    private void awaitTrainerSaw(ServiceProcess trainer, int rewards) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(trainer.uri().resolve("/v1/trainer"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && json.readTree(response.body()).path("rewardsReceived").asLong() >= rewards) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the trainer did not read the " + rewards + " rewards");
    }

    private String post(URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** The newest committed snapshot of every scope, once each rebuilt scope counts {@code perSlot} rewards. */
    private static Map<String, PosteriorSnapshot> latestSnapshots(ServiceRun run, int perSlot) {
        List<ConsumerRecord<String, PosteriorSnapshot>> records = CommittedRecords.read(run.bootstrap(),
                Topic.POSTERIORS.name(run.prefix()), AvroSerdes.registryless(PosteriorSnapshot.class).deserializer(),
                read -> RebuildRecords.latest(read).values().stream().filter(p -> !p.getEncoderVersion().equals("live"))
                        .filter(p -> p.getVersion() >= perSlot).count() >= SLOTS,
                Duration.ofSeconds(120), Duration.ofSeconds(3));
        return RebuildRecords.latest(records);
    }

    /** Clicks more likely when the first context and candidate features agree in sign. */
    private static Reward reward(Random random, String slot, int i) {
        List<Float> context = List.of(random.nextFloat() * 2 - 1, random.nextFloat(), random.nextFloat());
        List<Float> candidate = List.of(random.nextFloat() * 2 - 1, random.nextFloat());
        boolean click = random.nextDouble() < (context.get(0) * candidate.get(0) > 0 ? 0.4 : 0.05);
        Instant at = Instant.now();
        return Reward.newBuilder()
                .setRequestId("rb-" + i).setCandidateId("c" + (i % 4)).setSlot(slot).setScope(Scopes.of(slot, "live"))
                .setEncoderVersion("live").setReward(click ? 1 : 0).setKind(click ? RewardKind.CLICK
                        : RewardKind.NO_CLICK)
                .setDecisionTimestamp(at).setImpressionTimestamp(at).setClickTimestamp(click ? at : null)
                .setPropensity(0.5).setEmbedding(List.of(1f, 0.5f)).setContext(context).setCandidateFeatures(candidate)
                .build();
    }

}
