package io.vitrine.learner;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Booking values after clicks, on a real broker with exactly once: the learner's rewards follow the configured rule
 * (a weighted sum of the click and a hundredth of the booking, bookings up to 1,000), and the posterior it serves is
 * the batch fit of those rewards.
 */
@QuarkusTest
@TestProfile(BookingRewardTest.Bookings.class)
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class BookingRewardTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();

    /** A hotel's rule: a click is worth 1, a booking a hundredth of its amount on top. */
    public static final class Bookings implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vitrine.learner.reward-rule.combine", "weighted-sum",
                    "vitrine.learner.reward-rule.value-weight", "0.01",
                    "vitrine.learner.reward-rule.max-value", "1000");
        }
    }

    @Test
    void bookingsAfterClicksMakeTheRuleRewardsAndTheServedPosteriorIsTheirBatchFit() throws Exception {
        String slot = "booking-" + System.nanoTime() + "/hero";
        String scope = slot + "@enc";
        List<float[]> zs = List.of(new float[] {1f, 0f}, new float[] {0f, 1f}, new float[] {1f, 1f},
                new float[] {0.5f, -1f}, new float[] {-1f, 0.25f}, new float[] {2f, 0.5f});
        Instant now = Instant.now();
        String[] ids = new String[zs.size()];
        for (int i = 0; i < zs.size(); i++) {
            ids[i] = slot + "-r" + i;
            decide(ids[i], slot, scope, zs.get(i), now);
            LearnerServiceTest.send(Topic.IMPRESSIONS, ids[i], new Impression(ids[i], "a", now.plusMillis(10)),
                    now.plusMillis(10));
        }
        click(ids[0], now.plusMillis(200), null);
        click(ids[0], now.plusMillis(900), 250.0);   // the booking after its click
        click(ids[1], now.plusMillis(200), null);    // a click, no booking
        // ids[2]: shown, not clicked
        click(ids[3], now.plusMillis(300), 40.0);
        click(ids[3], now.plusMillis(300), 40.0);    // the same booking sent again
        click(ids[4], now.plusMillis(400), 500.0);   // a booking without a click of its own
        click(ids[5], now.plusMillis(200), null);
        click(ids[5], now.plusMillis(500), 1500.0);  // above max-value: a dead letter, the click stands
        double[] expected = {1 + 2.5, 1, 0, 1 + 0.4, 1 + 5, 1};

        Map<String, Reward> rewards = rewards(List.of(ids));
        for (int i = 0; i < ids.length; i++) {
            assertEquals(expected[i], rewards.get(ids[i]).getReward(), 1e-12, ids[i]);
        }
        DeadLetter letter = LearnerServiceTest.readFirst(Topic.DEAD_LETTERS, DeadLetter.class,
                d -> d.getKey() != null && StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString()
                        .equals(ids[5]));
        assertEquals("invalid-value", letter.getReason());
        assertTrue(letter.getDetail().contains("value 1500.0 is outside [0.0, 1000.0]"), letter.getDetail());
        assertEquals(Topic.CLICKS.name(Topic.DEFAULT_PREFIX), letter.getSourceTopic());

        // The batch fit of those rewards (no forgetting configured): every sum at once, then the NIG posterior.
        int d = 2;
        double[] A = new double[d * d];
        double[] b = new double[d];
        double yy = 0;
        for (int i = 0; i < zs.size(); i++) {
            yy += expected[i] * expected[i];
            for (int j = 0; j < d; j++) {
                b[j] += expected[i] * zs.get(i)[j];
                for (int k = 0; k < d; k++) {
                    A[j * d + k] += (double) zs.get(i)[j] * zs.get(i)[k];
                }
            }
        }
        NormalInverseGammaPosterior fit = NormalInverseGammaPosterior.fromStatistics(
                SufficientStatistics.of(zs.size(), A, b, yy, zs.size()), NigPrior.DEFAULT);
        JsonNode served = served(scope, zs.size());
        assertEquals(zs.size(), served.get("n").doubleValue(), 1e-12);
        assertEquals(fit.a(), served.get("a").doubleValue(), 1e-9 * fit.a());
        assertEquals(fit.bn(), served.get("bn").doubleValue(), 1e-9 * fit.bn());
        for (int j = 0; j < d; j++) {
            assertEquals(fit.mu()[j], served.get("mu").get(j).doubleValue(),
                    1e-9 * Math.max(1, Math.abs(fit.mu()[j])), "mu[" + j + "]");
        }
    }

    /** The Python example ({@code clients/python}, librdkafka on its defaults) sends bookings as Avro and as JSON. */
    @Test
    void bookingsFromThePythonExampleAsAvroAndJsonMakeTheRuleRewards() throws Exception {
        boolean installed = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c",
                "import confluent_kafka, avro").redirectErrorStream(true).start().waitFor() == 0;
        Assumptions.assumeTrue(installed, "Debian's python3-confluent-kafka and python3-avro are not installed "
                + "(apt-get install python3-confluent-kafka python3-avro): skipping the Python example's bookings");
        String slot = "py-booking-" + System.nanoTime() + "/hero";
        Instant now = Instant.now();
        long at = now.toEpochMilli();
        String[] ids = new String[4];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = slot + "-r" + i;
            decide(ids[i], slot, slot + "@enc", new float[] {1f, i}, now);
        }
        String avro = line("impression", ids[0], at + 10, null) + line("click", ids[0], at + 200, null)
                + line("click", ids[0], at + 800, 250) + line("impression", ids[3], at + 10, null);
        String json = line("impression", ids[1], at + 10, null) + line("click", ids[1], at + 300, 120.5)
                + line("impression", ids[2], at + 10, null) + line("click", ids[2], at + 300, null);
        assertTrue(python(avro, "avro").contains("sent 2 impressions and 2 clicks (1 with a value)"));
        assertTrue(python(json, "json").contains("sent 2 impressions and 2 clicks (1 with a value)"));

        Map<String, Reward> rewards = rewards(List.of(ids));
        assertEquals(1 + 2.5, rewards.get(ids[0]).getReward(), 1e-12);
        assertEquals(250.0, rewards.get(ids[0]).getValue());
        assertEquals(1 + 1.205, rewards.get(ids[1]).getReward(), 1e-12);
        assertEquals(1.0, rewards.get(ids[2]).getReward());
        assertEquals(null, rewards.get(ids[2]).getValue());
        assertEquals(0.0, rewards.get(ids[3]).getReward());
    }

    private static String line(String type, String requestId, long at, Number value) {
        return "{\"type\": \"" + type + "\", \"requestId\": \"" + requestId + "\", \"candidateId\": \"a\", "
                + "\"timestamp\": " + at + (value == null ? "" : ", \"value\": " + value) + "}\n";
    }

    private static String python(String events, String format) throws Exception {
        Process process = new ProcessBuilder(PYTHON.toString(),
                REPO.resolve("clients/python/vitrine_events.py").toString(),
                "--bootstrap-servers", SharedLocalKafka.bootstrapServers(), "--format", format)
                .redirectErrorStream(true).start();
        process.getOutputStream().write(events.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the example finished");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static void decide(String requestId, String slot, String scope, float[] z, Instant at) throws Exception {
        LearnerServiceTest.send(Topic.DECISIONS, requestId, Decision.newBuilder()
                .setRequestId(requestId).setSlot(slot).setScope(scope).setTimestamp(at)
                .setContext(List.of(1f)).setCandidates(List.of(new Candidate("a", List.of(1f))))
                .setK(1).setChosen(List.of(new ChosenCandidate("a", 0, 0.1, 0.1, 1.0, List.of(z[0], z[1]), null)))
                .setSeed(3L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(1).build(), at);
    }

    private static void click(String requestId, Instant at, Double value) throws Exception {
        LearnerServiceTest.send(Topic.CLICKS, requestId, new Click(requestId, "a", at, value), at);
    }

    /** The committed reward of each request, waiting until all are there. */
    private static Map<String, Reward> rewards(List<String> requestIds) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Reward> found = new HashMap<>();
        Predicate<Reward> ours = reward -> requestIds.contains(reward.getRequestId());
        try (KafkaConsumer<String, Reward> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                AvroSerdes.registryless(Reward.class).deserializer())) {
            consumer.subscribe(List.of(Topic.REWARDS.name(Topic.DEFAULT_PREFIX)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (found.size() < requestIds.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Reward> record : consumer.poll(Duration.ofMillis(200))) {
                    if (ours.test(record.value())) {
                        Reward before = found.put(record.value().getRequestId(), record.value());
                        assertEquals(null, before, "one reward per impression: " + record.value().getRequestId());
                    }
                }
            }
        }
        assertEquals(requestIds.size(), found.size(), "rewards of " + requestIds + ": " + found.keySet());
        return found;
    }

    /** The posterior the learner serves once it holds {@code rewards} rewards. */
    private static JsonNode served(String scope, int rewards) throws Exception {
        String path = "/v1/posteriors/" + scope;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var answer = given().get(path);
            // Read with Jackson as doubles: RestAssured's JsonPath reads numbers as floats.
            JsonNode body = answer.statusCode() == 200 ? new ObjectMapper().readTree(answer.asString()) : null;
            if (body != null && body.get("version").asLong() == rewards) {
                return body;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the learner did not serve " + scope + " with " + rewards + " rewards in 30 s");
    }
}
