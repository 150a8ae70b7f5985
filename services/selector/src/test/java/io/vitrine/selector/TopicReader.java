package io.vitrine.selector;

import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic of the shared broker from the beginning until a record matches. */
final class TopicReader {

    private TopicReader() {
    }

    static <T extends SpecificRecord> T readUntil(Topic topic, Class<T> type, Predicate<T> match) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                AvroSerdes.registryless(type).deserializer())) {
            consumer.subscribe(java.util.List.of(topic.name(Topic.DEFAULT_PREFIX)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null && match.test(record.value())) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("no matching record on " + topic + " within 30 s");
    }
}
