package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Impressions and clicks written by a producer that is not Kafka's Java client: the Python example of
 * {@code clients/python} on librdkafka's default settings (its partitioner hashes keys with CRC32, not murmur2), into
 * input topics whose partition counts differ from the decisions topic's. Every impression of a decision made over
 * HTTP must become exactly one reward, every click must count, and nothing may end as a dead letter. Half the events
 * are sent as single-object Avro, half as JSON, into the same topics; one JSON impression without its candidate is
 * the only dead letter, naming the missing field.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ForeignProducerTest {

    private static final int DECISIONS = 60;
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private static final Path KCAT = Path.of("/usr/bin/kcat");

    @Test
    void librdkafkaEventsIntoDifferentlyPartitionedTopicsAllJoin() throws Exception {
        boolean installed = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c",
                "import confluent_kafka, avro").redirectErrorStream(true).start().waitFor() == 0;
        Assumptions.assumeTrue(installed, "Debian's python3-confluent-kafka and python3-avro are not installed "
                + "(apt-get install python3-confluent-kafka python3-avro; .ci/run does): skipping the librdkafka test");
        ServiceRun run = ServiceRun.fresh("foreign", Map.of(Topic.IMPRESSIONS, 3, Topic.CLICKS, 5));
        try (ServiceProcess learner = learner(run); ServiceProcess selector = run.selector("selector", List.of());
             var stopping = ServiceProcess.stopTogether(learner, selector)) {
            start(learner, selector);

            var decisions = new HttpDecisionClient(VitrineHttp.newClient(), new ObjectMapper(), selector.uri());
            StringBuilder events = new StringBuilder();
            StringBuilder jsonEvents = new StringBuilder();
            Set<String> clicked = new HashSet<>();
            for (int i = 0; i < DECISIONS; i++) {
                String requestId = "py-" + i + "-" + System.nanoTime();
                DecisionAnswer answer = decisions.decide(new DecisionQuery(requestId, "hero",
                        features(i), List.of(new DecisionQuery.CandidateFeatures("a", features(i + 1)),
                        new DecisionQuery.CandidateFeatures("b", features(i + 2))), 1));
                String shown = answer.chosen().get(0).candidateId();
                long at = Instant.now().toEpochMilli();
                StringBuilder to = i % 2 == 0 ? events : jsonEvents;
                to.append(event("impression", requestId, shown, at));
                if (i % 3 == 0) {
                    to.append(event("click", requestId, shown, at + 300));
                    clicked.add(requestId);
                }
            }
            jsonEvents.append("{\"type\": \"impression\", \"requestId\": \"no-candidate\", \"timestamp\": "
                    + Instant.now().toEpochMilli() + "}\n");
            String output = sendWithPython(run, events.toString(), "avro");
            int avroClicks = (int) clicked.stream().filter(r -> events.indexOf("\"" + r + "\"") >= 0).count();
            assertTrue(output.contains("sent " + DECISIONS / 2 + " impressions and " + avroClicks + " clicks"), output);
            output = sendWithPython(run, jsonEvents.toString(), "json");
            assertTrue(output.contains("sent " + (DECISIONS / 2 + 1) + " impressions and "
                    + (clicked.size() - avroClicks) + " clicks"), output);

            List<Reward> rewards = CommittedRecords.values(run.bootstrap(), Topic.REWARDS.name(run.prefix()),
                    AvroSerdes.registryless(Reward.class).deserializer(), DECISIONS, Duration.ofSeconds(90));
            Map<String, Integer> perRequest = new HashMap<>();
            List<String> wrongKind = new ArrayList<>();
            for (Reward reward : rewards) {
                perRequest.merge(reward.getRequestId(), 1, Integer::sum);
                RewardKind expected = clicked.contains(reward.getRequestId()) ? RewardKind.CLICK : RewardKind.NO_CLICK;
                if (reward.getKind() != expected) {
                    wrongKind.add(reward.getRequestId() + " " + reward.getKind());
                }
            }
            List<DeadLetter> letters = CommittedRecords.values(run.bootstrap(), Topic.DEAD_LETTERS.name(run.prefix()),
                    AvroSerdes.registryless(DeadLetter.class).deserializer(), 1, Duration.ofSeconds(30));
            String summary = perRequest.size() + " of " + DECISIONS + " impressions rewarded, " + wrongKind.size()
                    + " with the wrong kind (clicks lost), " + letters.size() + " dead letters";
            assertEquals(DECISIONS, perRequest.size(), summary);
            assertTrue(perRequest.values().stream().allMatch(n -> n == 1), "none twice: " + perRequest);
            assertEquals(List.of(), wrongKind, summary);
            assertEquals(List.of("undecodable: JSON event: field 'candidateId' is missing"),
                    letters.stream().map(l -> l.getReason() + ": " + l.getDetail()).toList(), summary);
            assertTrue(repartitioned(learner, "impressions") > 0, "CRC32 placed some impressions off their partition");
        }
    }

    /**
     * kcat on its defaults (librdkafka's partitioner), writing JSON events as {@code clients/kcat/README.md} shows:
     * {@code kcat -P -K '|'} with the request id as key.
     */
    @Test
    void kcatJsonEventsAllJoin() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(KCAT), "Debian's kcat is not installed (apt-get install kcat;"
                + " .ci/run does): skipping the kcat test");
        jsonEventsAllJoin("kcat", (run, events) -> {
            for (String type : List.of("impression", "click")) {
                StringBuilder lines = new StringBuilder();
                events.stream().filter(e -> e.type().equals(type))
                        .forEach(e -> lines.append(e.requestId()).append('|').append(e.json()).append('\n'));
                run(List.of(KCAT.toString(), "-P", "-b", run.bootstrap(), "-t",
                        run.prefix() + type + "s", "-K", "|"), null, lines.toString());
            }
        });
    }

    /**
     * The JavaScript example of {@code clients/javascript} (kafkajs from npm, its default partitioner), JSON events.
     * Installs its pinned dependencies with {@code npm ci} when they are missing.
     */
    @Test
    void kafkajsJsonEventsAllJoin() throws Exception {
        Path node = Path.of("/usr/bin/node");
        Assumptions.assumeTrue(Files.isExecutable(node) && Files.isExecutable(Path.of("/usr/bin/npm")),
                "Node.js and npm are not installed (apt-get install nodejs npm; .ci/run does): skipping the kafkajs"
                        + " test");
        jsonEventsAllJoin("kafkajs", (run, events) -> {
            Path example = run.home().resolve("clients/javascript");
            if (!Files.isDirectory(example.resolve("node_modules/kafkajs"))) {
                run(List.of("/usr/bin/npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), example, "");
            }
            StringBuilder lines = new StringBuilder();
            events.forEach(e -> lines.append(e.json().replace("{", "{\"type\":\"" + e.type() + "\",")).append('\n'));
            String output = run(List.of(node.toString(), "vitrine-events.mjs", "--bootstrap-servers", run.bootstrap(),
                    "--topic-prefix", run.prefix()), example, lines.toString());
            long impressions = events.stream().filter(e -> e.type().equals("impression")).count();
            assertTrue(output.contains("sent " + impressions + " impressions and " + (events.size() - impressions)
                    + " clicks"), output);
        });
    }

    /** One JSON event: {@code json} holds requestId, candidateId and timestamp. */
    private record JsonEvent(String type, String requestId, String json) {
    }

    private interface JsonSender {
        void send(ServiceRun run, List<JsonEvent> events) throws Exception;
    }

    /**
     * Decisions over HTTP, their impressions (one with an ISO-8601 time) and a third of them clicked, sent as JSON by
     * {@code sender} into input topics of 3 and 5 partitions: every impression becomes one reward, every click counts,
     * and nothing is a dead letter.
     */
    private static void jsonEventsAllJoin(String name, JsonSender sender) throws Exception {
        ServiceRun run = ServiceRun.fresh(name, Map.of(Topic.IMPRESSIONS, 3, Topic.CLICKS, 5));
        try (ServiceProcess learner = learner(run); ServiceProcess selector = run.selector("selector", List.of());
             var stopping = ServiceProcess.stopTogether(learner, selector)) {
            start(learner, selector);

            var decisions = new HttpDecisionClient(VitrineHttp.newClient(), new ObjectMapper(), selector.uri());
            List<JsonEvent> events = new ArrayList<>();
            Set<String> clicked = new HashSet<>();
            for (int i = 0; i < DECISIONS; i++) {
                String requestId = name + "-" + i + "-" + System.nanoTime();
                DecisionAnswer answer = decisions.decide(new DecisionQuery(requestId, "hero",
                        features(i), List.of(new DecisionQuery.CandidateFeatures("a", features(i + 1)),
                        new DecisionQuery.CandidateFeatures("b", features(i + 2))), 1));
                String shown = answer.chosen().get(0).candidateId();
                Instant at = Instant.now();
                String time = i == 0 ? "\"" + at + "\"" : Long.toString(at.toEpochMilli());
                events.add(new JsonEvent("impression", requestId, "{\"requestId\":\"" + requestId
                        + "\",\"candidateId\":\"" + shown + "\",\"timestamp\":" + time + "}"));
                if (i % 3 == 0) {
                    events.add(new JsonEvent("click", requestId, "{\"requestId\":\"" + requestId
                            + "\",\"candidateId\":\"" + shown + "\",\"timestamp\":" + (at.toEpochMilli() + 300)
                            + "}"));
                    clicked.add(requestId);
                }
            }
            sender.send(run, events);

            List<Reward> rewards = CommittedRecords.values(run.bootstrap(), Topic.REWARDS.name(run.prefix()),
                    AvroSerdes.registryless(Reward.class).deserializer(), DECISIONS, Duration.ofSeconds(90));
            Map<String, Integer> perRequest = new HashMap<>();
            long clicks = 0;
            for (Reward reward : rewards) {
                perRequest.merge(reward.getRequestId(), 1, Integer::sum);
                if (reward.getKind() == RewardKind.CLICK) {
                    clicks++;
                }
            }
            List<DeadLetter> letters = CommittedRecords.values(run.bootstrap(), Topic.DEAD_LETTERS.name(run.prefix()),
                    AvroSerdes.registryless(DeadLetter.class).deserializer(), 0, Duration.ofSeconds(1));
            assertEquals(DECISIONS, perRequest.size(), perRequest.size() + " of " + DECISIONS + " impressions rewarded");
            assertTrue(perRequest.values().stream().allMatch(n -> n == 1), "none twice: " + perRequest);
            assertEquals(clicked.size(), clicks, "every click counted");
            assertEquals(List.of(), letters.stream().map(l -> l.getReason() + ": " + l.getDetail()).toList());
        }
    }

    /** A learner with short windows, so that rewards come within seconds of their events. */
    private static ServiceProcess learner(ServiceRun run) {
        return run.learner("learner", List.of("-Dvitrine.learner.attribution-window=2s",
                "-Dvitrine.learner.idle-close-delay=1s", "-Dvitrine.learner.publish-interval=200ms"));
    }

    private static void start(ServiceProcess learner, ServiceProcess selector) throws Exception {
        learner.launch();
        selector.launch();
        learner.awaitReady();
        selector.awaitReady();
    }

    /** Runs a command with {@code input} on its standard input; its output, after it exited 0 within a minute. */
    private static String run(List<String> command, Path directory, String input) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Process process = builder.start();
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return output;
    }

    /** The learner's count of events of {@code topic} moved through the repartition topic. */
    private static double repartitioned(ServiceProcess learner, String topic) throws Exception {
        String metrics = VitrineHttp.newClient().send(java.net.http.HttpRequest.newBuilder(
                learner.uri().resolve("/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("vitrine_events_repartitioned_total")
                        && line.contains("topic=\"" + topic + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static String sendWithPython(ServiceRun run, String events, String format) throws Exception {
        Path script = run.home().resolve("clients/python/vitrine_events.py");
        Process process = new ProcessBuilder(PYTHON.toString(), script.toString(),
                "--bootstrap-servers", run.bootstrap(), "--topic-prefix", run.prefix(), "--format", format)
                .redirectErrorStream(true).start();
        process.getOutputStream().write(events.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the Python producer finished");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static String event(String type, String requestId, String candidateId, long at) {
        return "{\"type\": \"" + type + "\", \"requestId\": \"" + requestId + "\", \"candidateId\": \""
                + candidateId + "\", \"timestamp\": " + at + "}\n";
    }

    private static float[] features(int seed) {
        float[] x = new float[8];
        for (int j = 0; j < x.length; j++) {
            x[j] = ((seed * 31 + j * 7) % 10) / 10f;
        }
        return x;
    }
}
