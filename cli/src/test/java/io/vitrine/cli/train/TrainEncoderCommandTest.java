package io.vitrine.cli.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.cli.VitrineCli;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command against a real broker. The broker is shared with other test classes, among them the end-to-end test
 * whose learner consumes {@code vitrine.rewards}; these synthetic rewards carry no embedding and must not reach it,
 * so each test writes to a rewards topic under a prefix of its own and reads with {@code --topic-prefix}.
 */
class TrainEncoderCommandTest {

    private static final int CONTEXT = 4;
    private static final int CANDIDATE = 3;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        PrintStream unused = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        var cli = VitrineCli.commandLine(unused, unused);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void trainsAnEncoderThatBeatsTheConstantRateOnHeldOutRewards() throws Exception {
        String slot = "train-" + UUID.randomUUID();
        Random random = new Random(7);
        List<Reward> rewards = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            float[] context = uniform(random, CONTEXT);
            float[] candidate = uniform(random, CANDIDATE);
            // A click when the visitor's first trait and the image's first trait agree in sign: an interaction no
            // linear model of the raw features can express, so only the hidden layer can beat the constant rate.
            double p = context[0] * candidate[0] > 0 ? 0.8 : 0.1;
            rewards.add(reward(slot, i, context, candidate, random.nextDouble() < p ? 1 : 0));
        }
        // Another slot's layout differs; --slot must leave it out rather than refuse the mix.
        rewards.add(reward("other-slot", 0, uniform(random, 2), uniform(random, 2), 1));
        String prefix = freshRewardsTopic();
        produce(prefix, rewards);
        Path file = dir.resolve("models/trained.onnx");

        int code = run("train-encoder", "--bootstrap-servers", SharedLocalKafka.bootstrapServers(),
                "--topic-prefix", prefix, "--slot", slot,
                "--out", file.toString(), "--version", "trained-test", "--epochs", "60", "--timeout", "20s");

