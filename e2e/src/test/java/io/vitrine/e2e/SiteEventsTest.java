package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.cli.http.HttpDecisionClient;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.sim.DecisionAnswer;
import io.vitrine.cli.sim.DecisionQuery;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A site's own tracking events read through the learner's field mapping ({@code vitrine.mapping.*}), written unchanged
 * by {@code clients/python/site_events.py} on librdkafka's defaults: one topic of 4 partitions for page views, image
 * clicks, bookings and scrolls, told apart by an {@code event} field; nested objects with the site's own names;
 * ISO-8601 times with an offset; keyed by the site's session id, not the request id. Every impression of a decision
 * made over HTTP becomes exactly one reward, clicks and bookings count, scrolls are counted and skipped, and nothing is
 * a dead letter; then malformed events become dead letters naming the pointer and the problem, and the rewards
 * already made stay as they were while later events still join. The learner starts before the site's topic exists
 * and waits for it.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SiteEventsTest {

    private static final int DECISIONS = 60;
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void aSitesOwnEventsOnOneTopicAllJoinAndMalformedOnesBecomeDeadLettersNamingThePointer() throws Exception {
        assumePythonClient();
        ServiceRun run = ServiceRun.fresh("site");
        String site = run.prefix() + "site-tracking";
        List<String> properties = new ArrayList<>(List.of("-Dvitrine.learner.attribution-window=2s",
                "-Dvitrine.learner.idle-close-delay=1s", "-Dvitrine.learner.publish-interval=200ms",
                "-Dvitrine.learner.reward-rule.max-value=5"));
        properties.addAll(mapping("impression", site, "img_view"));
        properties.addAll(mapping("click", site, "img_click"));
        properties.addAll(mapping("value", site, "booking"));
        properties.add("-Dvitrine.mapping.value.value=/order/total");
        try (ServiceProcess learner = run.learner("learner", properties);
             ServiceProcess selector = run.selector("selector", List.of());
             var stopping = ServiceProcess.stopTogether(learner, selector)) {
            learner.launch();
            selector.launch();
            // The site's topic does not exist yet: the learner waits for it as for its own topics.
            awaitLine(learner, "Waiting for topic(s) to be created: [" + site + "]");
            createTopic(run, site, 4);
            learner.awaitReady();
            selector.awaitReady();

            var decisions = new HttpDecisionClient(VitrineHttp.newClient(), new ObjectMapper(), selector.uri());
            StringBuilder events = new StringBuilder();
            Map<String, Double> expected = new HashMap<>();
            int scrolls = 0;
            for (int i = 0; i < DECISIONS; i++) {
                String requestId = "pv-" + i + "-" + System.nanoTime();
                String shown = decide(decisions, requestId, i);
                Instant at = Instant.now();
                String session = "session-" + (i % 7);
                events.append(event("img_view", session, requestId, shown, at)).append('\n');
                events.append(event("scroll", session, requestId, null, at.plusMillis(50))).append('\n');
                scrolls++;
                double reward = 0;
                if (i % 3 == 0) {
                    events.append(event("img_click", session, requestId, shown, at.plusMillis(300))).append('\n');
                    reward = 1;
                }
                if (i % 6 == 0) {
                    events.append(event("booking", session, requestId, shown, at.plusMillis(600))
                            .replace("}}", "}, \"order\": {\"total\": 3, \"currency\": \"EUR\"}}")).append('\n');
                    reward = 3; // max(click 1, value 3), the default reward rule
                }
                expected.put(requestId, reward);
            }
            String output = send(run, site, events.toString(), false);
            assertTrue(output.contains("sent " + (events.toString().lines().count()) + " events"), output);

            List<Reward> rewards = CommittedRecords.values(run.bootstrap(), Topic.REWARDS.name(run.prefix()),
                    AvroSerdes.registryless(Reward.class).deserializer(), DECISIONS, Duration.ofSeconds(90));
            Map<String, List<Double>> perRequest = perRequest(rewards);
            List<String> wrong = new ArrayList<>();
            expected.forEach((request, reward) -> {
                if (!List.of(reward).equals(perRequest.get(request))) {
                    wrong.add(request + ": expected " + reward + ", got " + perRequest.get(request));
                }
            });
            List<DeadLetter> letters = CommittedRecords.values(run.bootstrap(), Topic.DEAD_LETTERS.name(run.prefix()),
                    AvroSerdes.registryless(DeadLetter.class).deserializer(), 0, Duration.ofSeconds(1));
            String summary = perRequest.size() + " of " + DECISIONS + " impressions rewarded, " + wrong.size()
                    + " wrong, " + letters.size() + " dead letters";
            assertEquals(List.of(), wrong, summary);
            assertEquals(DECISIONS, rewards.size(), summary);
            assertEquals(List.of(), letters.stream().map(l -> l.getReason() + ": " + l.getDetail()).toList(), summary);
            assertEquals(scrolls, metric(learner, "vitrine_events_ignored_total", "topic=\"" + site + "\""),
                    "every scroll counted and skipped");
            assertTrue(metric(learner, "vitrine_events_repartitioned_total", "topic=\"mapped-impressions\"") > 0,
                    "keyed by session, most impressions reached their request's task through the repartition topic");

            // Malformed events, then one more decision whose events come after them.
            Instant now = Instant.now();
            String late = "pv-after-" + System.nanoTime();
            String lateShown = decide(decisions, late, 99);
            String malformed = String.join("\n",
                    event("img_view", "s", "gone", "a", now).replace("\"view_id\": \"gone\"", "\"url\": \"/x\""),
                    event("img_click", "s", "x", "a", now).replace("\"id\": \"a\"", "\"id\": {\"n\": 1}"),
                    event("img_view", "s", "x", "a", now).replace(iso(now), "yesterday"),
                    event("booking", "s", "x", "a", now).replace("}}", "}, \"order\": {\"total\": \"lots\"}}"),
                    "<html>not an event</html>",
                    event("img_view", "s", late, lateShown, Instant.now())) + "\n";
            send(run, site, malformed, true);

            letters = CommittedRecords.values(run.bootstrap(), Topic.DEAD_LETTERS.name(run.prefix()),
                    AvroSerdes.registryless(DeadLetter.class).deserializer(), 5, Duration.ofSeconds(60));
            String notJson = "undecodable: mapped event: not JSON: Unexpected character ('<'";
            List<String> details = letters.stream().map(l -> l.getReason() + ": " + l.getDetail())
                    .map(d -> d.startsWith(notJson) ? notJson : d).sorted().toList();
            assertEquals(5, details.size(), details.toString());
            assertTrue(letters.stream().allMatch(l -> site.equals(l.getSourceTopic())), "each names its source topic");
            assertEquals(List.of(
                    notJson,
                    "undecodable: vitrine.mapping.click.candidate-id: /image/id must be a non-empty string or an"
                            + " integer, found {\"n\":1}",
                    "undecodable: vitrine.mapping.impression.request-id: /page/view_id is missing",
                    "undecodable: vitrine.mapping.impression.timestamp: /at is not an ISO-8601 date-time with an"
                            + " offset (e.g. 2026-12-07T05:10:00.250Z): \"yesterday\" (time-format iso-8601)",
                    "undecodable: vitrine.mapping.value.value: /order/total must be a finite number, found"
                            + " \"lots\""), details);

            rewards = CommittedRecords.values(run.bootstrap(), Topic.REWARDS.name(run.prefix()),
                    AvroSerdes.registryless(Reward.class).deserializer(), DECISIONS + 1, Duration.ofSeconds(60));
            Map<String, List<Double>> after = perRequest(rewards);
            assertEquals(List.of(0.0), after.get(late), "an event after the malformed ones still joins");
            after.remove(late);
            assertEquals(perRequest, after, "the rewards made before are all there, none twice");
        }
    }

    @Test
    void aBadPointerStopsTheLearnerNamingTheKey() throws Exception {
        ServiceRun run = ServiceRun.fresh("site-bad");
        List<String> properties = new ArrayList<>(mapping("impression", run.prefix() + "site-tracking", "img_view"));
        properties.add("-Dvitrine.mapping.impression.request-id=page/view_id");
        try (ServiceProcess learner = run.learner("learner", properties)) {
            learner.launch();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (learner.alive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertFalse(learner.alive(), "the learner stops on a bad mapping");
            String log = Files.readString(learner.log());
            assertTrue(log.contains("vitrine.mapping.impression.request-id: 'page/view_id' is not a JSON pointer"),
                    log);
        }
    }

    /** The mapping of one kind on the site's topic: its pointers, ISO-8601 times, and its value of {@code /event}. */
    private static List<String> mapping(String kind, String topic, String eventValue) {
        String prefix = "-Dvitrine.mapping." + kind + ".";
        return List.of(prefix + "topic=" + topic, prefix + "request-id=/page/view_id",
                prefix + "candidate-id=/image/id", prefix + "timestamp=/at", prefix + "time-format=iso-8601",
                prefix + "kind-pointer=/event", prefix + "kind-values=" + eventValue);
    }

    /** A site's event as its tracker writes it; {@code candidate} null for events about no image. */
    private static String event(String kind, String session, String requestId, String candidate, Instant at) {
        return "{\"event\": \"" + kind + "\", \"at\": \"" + iso(at) + "\", \"session\": {\"id\": \"" + session
                + "\", \"device\": \"mobile\"}, \"page\": {\"view_id\": \"" + requestId + "\", \"path\": \"/hotels\"}"
                + (candidate == null ? "" : ", \"image\": {\"id\": \"" + candidate + "\", \"slot\": \"hero\"}") + "}";
    }

    /** A time as the site writes it: ISO-8601 in its own offset. */
    private static String iso(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.ofHours(1)).toString();
    }

    private static String decide(HttpDecisionClient decisions, String requestId, int seed) throws Exception {
        DecisionAnswer answer = decisions.decide(new DecisionQuery(requestId, "hero", features(seed),
                List.of(new DecisionQuery.CandidateFeatures("a", features(seed + 1)),
                        new DecisionQuery.CandidateFeatures("b", features(seed + 2))), 1));
        return answer.chosen().get(0).candidateId();
    }

    private static Map<String, List<Double>> perRequest(List<Reward> rewards) {
        Map<String, List<Double>> perRequest = new HashMap<>();
        for (Reward reward : rewards) {
            boolean clicked = reward.getKind() == RewardKind.CLICK;
            // a click's reward is at least 1 here; a reward of another kind than its value says is marked wrong
            perRequest.computeIfAbsent(reward.getRequestId(), r -> new ArrayList<>())
                    .add(clicked == reward.getReward() >= 1 ? reward.getReward() : Double.NaN);
        }
        return perRequest;
    }

    private static void assumePythonClient() throws Exception {
        boolean installed = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c",
                "import confluent_kafka").redirectErrorStream(true).start().waitFor() == 0;
        Assumptions.assumeTrue(installed, "Debian's python3-confluent-kafka is not installed (apt-get install"
                + " python3-confluent-kafka; .ci/run does): skipping the site events test");
    }

    private static void awaitLine(ServiceProcess service, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (Files.exists(service.log()) && Files.readString(service.log()).contains(text)) {
                return;
            }
            assertTrue(service.alive(), "the service stopped before logging '" + text + "'");
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' in " + service.log() + " within 90 s");
    }

    private static void createTopic(ServiceRun run, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, run.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** The site's tracker: {@code clients/python/site_events.py}, keyed by the session id. */
    private static String send(ServiceRun run, String topic, String lines, boolean raw) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(),
                run.home().resolve("clients/python/site_events.py").toString(), "--bootstrap-servers",
                run.bootstrap(), "--topic", topic, "--key-pointer", "/session/id"));
        if (raw) {
            command.add("--raw");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().write(lines.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the Python producer finished");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static double metric(ServiceProcess service, String name, String label) throws Exception {
        String metrics = VitrineHttp.newClient().send(HttpRequest.newBuilder(service.uri().resolve("/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith(name) && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static float[] features(int seed) {
        float[] x = new float[8];
        for (int j = 0; j < x.length; j++) {
            x[j] = ((seed * 31 + j * 7) % 10) / 10f;
        }
        return x;
    }
}
