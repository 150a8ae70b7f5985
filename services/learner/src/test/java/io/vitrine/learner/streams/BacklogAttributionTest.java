package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.kafka.Topics;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * The soak's finding, on a real broker with the learner's topology, its Kafka Streams settings and its default
 * margins (allowed lateness 1 s, hold grace 30 s, idle-close delay 5 s): a learner that starts on a backlog of
 * decisions, impressions and clicks, while new ones keep coming, and whose stream thread stalls once for longer than
 * the idle-close delay (as a starved, paused or busy thread does), must still turn every impression into exactly one
 * reward of the right kind, with no dead letter. A tenth of the decisions come off their request's partition (as from
 * a librdkafka producer) and reach the join through its repartition topic, after their impressions.
 *
 * <p>Before the fix this test lost clicks: after the stall, the wall-clock fallback took the stream thread's pause for
 * a quiet task and closed open windows whose clicks were already on the broker.
 */
class BacklogAttributionTest {

    private static final Duration WINDOW = Duration.ofSeconds(3);
    private static final Duration BACKLOG = Duration.ofSeconds(25);
    private static final Duration LIVE = Duration.ofSeconds(8);
    private static final Duration STALL = Duration.ofSeconds(7);
    private static final int DECISIONS_PER_SECOND = 40;
    private static final int PARTITIONS = Topic.DECISIONS.partitions();

    /** One decision's events: when it was decided, whether (and when) it was clicked, and where it is written. */
    private record Planned(String requestId, Instant decided, Instant clicked, boolean offItsPartition) {
    }

    @Test
    void aBacklogCaughtUpByAStallingLearnerWithItsDefaultMarginsGivesEveryImpressionItsReward() throws Exception {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        String prefix = "backlog-" + System.nanoTime() + ".";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Topics.createAll(admin, prefix, (short) 1);
        }
        Random random = new Random(17);
        Instant start = Instant.now().minus(BACKLOG);
        List<Planned> plan = new ArrayList<>();
        int total = (int) (BACKLOG.plus(LIVE).toSeconds() * DECISIONS_PER_SECOND);
        for (int i = 0; i < total; i++) {
            Instant decided = start.plusMillis(i * 1000L / DECISIONS_PER_SECOND);
            Instant clicked = random.nextDouble() < 0.35 ? decided.plusMillis(100 + random.nextInt(1400)) : null;
            plan.add(new Planned(prefix + "r" + i, decided, clicked, i % 10 == 3));
        }
        List<ProducerRecord<String, SpecificRecord>> events = new ArrayList<>();
        for (Planned planned : plan) {
            events.addAll(events(prefix, planned));
        }
        events.sort(Comparator.comparingLong(ProducerRecord::timestamp));

