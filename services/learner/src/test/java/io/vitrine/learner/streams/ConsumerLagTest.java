package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.kafka.LocalKafka;
import io.vitrine.kafka.LocalKafkaConfig;
import io.vitrine.kafka.SharedLocalKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join's input lag read from a real consumer's metrics (topic names with dots): on the shared broker, and on a
 * broker of the test's own that it stops and starts again.
 */
class ConsumerLagTest {

    private static final Set<String> JOIN_INPUTS = Set.of("decisions", "impressions", "clicks");
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path brokerDir;

    @Test
    void aPartitionWithRecordsNotYetFetchedIsBehindUntilTheConsumerReadsThemAll() throws Exception {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        String prefix = "lag-" + System.nanoTime() + ".";
        String clicks = prefix + "clicks";
        String rewards = prefix + "rewards";
        createTopics(bootstrap, List.of(new NewTopic(clicks, 2, (short) 1), new NewTopic(rewards, 2, (short) 1)));
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            // One batch each: a fetch takes whole batches, and the lag counts what is left on the broker.
            for (int i = 0; i < 200; i++) {
                if (i < 50) {
                    producer.send(new ProducerRecord<>(clicks, 1, "r" + i, "click " + i)).get();
                }
                producer.send(new ProducerRecord<>(rewards, 0, "r" + i, "reward " + i)).get();
            }
        }
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 256))) {
            TopicPartition clicks0 = new TopicPartition(clicks, 0);
            TopicPartition clicks1 = new TopicPartition(clicks, 1);
            TopicPartition rewards0 = new TopicPartition(rewards, 0);
            consumer.assign(List.of(clicks0, clicks1, rewards0));
            InputLag lag = new ConsumerLag(consumer::metrics, JOIN_INPUTS, prefix);
            assertTrue(lag.behind(1), "nothing fetched yet: nothing is known to be caught up");

            int read = 0;
            while (read == 0) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertTrue(lag.behind(1), "records of clicks-1 wait on the broker: " + lags(consumer));

            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (lagOf(consumer, clicks0) == null && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100));
            }
            lag.behind(0);
            awaitFetch(consumer);
            double rewardsLag = lagOf(consumer, rewards0);
            assertFalse(lag.behind(0), "clicks-0 is empty, and the lag of rewards-0 is not the join's");
            assertTrue(rewardsLag > 0, "rewards-0 still had records on the broker: " + rewardsLag);

            while (consumer.position(clicks1) < 50 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            assertEquals(50, consumer.position(clicks1));
            lag.behind(1);
            awaitFetch(consumer);
            assertFalse(lag.behind(1), "every record of clicks-1 read, and a fetch since the last ask");
        }
    }

    @Test
    void aConsumerCaughtUpIsBehindUntilAFetchCompletedSinceThePreviousAsk() throws Exception {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        String prefix = "caught-up-" + System.nanoTime() + ".";
        TopicPartition clicks = new TopicPartition(prefix + "clicks", 0);
        createTopics(bootstrap, List.of(new NewTopic(clicks.topic(), 1, (short) 1)));
        writeClicks(bootstrap, clicks, 3);
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, Map.of())) {
            consumer.assign(List.of(clicks));
            readToTheEnd(consumer, clicks, 3);
            assertEquals(0.0, lagOf(consumer, clicks), "caught up");
            InputLag lag = new ConsumerLag(consumer::metrics, JOIN_INPUTS, prefix);

            assertTrue(lag.behind(0), "the first ask has no fetch to compare with");
            assertTrue(lag.behind(0), "no poll, so no fetch completed since the previous ask");
            awaitFetch(consumer);
            assertFalse(lag.behind(0), "caught up, and heard from the broker since the previous ask");
        }
    }

    @Test
    void aConsumerWhoseBrokerIsAwayIsBehindThoughItsLastLagWasZero() throws Exception {
        LocalKafkaConfig ports = LocalKafkaConfig.forTests(brokerDir);
        String prefix = "away.";
        LocalKafkaConfig config = new LocalKafkaConfig(brokerDir, ports.port(), ports.controllerPort(), prefix, false);
        TopicPartition clicks = new TopicPartition(prefix + "clicks", 0);
        LocalKafka broker = LocalKafka.start(config);
        try (KafkaConsumer<String, String> consumer = consumer(config.bootstrapServers(), Map.of(
                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            createTopics(config.bootstrapServers(), List.of(new NewTopic(clicks.topic(), 1, (short) 1)));
            writeClicks(config.bootstrapServers(), clicks, 3);
            consumer.assign(List.of(clicks));
            readToTheEnd(consumer, clicks, 3);
            InputLag lag = new ConsumerLag(consumer::metrics, JOIN_INPUTS, prefix);
            lag.behind(0);
            awaitFetch(consumer);
            assertFalse(lag.behind(0), "caught up, with the broker there");

            broker.close();
            consumer.poll(Duration.ofMillis(200)); // a response that came before the broker stopped is read now
            lag.behind(0);
            for (int i = 0; i < 15; i++) { // the consumer keeps polling, as a stream thread does, for a few seconds
                consumer.poll(Duration.ofMillis(200));
                assertTrue(lag.behind(0), "the broker is away: no fetch completes, nothing is known");
            }
            assertEquals(0.0, lagOf(consumer, clicks), "the lag of the last fetch stays, and says caught up");

            broker = LocalKafka.start(config);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            boolean caughtUp = false;
            while (!caughtUp && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
                caughtUp = !lag.behind(0);
            }
            assertTrue(caughtUp, "the broker is back and the consumer fetches again: caught up");
        } finally {
            broker.close();
        }
    }

    @Test
    void theSiteTopicsOfAFieldMappingAndTheirRepartitionTopicsCountAsInputs() {
        Map<MetricName, Metric> metrics = new HashMap<>();
        InputLag lag = new ConsumerLag(() -> metrics, JOIN_INPUTS, "v.", Set.of("site.tracking"));
        InputLag unmapped = new ConsumerLag(() -> metrics, JOIN_INPUTS, "v.");
        metrics.put(lagOf("v_clicks", 0), metric(0.0));
        metrics.put(lagOf("site_tracking", 0), metric(3.0));
        metrics.put(lagOf("v_clicks", 1), metric(0.0));
        metrics.put(lagOf("learner-mapped-clicks-by-request-id-repartition", 1), metric(1.0));
        metrics.put(lagOf("v_clicks", 2), metric(0.0));
        metrics.put(lagOf("other_topic", 2), metric(9.0));
        metrics.put(FETCHES, metric(0.0));
        for (int partition = 0; partition < 3; partition++) {
            lag.behind(partition);
            unmapped.behind(partition);
        }
        metrics.put(FETCHES, metric(1.0)); // a fetch completed since

        assertTrue(lag.behind(0), "records wait on the site's topic");
        assertTrue(lag.behind(1), "records wait on the mapped clicks' repartition topic");
        assertFalse(lag.behind(2), "a topic the join does not read");
        assertFalse(unmapped.behind(0), "without a mapping the site's topic is not an input");
    }

    private static final String CLIENT = "consumer-learner-1";
    private static final MetricName FETCHES = new MetricName("fetch-total", "consumer-fetch-manager-metrics", "",
            Map.of("client-id", CLIENT));

    private static MetricName lagOf(String topic, int partition) {
        return new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("client-id", CLIENT, "topic", topic, "partition", Integer.toString(partition)));
    }

    private static Metric metric(double value) {
        return new Metric() {
            @Override
            public MetricName metricName() {
                return null;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        };
    }

    private static void createTopics(String bootstrap, List<NewTopic> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(topics).all().get();
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                new StringSerializer());
    }

    private static void writeClicks(String bootstrap, TopicPartition partition, int count) throws Exception {
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), "r" + i, "click")).get();
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        config.putAll(overrides);
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static void readToTheEnd(KafkaConsumer<String, String> consumer, TopicPartition partition, long end) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while ((consumer.position(partition) < end || lagOf(consumer, partition) == null)
                && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100));
        }
        assertEquals(end, consumer.position(partition));
    }

    /** Polls until the consumer has handled one more fetch response. */
    private static void awaitFetch(KafkaConsumer<String, String> consumer) {
        double before = fetchTotal(consumer);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (fetchTotal(consumer) <= before && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100));
        }
        assertTrue(fetchTotal(consumer) > before, "no fetch completed");
    }

    private static double fetchTotal(KafkaConsumer<String, String> consumer) {
        return consumer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("fetch-total") && !e.getKey().tags().containsKey("topic"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private static Double lagOf(KafkaConsumer<String, String> consumer, TopicPartition partition) {
        return consumer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("records-lag")
                        && e.getKey().tags().get("topic").replace('.', '_').equals(partition.topic().replace('.', '_'))
                        && e.getKey().tags().get("partition").equals(Integer.toString(partition.partition())))
                .map(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElse(null);
    }

    private static List<String> lags(KafkaConsumer<String, String> consumer) {
        return consumer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("records-lag"))
                .map(e -> e.getKey().tags() + "=" + e.getValue().metricValue()).toList();
    }
}
