package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.kafka.SharedLocalKafka;
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

/** The join's input lag read from a real consumer's metrics, on the shared broker (topic names with dots). */
class ConsumerLagTest {

    @Test
    void aPartitionWithRecordsNotYetFetchedIsBehindUntilTheConsumerReadsThemAll() throws Exception {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        String prefix = "lag-" + System.nanoTime() + ".";
        String clicks = prefix + "clicks";
        String rewards = prefix + "rewards";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(clicks, 2, (short) 1), new NewTopic(rewards, 2, (short) 1)))
                    .all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            // One batch each: a fetch takes whole batches, and the lag counts what is left on the broker.
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(clicks, 1, "r" + i, "click " + i)).get();
                producer.send(new ProducerRecord<>(rewards, 0, "r" + i, "reward " + i)).get();
            }
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 256), new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition clicks0 = new TopicPartition(clicks, 0);
            TopicPartition clicks1 = new TopicPartition(clicks, 1);
            TopicPartition rewards0 = new TopicPartition(rewards, 0);
            consumer.assign(List.of(clicks0, clicks1, rewards0));
            InputLag lag = new ConsumerLag(consumer::metrics, Set.of("decisions", "impressions", "clicks"), prefix);
            assertFalse(lag.behind(1), "nothing fetched yet: no lag is known");

            int read = 0;
            while (read == 0) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertTrue(lag.behind(1), "records of clicks-1 wait on the broker: " + consumer.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("records-lag"))
                    .map(e -> e.getKey().tags() + "=" + e.getValue().metricValue()).toList());
            assertFalse(lag.behind(0), "clicks-0 is empty, and the lag of rewards-0 is not the join's");

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((consumer.position(clicks1) < 50 || lag.behind(1)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            assertFalse(lag.behind(1), "every record of clicks-1 read");
        }
    }

    @Test
    void theSiteTopicsOfAFieldMappingAndTheirRepartitionTopicsCountAsInputs() {
        Map<MetricName, Metric> metrics = new HashMap<>();
        InputLag lag = new ConsumerLag(() -> metrics, Set.of("decisions", "impressions", "clicks"), "v.",
                Set.of("site.tracking"));
        metrics.put(lagOf("site_tracking", 0), metric(3.0));
        metrics.put(lagOf("learner-mapped-clicks-by-request-id-repartition", 1), metric(1.0));
        metrics.put(lagOf("other_topic", 2), metric(9.0));
        assertTrue(lag.behind(0), "records wait on the site's topic");
        assertTrue(lag.behind(1), "records wait on the mapped clicks' repartition topic");
        assertFalse(lag.behind(2), "a topic the join does not read");
        assertFalse(new ConsumerLag(() -> metrics, Set.of("decisions", "impressions", "clicks"), "v.").behind(0),
                "without a mapping the site's topic is not an input");
    }

    private static MetricName lagOf(String topic, int partition) {
        return new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("topic", topic, "partition", Integer.toString(partition)));
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
}