        assertEquals(0, code, err + "\n" + out);
        try (OnnxEncoder encoder = OnnxEncoder.load(file)) {
            EncoderInfo info = encoder.info();
            assertEquals("trained-test", info.version());
            assertEquals(CONTEXT, info.contextFeatures());
            assertEquals(CANDIDATE, info.candidateFeatures());
            assertEquals(1 + CONTEXT + CANDIDATE + 64, info.dimension()); // the default's wide z = [1, x, h]
            assertEquals(info.dimension(), encoder.run(new float[][] {new float[CONTEXT + CANDIDATE]})[0].length);
        }
        String summary = out.toString();
        Matcher heldOut = Pattern.compile("log loss ([0-9.]+) \\(constant click rate: ([0-9.]+)\\)").matcher(summary);
        assertTrue(heldOut.find(), summary);
        double loss = Double.parseDouble(heldOut.group(1));
        double baseline = Double.parseDouble(heldOut.group(2));
        assertTrue(loss < 0.9 * baseline, "held-out loss " + loss + " vs constant " + baseline + "\n" + summary);
        Matcher auc = Pattern.compile("ranking accuracy: ([0-9.]+)").matcher(summary);
        assertTrue(auc.find(), summary);
        assertTrue(Double.parseDouble(auc.group(1)) > 0.7, summary);
        assertTrue(summary.contains("rewards:          4,000"), summary);
        assertTrue(summary.contains("-Dvitrine.encoder.path=" + file.toAbsolutePath()), summary);
        assertTrue(err.toString().contains("reading"), err.toString());
    }

    @Test
    void mixedFeatureLengthsFailNamingTheFirstOffendingRecord() throws Exception {
        String slot = "mixed-" + UUID.randomUUID();
        Random random = new Random(3);
        List<Reward> rewards = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rewards.add(reward(slot, i, uniform(random, CONTEXT), uniform(random, CANDIDATE), i % 2));
        }
        Reward odd = reward(slot, 30, uniform(random, CONTEXT + 1), uniform(random, CANDIDATE), 1);
        odd.setRequestId("odd-request");
        rewards.add(odd);
        rewards.add(reward(slot, 31, uniform(random, CONTEXT), uniform(random, CANDIDATE + 2), 0));
        String prefix = freshRewardsTopic();
        produce(prefix, rewards);
        Path file = dir.resolve("mixed.onnx");

        int code = run("train-encoder", "--bootstrap-servers", SharedLocalKafka.bootstrapServers(),
                "--topic-prefix", prefix, "--out", file.toString(), "--timeout", "20s");

        assertEquals(1, code, out.toString());
        String message = err.toString();
        assertTrue(message.contains("mixed feature lengths"), message);
        assertTrue(message.contains("request odd-request"), message);
        // One scope, so one partition in write order: the odd record is offset 30 of whichever partition it is.
        assertTrue(Pattern.compile(Pattern.quote(Topic.REWARDS.name(prefix)) + "-\\d@30 ").matcher(message).find(),
                message);
        assertTrue(message.contains("5 context and 3 candidate features"), message);
        assertFalse(Files.exists(file));
    }

    @Test
    void noRewardsIsAFailure() throws Exception {
        int code = run("train-encoder", "--bootstrap-servers", SharedLocalKafka.bootstrapServers(), "--topic-prefix",
                freshRewardsTopic(), "--out", dir.resolve("none.onnx").toString(), "--timeout", "20s");

        assertEquals(1, code, out.toString());
        assertTrue(err.toString().contains("no rewards found"), err.toString());
    }

    @Test
    void anUnreachableBrokerFailsWithinTheTimeout() {
        long start = System.nanoTime();
        int code = run("train-encoder", "--bootstrap-servers", "localhost:1", "--out",
                dir.resolve("none.onnx").toString(), "--timeout", "2s");

        assertEquals(1, code, out.toString());
        assertTrue(err.toString().contains("cannot reach Kafka at localhost:1"), err.toString());
        assertTrue(System.nanoTime() - start < 15_000_000_000L, "took too long");
    }

    private static float[] uniform(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 2 * random.nextFloat() - 1;
        }
        return x;
    }

    private static Reward reward(String slot, int i, float[] context, float[] candidate, int click) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i);
        return new Reward("r-" + i, "c-" + (i % 10), slot, slot, "default-v1", (double) click,
                click == 1 ? RewardKind.CLICK : RewardKind.NO_CLICK, now, now, click == 1 ? now : null, 0.1,
                List.of(), floats(context), floats(candidate), 1, List.of(), null);
    }

    private static List<Float> floats(float[] x) {
        List<Float> list = new ArrayList<>(x.length);
        for (float f : x) {
            list.add(f);
        }
        return list;
    }

    /** A new, empty rewards topic with the partitions of the real one; returns its prefix. */
    private static String freshRewardsTopic() throws Exception {
        String prefix = "train-test-" + UUID.randomUUID() + ".";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedLocalKafka.bootstrapServers()))) {
            String topic = Topic.REWARDS.name(prefix);
            admin.createTopics(List.of(new NewTopic(topic, Topic.REWARDS.partitions(), (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            // A new topic's partitions get their leader a moment later; writing before that can fail.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    var description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(30, TimeUnit.SECONDS).get(topic);
                    if (description.partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                        break;
                    }
                } catch (java.util.concurrent.ExecutionException notYetKnown) {
                    // the broker's metadata does not list the new topic yet
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("partitions of " + topic + " have no leader after 30 s");
                }
                Thread.sleep(100);
            }
        }
        return prefix;
    }

    /** Writes as the learner does: keyed by scope, registry-less Avro. */
    private static void produce(String prefix, List<Reward> rewards) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // Plain ordered writes: an idempotent producer's first batch to a brand-new topic was seen to be
        // retried forever as out of sequence on this single-node broker; the test is about reading.
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        Serializer<Reward> serializer = AvroSerdes.registryless(Reward.class).serializer();
        String topic = Topic.REWARDS.name(prefix);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>(rewards.size());
            for (Reward r : rewards) {
                sent.add(producer.send(new ProducerRecord<>(topic, r.getScope(), serializer.serialize(topic, r))));
            }
            producer.flush();
            for (var future : sent) {
                future.get(60, TimeUnit.SECONDS); // every reward must be in Kafka, or the test says why
            }
        }
    }
}