        AtomicBoolean stalled = new AtomicBoolean();
        AtomicReference<KafkaStreams> running = new AtomicReference<>();
        KafkaStreams learner = new KafkaStreams(LearnerTopology.build(settings(prefix), new WireFormat.SingleObject(),
                new LearnerMetrics(new SimpleMeterRegistry()), () -> PARTITIONS, version -> false, stallOnce(stalled),
                new ConsumerLag(() -> running.get().metrics(), Set.of(Topic.DECISIONS.baseName(),
                        Topic.IMPRESSIONS.baseName(), Topic.CLICKS.baseName()), prefix)),
                streamsProperties(bootstrap, prefix));
        running.set(learner);
        try {
            try (KafkaProducer<String, SpecificRecord> producer = producer(bootstrap)) {
                // The backlog, written while no learner runs, each event dated when it happened; then the learner
                // starts, and the rest is written as it happens while the learner catches up.
                long now = System.currentTimeMillis();
                int next = 0;
                while (next < events.size() && events.get(next).timestamp() <= now) {
                    producer.send(events.get(next++));
                }
                producer.flush();
                learner.start();
                for (; next < events.size(); next++) {
                    long wait = events.get(next).timestamp() - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                    producer.send(events.get(next));
                }
            }
            Map<String, Reward> rewards = read(bootstrap, Topic.REWARDS.name(prefix), Reward.class, plan.size(),
                    Duration.ofSeconds(60));
            assertTrue(stalled.get(), "the stream thread stalled once");
            Map<String, DeadLetter> letters = read(bootstrap, Topic.DEAD_LETTERS.name(prefix), DeadLetter.class, 1,
                    Duration.ofSeconds(2));
            List<String> wrong = new ArrayList<>();
            for (Planned planned : plan) {
                Reward reward = rewards.get(planned.requestId());
                RewardKind expected = planned.clicked() != null ? RewardKind.CLICK : RewardKind.NO_CLICK;
                if (reward == null || reward.getKind() != expected) {
                    wrong.add(planned.requestId() + " expected " + expected + ", got "
                            + (reward == null ? "no reward" : reward.getKind()));
                }
            }
            assertEquals(List.of(), wrong.subList(0, Math.min(5, wrong.size())),
                    wrong.size() + " of " + plan.size() + " impressions without their reward (dead letters: "
                            + letters.values().stream().map(DeadLetter::getReason).distinct().toList() + "), e.g.");
            assertEquals(plan.size(), rewards.size(), "one reward per impression, none for anything else");
            assertEquals(List.of(), letters.values().stream().map(l -> l.getReason() + ": " + l.getDetail()).toList(),
                    "no dead letter");
        } finally {
            // A close that takes longer (a starved machine) leaves its temporary state directory behind: cleaning up
            // a learner still running throws, and would hide the outcome of the checks above.
            if (learner.close(Duration.ofSeconds(10))) {
                learner.cleanUp();
            }
        }
    }

    /** The learner's defaults, but for a short window, as its test profile and the soak have. */
    private static LearnerTopology.Settings settings(String prefix) {
        return new LearnerTopology.Settings(prefix, WINDOW, Duration.ofSeconds(1), Duration.ofHours(1),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 0.0, ClickRewardTiming.WINDOW_END,
                Duration.ofSeconds(1), NigPrior.DEFAULT, Forgetting.NONE);
    }

    /** The learner's own Kafka Streams settings ({@code kafka-streams.*} of its application.properties). */
    private static Properties streamsProperties(String bootstrap, String prefix) throws IOException {
        Properties application = new Properties();
        try (InputStream in = BacklogAttributionTest.class.getResourceAsStream("/application.properties")) {
            application.load(in);
        }
        Properties props = new Properties();
        for (String key : application.stringPropertyNames()) {
            String value = application.getProperty(key);
            // Settings that name the service's other parts (its dead-letter handler, its state directory) stay out.
            if (key.startsWith("kafka-streams.") && !value.contains("${") && !key.contains("state.dir")
                    && !key.contains("exception.handler") && !key.contains("standby")) {
                props.put(key.substring("kafka-streams.".length()), value);
            }
        }
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, prefix + "learner");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("backlog-learner").toString());
        return props;
    }

    /** The learning gate, which here stalls the stream thread once, at the first reward, for longer than the delay. */
    private static ProcessorSupplier<String, Reward, String, Reward> stallOnce(AtomicBoolean stalled) {
        return () -> new Processor<>() {
            private ProcessorContext<String, Reward> context;

            @Override
            public void init(ProcessorContext<String, Reward> context) {
                this.context = context;
            }

            @Override
            public void process(Record<String, Reward> record) {
                if (stalled.compareAndSet(false, true)) {
                    try {
                        Thread.sleep(STALL.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                context.forward(record);
            }
        };
    }

    private static List<ProducerRecord<String, SpecificRecord>> events(String prefix, Planned planned) {
        String id = planned.requestId();
        Decision decision = Decision.newBuilder()
                .setRequestId(id).setSlot("hero").setScope("backlog@enc").setTimestamp(planned.decided())
                .setContext(List.of(0.5f))
                .setCandidates(List.of(new Candidate("a", List.of(1f)), new Candidate("b", List.of(2f))))
                .setK(1)
                .setChosen(List.of(new ChosenCandidate("a", 0, 0.3, 0.2, 0.5, List.of(1f, 0f), null)))
                .setSeed(1L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(16)
                .build();
        // Off its partition: where a producer with another partitioner would put it; the join moves it.
        int placed = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
        Integer partition = planned.offItsPartition() ? (placed + 1) % PARTITIONS : null;
        Instant shown = planned.decided().plusMillis(20);
        List<ProducerRecord<String, SpecificRecord>> events = new ArrayList<>(List.of(
                new ProducerRecord<>(Topic.DECISIONS.name(prefix), partition, planned.decided().toEpochMilli(), id,
                        decision),
                new ProducerRecord<>(Topic.IMPRESSIONS.name(prefix), null, shown.toEpochMilli(), id,
                        new Impression(id, "a", shown))));
        if (planned.clicked() != null) {
            events.add(new ProducerRecord<>(Topic.CLICKS.name(prefix), null, planned.clicked().toEpochMilli(), id,
                    new Click(id, "a", planned.clicked(), null)));
        }
        return events;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KafkaProducer<String, SpecificRecord> producer(String bootstrap) {
        Serializer<SpecificRecord> values = (topic, value) -> ((Serializer) AvroSerdes.registryless(
                (Class) value.getClass()).serializer()).serialize(topic, value);
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), values);
    }

    /** The committed records of {@code topic} by key, until {@code expected} keys or the timeout. */
    private static <T extends SpecificRecord> Map<String, T> read(String bootstrap, String topic, Class<T> type,
                                                                  int expected, Duration timeout) {
        Deserializer<T> values = AvroSerdes.registryless(type).deserializer();
        Map<String, T> byKey = new TreeMap<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "backlog-check-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            int count = 0;
            while (count < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> record : consumer.poll(Duration.ofMillis(200))) {
                    count++;
                    // Rewards are keyed by scope: index them by request id. A doubled reward shows as a count above
                    // the number of keys.
                    String key = record.value() instanceof Reward reward ? reward.getRequestId()
                            : record.topic() + "/" + record.partition() + "/" + record.offset();
                    byKey.put(key, record.value());
                }
            }
            assertEquals(byKey.size(), count, "no record twice");
        }
        return byKey;
    }
}
