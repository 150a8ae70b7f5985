package io.vitrine.e2e;

import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.kafka.Topics;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A seeded stream of decisions, impressions and clicks for the learner, the same whenever it is built with the
 * same seed, with the outcome each impression must have: every impression is of a chosen candidate, so each
 * must give exactly one reward, a click if a click came inside the window and the default reward otherwise.
 * Duplicate and late clicks are mixed in, and they must change nothing.
 */
public final class LearnerInput {

    /** One record to write. */
    public record Event(Topic topic, String key, SpecificRecord value, Instant timestamp) {
    }

    public static final int DIMENSION = 3;

    private final List<Event> events = new ArrayList<>();
    private final Map<String, Boolean> clickedByWindow = new HashMap<>();
    private final Map<String, Integer> rewardsByScope = new HashMap<>();

    /**
     * @param requests decisions (each shown and maybe clicked)
     * @param scopes   scopes the decisions spread over
     * @param spacing  event time between two decisions
     * @param window   the learner's attribution window
     */
    LearnerInput(long seed, int requests, int scopes, Duration spacing, Duration window, Instant start) {
        Random random = new Random(seed);
        for (int i = 0; i < requests; i++) {
            String requestId = "req-" + seed + "-" + i;
            String slot = "slot-" + (i % scopes);
            String scope = slot + "@enc";
            Instant t = start.plus(spacing.multipliedBy(i));
            String chosen = "c" + random.nextInt(3);
            List<Float> z = new ArrayList<>();
            for (int j = 0; j < DIMENSION; j++) {
                z.add((float) random.nextGaussian());
            }
            events.add(new Event(Topic.DECISIONS, requestId, Decision.newBuilder()
                    .setRequestId(requestId).setSlot(slot).setScope(scope).setTimestamp(t)
                    .setContext(List.of(0.5f))
                    .setCandidates(List.of(new Candidate("c0", List.of(0f)), new Candidate("c1", List.of(1f)),
                            new Candidate("c2", List.of(2f))))
                    .setK(1).setChosen(List.of(new ChosenCandidate(chosen, 0, 0.1, 0.2, 0.4, z, null)))
                    .setSeed((long) i).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(16)
                    .build(), t));
            Instant shown = t.plusMillis(50);
            events.add(new Event(Topic.IMPRESSIONS, requestId, new Impression(requestId, chosen, shown), shown));
            boolean clicked = random.nextDouble() < 0.35;
            if (clicked) {
                Instant at = shown.plusMillis(400);
                events.add(new Event(Topic.CLICKS, requestId, new Click(requestId, chosen, at, null), at));
                if (random.nextDouble() < 0.1) { // a double click: counts once
                    Instant again = at.plusMillis(150);
                    events.add(new Event(Topic.CLICKS, requestId, new Click(requestId, chosen, again, null), again));
                }
            } else if (random.nextDouble() < 0.05) { // a click after the window: late, no reward
                Instant late = shown.plus(window).plusMillis(500);
                events.add(new Event(Topic.CLICKS, requestId, new Click(requestId, chosen, late, null), late));
            }
            clickedByWindow.put(requestId + "/" + chosen, clicked);
            rewardsByScope.merge(scope, 1, Integer::sum);
        }
        // Writes go in event-time order, as a front end would send them.
        events.sort((a, b) -> a.timestamp().compareTo(b.timestamp()));
    }

    public List<Event> events() {
        return events;
    }

    /** requestId/candidateId of every impression -&gt; whether it must be a click reward. */
    public Map<String, Boolean> expectedRewards() {
        return clickedByWindow;
    }

    public Map<String, Integer> rewardsByScope() {
        return rewardsByScope;
    }

    /** Creates every topic under the prefix and waits until each partition has a leader. */
    public static void createTopics(String bootstrap, String prefix) throws Exception {
        createTopics(bootstrap, prefix, (short) 1);
    }

    /** The same with {@code replicas} replicas of every partition (a cluster's). */
    public static void createTopics(String bootstrap, String prefix, short replicas) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Topics.createAll(admin, prefix, replicas);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                boolean led;
                try {
                    led = admin.describeTopics(Topics.names(prefix)).allTopicNames().get().values().stream()
                            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null));
                } catch (java.util.concurrent.ExecutionException e) {
                    led = false; // just created: the metadata has not reached the broker yet
                }
                if (led) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics under " + prefix + " have no leaders after 30 s");
                }
                Thread.sleep(100);
            }
        }
    }

    /** A plain ordered producer (one request in flight, acks=all): test input, written once. */
    public static KafkaProducer<String, SpecificRecord> producer(String bootstrap) {
        return producer(bootstrap, false);
    }

    /**
     * The same, or one for brokers that go away: idempotent, so that a write retried after its acknowledgement was lost
     * with the broker is not written twice, and waiting (for metadata, for acknowledgements) up to 10 minutes rather
     * than Kafka's 1 and 2, as tracking that holds its events until the broker is back.
     */
    public static KafkaProducer<String, SpecificRecord> producer(String bootstrap, boolean brokersGoAway) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, brokersGoAway,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, brokersGoAway ? 600_000 : 60_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, brokersGoAway ? 600_000 : 120_000,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new StringSerializer(), (topic, record) -> AvroSerdes
                .registryless(cast(record.getClass())).serializer().serialize(topic, record));
    }

    @SuppressWarnings("unchecked")
    private static Class<SpecificRecord> cast(Class<?> type) {
        return (Class<SpecificRecord>) type;
    }

    /**
     * Ends the input: on every partition of the decisions topic, a decision with no impression at {@code at}, so
     * that stream time passes every window's end on every task and the last windows close by event time rather
     * than by the learner's wall-clock fallback.
     */
    public static void sendEndOfInput(KafkaProducer<String, SpecificRecord> producer, String prefix, Instant at)
            throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int partition = 0; partition < Topic.DECISIONS.partitions(); partition++) {
            String requestId = "end-of-input-" + partition;
            Decision tick = Decision.newBuilder()
                    .setRequestId(requestId).setSlot("end").setScope("end@enc").setTimestamp(at)
                    .setContext(List.of(0.5f)).setCandidates(List.of(new Candidate("c0", List.of(0f))))
                    .setK(1).setChosen(List.of(new ChosenCandidate("c0", 0, 0.1, 0.2, 1.0,
                            java.util.Collections.nCopies(DIMENSION, 1f), null)))
                    .setSeed(0L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(16).build();
            sent.add(producer.send(new ProducerRecord<>(Topic.DECISIONS.name(prefix), partition, at.toEpochMilli(),
                    requestId, tick)));
        }
        for (var future : sent) {
            future.get(30, TimeUnit.SECONDS);
        }
    }

    public static void send(KafkaProducer<String, SpecificRecord> producer, String prefix, List<Event> batch)
            throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (Event event : batch) {
            sent.add(producer.send(new ProducerRecord<>(event.topic().name(prefix), null,
                    event.timestamp().toEpochMilli(), event.key(), event.value())));
        }
        for (var future : sent) {
            future.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Reads the committed rewards under the prefix until {@code expected} have come, then a little longer so
     * that a duplicate would show; returns them in order of arrival.
     */
    public static List<Reward> readRewards(String bootstrap, String prefix, int expected, Duration timeout) {
        return CommittedRecords.values(bootstrap, Topic.REWARDS.name(prefix),
                AvroSerdes.registryless(Reward.class).deserializer(), expected, timeout);
    }
}
