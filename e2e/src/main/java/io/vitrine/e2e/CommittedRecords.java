package io.vitrine.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic's committed records from the beginning, as the tests check what the services wrote. */
public final class CommittedRecords {

    private CommittedRecords() {
    }

    /**
     * Reads every partition of {@code topic} ({@code read_committed}) until {@code enough} holds for what was
     * read, then {@code settle} longer so that anything extra (a duplicate) shows too; or until {@code timeout}.
     */
    public static <V> List<ConsumerRecord<String, V>> read(String bootstrap, String topic, Deserializer<V> values,
                                                    Predicate<List<ConsumerRecord<String, V>>> enough,
                                                    Duration timeout, Duration settle) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            long settledAt = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settledAt)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (settledAt == Long.MAX_VALUE && enough.test(records)) {
                    settledAt = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return records;
    }

    /** The values of {@link #read} with the usual 3 s settle, once {@code expected} records have come. */
    public static <V> List<V> values(String bootstrap, String topic, Deserializer<V> values, int expected, Duration timeout) {
        return read(bootstrap, topic, values, records -> records.size() >= expected, timeout,
                Duration.ofSeconds(3)).stream().map(ConsumerRecord::value).toList();
    }
}
