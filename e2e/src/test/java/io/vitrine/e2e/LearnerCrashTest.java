package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly once under SIGKILL: one learner process is killed at random points while events flow (at least five
 * times) and started again on its state directory; a second learner reads the same input on its own topics and
 * is never disturbed. In the end the killed learner's posterior statistics equal the undisturbed one's, and
 * every impression gave exactly one reward, of the right kind.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LearnerCrashTest {

    private static final int KILLS = 5;
    private static final int REQUESTS = 2_400;
    private static final int SCOPES = 4;
    private static final Duration SPACING = Duration.ofMillis(25);
    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static final int BATCH = 80;
    private static final Duration BATCH_PAUSE = Duration.ofMillis(250);

    @Test
    void killedLearnerEndsWithTheStatisticsOfAnUndisturbedOne() throws Exception {
        ServiceRun killedRun = ServiceRun.fresh("crash-killed");
        ServiceRun calmRun = ServiceRun.fresh("crash-calm");
        String bootstrap = killedRun.bootstrap();
        LearnerInput input = new LearnerInput(17, REQUESTS, SCOPES, SPACING, WINDOW,
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Random random = new Random(System.nanoTime());
        AtomicInteger kills = new AtomicInteger();
        try (ServiceProcess killed = killedRun.learner("killed", learnerProperties(killedRun.prefix()));
             ServiceProcess calm = calmRun.learner("calm", learnerProperties(calmRun.prefix()));
             var stopping = ServiceProcess.stopTogether(killed, calm)) {
            killed.launch();
            calm.launch();
            killed.awaitReady();
            calm.awaitReady();

            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(bootstrap, input,
                    List.of(killedRun.prefix(), calmRun.prefix()), kills));
            List<String> killLog = new ArrayList<>();
            while (!producing.isDone() || kills.get() < KILLS) {
                long wait = 1_000 + random.nextInt(3_000);
                Thread.sleep(wait);
                killed.kill();
                killLog.add(String.format("kill %d after %d ms%s", kills.get() + 1, wait,
                        producing.isDone() ? " (input complete)" : ""));
                killed.start();
                kills.incrementAndGet();
            }
            producing.get(2, TimeUnit.MINUTES);
            System.err.println("learner crash test: " + String.join(", ", killLog));

            int expected = input.expectedRewards().size();
            List<Reward> killedRewards = LearnerInput.readRewards(bootstrap, killedRun.prefix(), expected,
                    Duration.ofMinutes(2));
            List<Reward> calmRewards = LearnerInput.readRewards(bootstrap, calmRun.prefix(), expected,
                    Duration.ofMinutes(1));

            assertExactlyOneRewardPerImpression(input, calmRewards, "undisturbed");
            assertExactlyOneRewardPerImpression(input, killedRewards, "killed " + kills.get() + " times");

            for (String scope : input.rewardsByScope().keySet()) {
                long version = input.rewardsByScope().get(scope);
                JsonNode calmPosterior = awaitVersion(calm, scope, version);
                JsonNode killedPosterior = awaitVersion(killed, scope, version);
                assertEquals(calmPosterior.path("n").asDouble(), killedPosterior.path("n").asDouble(), 1e-9, scope);
                assertEquals(calmPosterior.path("a").asDouble(), killedPosterior.path("a").asDouble(), 1e-9, scope);
                assertEquals(calmPosterior.path("bn").asDouble(), killedPosterior.path("bn").asDouble(),
                        1e-9 * Math.abs(calmPosterior.path("bn").asDouble()), scope);
                for (int j = 0; j < LearnerInput.DIMENSION; j++) {
                    assertEquals(calmPosterior.path("mu").get(j).asDouble(),
                            killedPosterior.path("mu").get(j).asDouble(), 1e-9, scope + " mu[" + j + "]");
                }
            }
        }
        assertTrue(kills.get() >= KILLS);
    }

    /** The learner's settings: short windows, static membership so that a restarted instance takes over at once. */
    private static List<String> learnerProperties(String prefix) {
        return List.of(
                "-Dvitrine.learner.attribution-window=" + WINDOW.toMillis() + "ms",
                "-Dvitrine.learner.hold-grace=" + WINDOW.toMillis() + "ms",
                // Longer than any pause of the input (segments wait for a kill and a restart): windows close by event
                // time only, and the end-of-input decisions close the last ones.
                "-Dvitrine.learner.idle-close-delay=60000ms",
                "-Dvitrine.learner.publish-interval=200ms",
                "-Dkafka-streams.main.consumer.group.instance.id=" + prefix + "instance",
                "-Dkafka-streams.consumer.session.timeout.ms=6000",
                "-Dkafka-streams.consumer.heartbeat.interval.ms=1500");
    }

    /**
     * Writes the input to every prefix in paced batches, in {@value #KILLS} + 1 segments: a segment starts only
     * once the learner was killed after the previous one began, and a kill comes 1 to 4 s after the learner is
     * back, so that every kill falls on a learner with work in flight.
     */
    private static void produce(String bootstrap, LearnerInput input, List<String> prefixes, AtomicInteger kills) {
        List<LearnerInput.Event> events = input.events();
        try (KafkaProducer<String, SpecificRecord> producer = LearnerInput.producer(bootstrap)) {
            for (int from = 0; from < events.size(); from += BATCH) {
                while (kills.get() < KILLS && from >= (long) (kills.get() + 1) * events.size() / (KILLS + 1)) {
                    Thread.sleep(50);
                }
                List<LearnerInput.Event> batch = events.subList(from, Math.min(events.size(), from + BATCH));
                for (String prefix : prefixes) {
                    LearnerInput.send(producer, prefix, batch);
                }
                Thread.sleep(BATCH_PAUSE.toMillis());
            }
            Instant end = events.get(events.size() - 1).timestamp().plus(WINDOW).plusSeconds(1);
            for (String prefix : prefixes) {
                LearnerInput.sendEndOfInput(producer, prefix, end);
            }
        } catch (Exception e) {
            throw new IllegalStateException("writing the input failed", e);
        }
    }

    static void assertExactlyOneRewardPerImpression(LearnerInput input, List<Reward> rewards, String who) {
        Map<String, Integer> seen = new HashMap<>();
        for (Reward reward : rewards) {
            String window = reward.getRequestId() + "/" + reward.getCandidateId();
            seen.merge(window, 1, Integer::sum);
            Boolean clicked = input.expectedRewards().get(window);
            assertTrue(clicked != null, who + ": a reward for no impression: " + window);
            assertEquals(clicked ? RewardKind.CLICK : RewardKind.NO_CLICK, reward.getKind(), who + ": " + window);
        }
        List<String> doubled = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .limit(5).toList();
        assertTrue(doubled.isEmpty(), who + ": rewards emitted more than once, e.g. " + doubled);
        assertEquals(input.expectedRewards().size(), seen.size(), who + ": impressions without a reward");
    }

    static JsonNode awaitVersion(ServiceProcess learner, String scope, long version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        ServiceProcess.Answer answer = null;
        while (System.nanoTime() < deadline) {
            answer = learner.posterior(scope);
            if (answer.status() == 200 && answer.body().path("version").asLong() == version) {
                return answer.body();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the posterior of " + scope + " did not reach version " + version + ": "
                + (answer == null ? "no answer" : answer.status() + " " + answer.body()));
    }
}
