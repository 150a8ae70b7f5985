package io.vitrine.learner.console;

import io.vitrine.service.encoders.TopicFollower;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Follows a topic ({@code rewards}, {@code decisions}) for the console, committed records only, without a consumer
 * group (every instance sees every slot), starting at most {@code history} records before each partition's end: the
 * console needs the last minutes, not the whole log. A record that does not decode is skipped (the topology's
 * dead-letter handler already reports it).
 */
final class TopicFeed<V> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TopicFeed.class);

    private final KafkaConsumer<String, V> consumer;
    private final String topic;
    private final long history;
    private final Consumer<V> onRecord;
    private final Thread thread;
    private volatile boolean running = true;

    TopicFeed(Map<String, Object> kafka, String topic, Deserializer<V> values, long history, Consumer<V> onRecord,
              String threadName) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new Lenient<>(values));
        this.topic = topic;
        this.history = history;
        this.onRecord = onRecord;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            consumer.endOffsets(partitions).forEach((p, end) -> consumer.seek(p, Math.max(begin.get(p), end - history)));
            while (running) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(250))) {
                    if (record.value() != null) {
                        onRecord.accept(record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "reading %s for the console failed; the console's charts stop until a restart", topic);
        } finally {
            consumer.close();
        }
    }

    private List<TopicPartition> partitions() throws WakeupException {
        return TopicFollower.awaitPartitions(consumer, topic, () -> running, () -> { });
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }

    /** Null for a record that does not decode, so that one bad record does not stop the console. */
    private record Lenient<V>(Deserializer<V> inner) implements Deserializer<V> {
        @Override
        public V deserialize(String topic, byte[] data) {
            try {
                return inner.deserialize(topic, data);
            } catch (RuntimeException e) {
                return null;
            }
        }

        @Override
        public V deserialize(String topic, org.apache.kafka.common.header.Headers headers, byte[] data) {
            try {
                return inner.deserialize(topic, headers, data);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
