package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.learner.control.LearningGate;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A site's own topic read through the field mapping, in the learner's topology: impressions, clicks and bookings on
 * one topic keyed by the site's session (not the request id) join their decisions, whatever join task the session key
 * would pick; other kinds of event are counted and skipped.
 */
class MappedTopologyTest {

    private static final String PREFIX = "t.";
    private static final String SITE = "site.events";
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final Instant T0 = Instant.parse("2026-12-07T05:00:00Z");

    @ParameterizedTest(name = "{0} join tasks")
    @ValueSource(ints = {1, 3})
    void siteEventsOnOneTopicBecomeRewardsAndOtherKindsAreSkipped(int joinTasks) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WireFormat wire = new WireFormat.SingleObject();
        var settings = new LearnerTopology.Settings(PREFIX, WINDOW, Duration.ZERO, Duration.ofHours(1),
                Duration.ofSeconds(5), Duration.ofSeconds(20), 0.0, ClickRewardTiming.WINDOW_END, Duration.ofSeconds(1),
                NigPrior.DEFAULT, Forgetting.NONE,
                new RewardRule(RewardRule.Combine.WEIGHTED_SUM, 1, 1, 0, 10));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "mapped-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("learner-mapped").toString());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        try (var driver = new TopologyTestDriver(LearnerTopology.build(settings, wire, new LearnerMetrics(registry),
                () -> joinTasks, version -> false, LearningGate.open(), partition -> false, mappings()), props, T0)) {
            TestInputTopic<String, Decision> decisions = driver.createInputTopic(Topic.DECISIONS.name(PREFIX),
                    Serdes.String().serializer(), wire.serde(Decision.class).serializer());
            TestInputTopic<String, String> site = driver.createInputTopic(SITE, Serdes.String().serializer(),
                    Serdes.String().serializer());
            TestOutputTopic<String, Reward> rewards = driver.createOutputTopic(Topic.REWARDS.name(PREFIX),
                    Serdes.String().deserializer(), wire.serde(Reward.class).deserializer());

            List<String> requests = List.of("pv-1", "pv-2", "pv-3", "pv-4", "pv-5", "pv-6");
            for (String request : requests) {
                decide(decisions, request, T0);
            }
            // The tracker sent its events a minute after they happened: the record's timestamp is that minute, the
            // event's time is in its body, and only the body's time may decide when a window closes.
            Instant sent = T0.plusSeconds(60);
            for (int i = 0; i < requests.size(); i++) {
                String session = "session-" + i; // the site's key: not the request id
                site.pipeInput(session, event("img_view", requests.get(i), T0.plusMillis(100)), sent);
                site.pipeInput(session, event("scroll", requests.get(i), T0.plusMillis(200)), sent);
            }
            site.pipeInput("session-0", event("img_click", "pv-1", T0.plusSeconds(1)), sent);
            site.pipeInput("session-1", event("booking", "pv-2", T0.plusSeconds(2))
                    .replace("}}", "}, \"order\": {\"total\": 4}}"), sent);
            site.pipeInput("session-2", "{\"event\": \"img_view\", \"page\": {}}", sent); // undecodable
            decide(decisions, "tick", T0.plus(WINDOW).plusSeconds(2)); // stream time past every window

            Map<String, Reward> byRequest = new HashMap<>();
            for (Reward reward : rewards.readValuesToList()) {
                assertEquals(null, byRequest.put(reward.getRequestId(), reward), "one reward per impression");
            }
            assertEquals(Set.copyOf(requests), byRequest.keySet());
            assertEquals(RewardKind.CLICK, byRequest.get("pv-1").getKind());
            assertEquals(1.0, byRequest.get("pv-1").getReward());
            assertEquals(RewardKind.CLICK, byRequest.get("pv-2").getKind());
            assertEquals(1.0 + 4.0, byRequest.get("pv-2").getReward(), "the booking's value, by the reward rule");
            assertEquals(RewardKind.NO_CLICK, byRequest.get("pv-3").getKind());
            assertEquals(requests.size(), registry.get("vitrine.events.ignored").tag("topic", SITE).counter().count(),
                    "every scroll counted and skipped");
            if (joinTasks > 1) {
                assertTrue(registry.get("vitrine.events.repartitioned").tag("topic", "mapped-impressions").counter()
                        .count() > 0, "impressions of other tasks moved through the repartition topic");
            }
        }
    }

    private static InputMappings mappings() {
        Map<FieldMapping.Kind, FieldMapping.Declared> declared = Map.of(
                FieldMapping.Kind.IMPRESSION, mapping(List.of("img_view"), Optional.empty()),
                FieldMapping.Kind.CLICK, mapping(List.of("img_click"), Optional.empty()),
                FieldMapping.Kind.VALUE, mapping(List.of("booking"), Optional.of("/order/total")));
        return InputMappings.of(declared, Set.of());
    }

    private static FieldMapping.Declared mapping(List<String> kinds, Optional<String> value) {
        return new FieldMapping.Declared(Optional.of(SITE), Optional.of("/page/view_id"), Optional.of("/image/id"),
                Optional.of("/at"), TimeFormat.ISO_8601, Optional.of("/event"), kinds, value, Map.of(),
                OptionalDouble.empty());
    }

    private static String event(String kind, String request, Instant at) {
        return "{\"event\": \"" + kind + "\", \"at\": \"" + at + "\", \"page\": {\"view_id\": \"" + request
                + "\"}, \"image\": {\"id\": \"a\"}}";
    }

    private static void decide(TestInputTopic<String, Decision> decisions, String requestId, Instant at) {
        decisions.pipeInput(requestId, Decision.newBuilder()
                .setRequestId(requestId).setSlot("hero").setScope("hero@enc").setTimestamp(at)
                .setContext(List.of(0.5f))
                .setCandidates(List.of(new Candidate("a", List.of(1f)), new Candidate("other", List.of(2f))))
                .setK(1)
                .setChosen(List.of(new ChosenCandidate("a", 0, 0.3, 0.2, 0.5, List.of(1f, 0f), null)))
                .setSeed(1L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(16)
                .build(), at);
    }
}
