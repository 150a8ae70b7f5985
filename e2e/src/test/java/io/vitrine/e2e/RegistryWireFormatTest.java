package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.cli.http.HttpDecisionClient;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.sim.DecisionAnswer;
import io.vitrine.cli.sim.DecisionQuery;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Avro in the Confluent wire format through a schema registry's API, written by librdkafka's Python client with
 * confluent-kafka's own registry client and serializer (Debian's {@code python3-confluent-kafka}, default settings,
 * {@code clients/python/vitrine_registry_events.py}) and by Kafka's Java client with the serializer Vitrine documents
 * (Apicurio's, {@link WireFormat.Registry}), for decisions made over HTTP, into input topics of 3 and 5 partitions.
 * The services are given the same registry; every impression becomes exactly one reward and nothing is a dead
 * letter. The click schema evolves through the registry: version 1 (no {@code value}) then version 2 are accepted,
 * a change that cannot read version 2's records is refused, and the learner reads clicks of both versions.
 *
 * <p>The registry is {@link RegistryApiStub}, a stub of the registry's HTTP API started per test class, <b>not a
 * registry</b>: none can be run on this build's machines (see its comment and docs/api.md, "Confluent wire format").
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RegistryWireFormatTest {

    private static final int DECISIONS = 60;
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    /** A click's booking value; with the default rule (max) and max-value 10 it is the window's reward. */
    private static final double BOOKING = 3.0;

    private static RegistryApiStub registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = RegistryApiStub.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    /** One event of a decision, and who writes it. */
    private record Event(String type, String requestId, String candidateId, long at, Double value) {
        String json() {
            return "{\"type\": \"" + type + "\", \"requestId\": \"" + requestId + "\", \"candidateId\": \""
                    + candidateId + "\", \"timestamp\": " + at + (value == null ? "" : ", \"value\": " + value) + "}\n";
        }
    }

    @Test
    void confluentWireFormatFromPythonAndJavaAllJoinAndTheClickSchemaEvolves() throws Exception {
        boolean installed = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c",
                "import confluent_kafka.avro, requests").redirectErrorStream(true).start().waitFor() == 0;
        Assumptions.assumeTrue(installed, "Debian's python3-confluent-kafka, python3-avro and python3-requests are not"
                + " installed (.ci/run installs them): skipping the registry wire-format test");
        ServiceRun run = ServiceRun.fresh("registry", Map.of(Topic.IMPRESSIONS, 3, Topic.CLICKS, 5));
        String registryProperty = "-Dvitrine.schema-registry.url=" + registry.apicurioUrl();
        WireFormat wire = WireFormat.of(Optional.of(registry.apicurioUrl().toString()), Map.of());
        try (ServiceProcess learner = run.learner("learner", List.of(registryProperty,
                "-Dvitrine.learner.attribution-window=2s", "-Dvitrine.learner.idle-close-delay=1s",
                "-Dvitrine.learner.publish-interval=200ms", "-Dvitrine.learner.reward-rule.max-value=10"));
             ServiceProcess selector = run.selector("selector", List.of(registryProperty));
             var stopping = ServiceProcess.stopTogether(learner, selector)) {
            learner.launch();
            selector.launch();
            learner.awaitReady();
            selector.awaitReady();

            // Three thirds: Python with Click v1, Python with Click v2 (a booking value on some), Java.
            var decisions = new HttpDecisionClient(VitrineHttp.newClient(), new ObjectMapper(), selector.uri());
            List<List<Event>> thirds = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            Map<String, Double> expectedReward = new HashMap<>();
            for (int i = 0; i < DECISIONS; i++) {
                String requestId = "registry-" + i + "-" + System.nanoTime();
                DecisionAnswer answer = decisions.decide(new DecisionQuery(requestId, "hero", features(i),
                        List.of(new DecisionQuery.CandidateFeatures("a", features(i + 1)),
                                new DecisionQuery.CandidateFeatures("b", features(i + 2))), 1));
                String shown = answer.chosen().get(0).candidateId();
                long at = Instant.now().toEpochMilli();
                int writer = i % 3; // 0: Python v1, 1: Python v2, 2: Java
                List<Event> events = thirds.get(writer);
                events.add(new Event("impression", requestId, shown, at, null));
                expectedReward.put(requestId, 0.0);
                if (i % 2 == 0) {
                    Double value = writer == 1 && i % 4 == 0 ? BOOKING : null;
                    events.add(new Event("click", requestId, shown, at + 300, value));
                    expectedReward.put(requestId, value == null ? 1.0 : BOOKING);
                }
            }

            Path v1 = run.home().resolve("schemas/versions/Click/v1.avsc");
            String output = sendWithPython(run, thirds.get(0), List.of("--click-schema", v1.toString()), 0);
            assertTrue(output.contains("sent " + count(thirds.get(0), "impression") + " impressions and "
                    + count(thirds.get(0), "click") + " clicks"), output);
            output = sendWithPython(run, thirds.get(1), List.of(), 0);
            assertTrue(output.contains("sent " + count(thirds.get(1), "impression") + " impressions and "
                    + count(thirds.get(1), "click") + " clicks"), output);
            sendWithJava(run, wire, thirds.get(2));

            // On the wire: the byte 0, then the id the registry gave the writer's schema under <topic>-value.
            String impressions = Topic.IMPRESSIONS.name(run.prefix());
            List<Integer> impressionIds = registry.ids(impressions + "-value");
            List<String> headers = CommittedRecords.values(run.bootstrap(), impressions, new ByteArrayDeserializer(),
                    DECISIONS, Duration.ofSeconds(30)).stream().map(RegistryWireFormatTest::header).distinct().toList();
            assertEquals(impressionIds.stream().map(id -> "0 " + id).sorted().toList(), headers.stream().sorted().toList(),
                    "Confluent wire-format headers of the impressions");

            String clicks = Topic.CLICKS.name(run.prefix()) + "-value";
            List<String> clickVersions = registry.schemas(clicks);
            assertTrue(clickVersions.size() >= 2, "v1 then v2 registered under " + clicks + ": " + clickVersions);
            assertTrue(!clickVersions.get(0).contains("\"value\"") && clickVersions.get(1).contains("\"value\""),
                    "version 1 without value, version 2 with it: " + clickVersions);

            // An incompatible change: a required field that version 2's records do not have.
            Path incompatible = run.work().resolve("ClickWithCampaign.avsc");
            Files.createDirectories(run.work());
            Files.writeString(incompatible, Files.readString(run.home().resolve("schemas/src/main/avro/Click.avsc"))
                    .replace("{\"name\": \"requestId\", \"type\": \"string\"},",
                            "{\"name\": \"requestId\", \"type\": \"string\"}, {\"name\": \"campaign\", \"type\": \"string\"},"));
            assertNotEquals(Files.readString(incompatible),
                    Files.readString(run.home().resolve("schemas/src/main/avro/Click.avsc")));
            int versionsBefore = registry.schemas(clicks).size();
            Event refused = new Event("click", "refused-" + System.nanoTime(), "a", Instant.now().toEpochMilli(), null);
            output = sendWithPython(run, List.of(refused), List.of("--click-schema", incompatible.toString()), 1);
            assertTrue(output.contains("incompatible") && output.contains("campaign"), output);
            assertEquals(versionsBefore, registry.schemas(clicks).size(), "the refused version was not registered");

            Deserializer rewardsDeserializer = new Deserializer(wire);
            List<Reward> rewards = CommittedRecords.values(run.bootstrap(), Topic.REWARDS.name(run.prefix()),
                    rewardsDeserializer.rewards(), DECISIONS, Duration.ofSeconds(90));
            Map<String, Integer> perRequest = new HashMap<>();
            List<String> wrong = new ArrayList<>();
            for (Reward reward : rewards) {
                perRequest.merge(reward.getRequestId(), 1, Integer::sum);
                double expected = expectedReward.getOrDefault(reward.getRequestId(), Double.NaN);
                RewardKind kind = expected > 0 ? RewardKind.CLICK : RewardKind.NO_CLICK;
                if (reward.getReward() != expected || reward.getKind() != kind) {
                    wrong.add(reward.getRequestId() + ": " + reward.getKind() + " " + reward.getReward()
                            + ", expected " + expected);
                }
            }
            List<DeadLetter> letters = CommittedRecords.values(run.bootstrap(), Topic.DEAD_LETTERS.name(run.prefix()),
                    rewardsDeserializer.deadLetters(), 0, Duration.ofSeconds(2));
            String summary = perRequest.size() + " of " + DECISIONS + " impressions rewarded, " + wrong.size()
                    + " with the wrong reward, " + letters.size() + " dead letters";
            assertEquals(DECISIONS, perRequest.size(), summary);
            assertTrue(perRequest.values().stream().allMatch(n -> n == 1), "none twice: " + perRequest);
            assertEquals(List.of(), letters.stream().map(l -> l.getReason() + ": " + l.getDetail()).toList(), summary);
            assertEquals(List.of(), wrong, summary);
            assertEquals(List.of(), registry.requests().stream().filter(r -> r.startsWith(RegistryApiStub.UNKNOWN)
                    || r.startsWith(RegistryApiStub.FAILED)).toList(), "calls the registry stub did not answer");
        }
    }

    /** The registry's deserializers of the learner's output topics. */
    private record Deserializer(WireFormat wire) {
        org.apache.kafka.common.serialization.Deserializer<Reward> rewards() {
            return wire.serde(Reward.class).deserializer();
        }

        org.apache.kafka.common.serialization.Deserializer<DeadLetter> deadLetters() {
            return wire.serde(DeadLetter.class).deserializer();
        }
    }

    /** The magic byte and the 4-byte big-endian schema id that start a Confluent wire-format value. */
    private static String header(byte[] value) {
        return value[0] + " " + ByteBuffer.wrap(value, 1, 4).getInt();
    }

    private static long count(List<Event> events, String type) {
        return events.stream().filter(e -> e.type().equals(type)).count();
    }

    /** Kafka's Java client with Vitrine's registry serializer (Apicurio's, schemas registered on first write). */
    private static void sendWithJava(ServiceRun run, WireFormat wire, List<Event> events) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, run.bootstrap());
        try (var impressions = new KafkaProducer<>(config, new StringSerializer(),
                wire.serde(Impression.class).serializer());
             var clicks = new KafkaProducer<>(config, new StringSerializer(), wire.serde(Click.class).serializer())) {
            for (Event e : events) {
                if (e.type().equals("impression")) {
                    impressions.send(new ProducerRecord<>(Topic.IMPRESSIONS.name(run.prefix()), null, e.at(),
                            e.requestId(), new Impression(e.requestId(), e.candidateId(), Instant.ofEpochMilli(e.at()))))
                            .get(30, TimeUnit.SECONDS);
                } else {
                    clicks.send(new ProducerRecord<>(Topic.CLICKS.name(run.prefix()), null, e.at(), e.requestId(),
                            new Click(e.requestId(), e.candidateId(), Instant.ofEpochMilli(e.at()), e.value())))
                            .get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Runs {@code clients/python/vitrine_registry_events.py} on {@code events}; its output, after it exited with {@code exit}. */
    private static String sendWithPython(ServiceRun run, List<Event> events, List<String> options, int exit)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(),
                run.home().resolve("clients/python/vitrine_registry_events.py").toString(),
                "--registry-url", registry.confluentUrl().toString(), "--bootstrap-servers", run.bootstrap(),
                "--topic-prefix", run.prefix()));
        command.addAll(options);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder input = new StringBuilder();
        events.forEach(e -> input.append(e.json()));
        process.getOutputStream().write(input.toString().getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the Python producer finished");
        assertEquals(exit, process.exitValue(), output);
        return output;
    }

    private static float[] features(int seed) {
        float[] x = new float[8];
        for (int j = 0; j < x.length; j++) {
            x[j] = ((seed * 31 + j * 7) % 10) / 10f;
        }
        return x;
    }
}
