package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.core.train.Mlp;
import io.vitrine.core.train.MlpOnnxExporter;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One encoder version's learning from the reward log: every reward re-encoded, in log order, with forgetting. */
class VersionTopologyTest {

    private static final String PREFIX = "t.";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration PUBLISH = Duration.ofSeconds(1);
    private static final Forgetting FORGETTING = Forgetting.halfLife(40);
    private static final String VERSION = "t1-test";

    private final WireFormat wire = new WireFormat.SingleObject();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private OnnxEncoder encoder;
    private TopologyTestDriver driver;
    private TestInputTopic<String, Reward> rewards;
    private TestOutputTopic<String, PosteriorSnapshot> posteriors;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    @BeforeEach
    void setUp() throws Exception {
        encoder = OnnxEncoder.load(MlpOnnxExporter.export(Mlp.initialize(6, new int[] {12}, 1, 3), 4, 2, VERSION));
        var settings = new LearnerTopology.Settings(PREFIX, Duration.ofSeconds(10), Duration.ZERO, Duration.ofHours(1),
                Duration.ofSeconds(5), Duration.ofSeconds(20), 0.0, ClickRewardTiming.WINDOW_END, PUBLISH,
                NigPrior.DEFAULT, FORGETTING);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "version-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("version-ttd").toString());
        driver = new TopologyTestDriver(LearnerTopology.buildVersion(settings, wire, new LearnerMetrics(registry),
                encoder), props, T0);
        rewards = driver.createInputTopic(Topic.REWARDS.name(PREFIX), Serdes.String().serializer(),
                wire.serde(Reward.class).serializer());
        posteriors = driver.createOutputTopic(Topic.POSTERIORS.name(PREFIX), Serdes.String().deserializer(),
                wire.serde(PosteriorSnapshot.class).deserializer());
        deadLetters = driver.createOutputTopic(Topic.DEAD_LETTERS.name(PREFIX), Serdes.String().deserializer(),
                wire.serde(DeadLetter.class).deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        encoder.close();
    }

    @Test
    void aVersionsPosteriorEqualsTheBatchFitOfEveryRewardReencodedWithForgetting() {
        Random random = new Random(11);
        List<Reward> hero = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // Rewards of two older encoder versions and of two slots, interleaved as the log holds them.
            String slot = i % 3 == 0 ? "side" : "hero";
            Reward reward = reward(random, slot, i % 2 == 0 ? "old-a" : "old-b", i);
            rewards.pipeInput(slot, reward, T0.plusMillis(i));
            if (slot.equals("hero")) {
                hero.add(reward);
            }
        }
        driver.advanceWallClockTime(PUBLISH);
        Map<String, PosteriorSnapshot> published = posteriors.readKeyValuesToMap();
        assertEquals(java.util.Set.of("hero@" + VERSION, "side@" + VERSION), published.keySet());
        PosteriorSnapshot snapshot = published.get("hero@" + VERSION);
        assertEquals(hero.size(), snapshot.getVersion());

        NormalInverseGammaPosterior expected = NormalInverseGammaPosterior.fromStatistics(batchFit(hero),
                NigPrior.DEFAULT);
        assertRelative(expected.a(), snapshot.getA());
        assertRelative(expected.bn(), snapshot.getBn());
        for (int j = 0; j < expected.mu().length; j++) {
            assertEquals(expected.mu()[j], snapshot.getMu().get(j), 1e-9 * Math.max(1, Math.abs(expected.mu()[j])));
        }
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void aRewardTheVersionCannotEncodeIsADeadLetterAndTheRestGoOn() {
        Random random = new Random(5);
        Reward bad = Reward.newBuilder(reward(random, "hero", "old", 0)).setContext(List.of(1f)).build();
        rewards.pipeInput("hero", bad, T0);
        rewards.pipeInput("hero", reward(random, "hero", "old", 1), T0.plusMillis(1));
        driver.advanceWallClockTime(PUBLISH);
        DeadLetter letter = deadLetters.readValue();
        assertEquals("dimension-mismatch", letter.getReason());
        assertTrue(letter.getDetail().contains(VERSION), letter.getDetail());
        assertEquals(1, posteriors.readKeyValuesToMap().get("hero@" + VERSION).getVersion());
    }

    /**
     * The statistics of all rewards at once: reward i of N weighs gamma^(N-1-i) (it has N-1-i later rewards), its z
     * computed by the version's encoder from the raw features.
     */
    private SufficientStatistics batchFit(List<Reward> log) {
        int d = encoder.info().dimension();
        double gamma = FORGETTING.factor();
        double n = 0;
        double yy = 0;
        double[] a = new double[d * d];
        double[] b = new double[d];
        for (int i = 0; i < log.size(); i++) {
            double w = Math.pow(gamma, log.size() - 1 - i);
            float[] z = Reencoder.reencode(encoder, log.get(i));
            double r = log.get(i).getReward();
            n += w;
            yy += w * r * r;
            for (int j = 0; j < d; j++) {
                b[j] += w * r * z[j];
                for (int k = 0; k < d; k++) {
                    a[j * d + k] += w * z[j] * z[k];
                }
            }
        }
        return SufficientStatistics.of(n, a, b, yy, log.size());
    }

    private static void assertRelative(double expected, double actual) {
        assertEquals(expected, actual, 1e-9 * Math.max(1, Math.abs(expected)));
    }

    private static Reward reward(Random random, String slot, String encoderVersion, int i) {
        List<Float> context = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
            context.add(random.nextFloat());
        }
        List<Float> candidate = List.of(random.nextFloat(), random.nextFloat());
        boolean click = random.nextDouble() < 0.3;
        return Reward.newBuilder()
                .setRequestId("r" + i).setCandidateId("c" + (i % 5)).setSlot(slot)
                .setScope(slot + "@" + encoderVersion).setEncoderVersion(encoderVersion)
                .setReward(click ? 1 : 0).setKind(click ? RewardKind.CLICK : RewardKind.NO_CLICK)
                .setDecisionTimestamp(T0).setImpressionTimestamp(T0).setClickTimestamp(click ? T0 : null)
                .setPropensity(0.5).setEmbedding(List.of(9f, 9f, 9f)) // the old version's z: not this version's
                .setContext(context).setCandidateFeatures(candidate).build();
    }
}
