package io.vitrine.service.encoders;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a small compacted topic from its beginning and follows it on a thread of its own, without a consumer group
 * (every instance reads every record), committed records only; says when it has read what the topic held at start.
 * Waits for the topic while it does not exist. The encoder catalog, the serving follower and the slot controls are
 * built on it.
 */
public final class TopicFollower<V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);

    private final KafkaConsumer<String, V> consumer;
    private final String topic;
    private final String whileMissing;
    private final Consumer<ConsumerRecord<String, V>> onRecord;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    /**
     * @param extra        consumer settings on top of the service's Kafka settings
     * @param whileMissing what the service does while the topic does not exist, for the log
     * @param onRecord     called on the follower's thread for each record, in offset order
     */
    public TopicFollower(Map<String, Object> kafka, Map<String, Object> extra, String topic, Deserializer<V> values,
                  String threadName, String whileMissing, Consumer<ConsumerRecord<String, V>> onRecord) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.putAll(extra);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), values);
        this.topic = topic;
        this.whileMissing = whileMissing;
        this.onRecord = onRecord;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = waitForPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    onRecord.accept(record);
                }
                if (!caughtUp && endAtStart.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("reading {} failed; nothing new is read from it until a restart", topic, e);
        } finally {
            consumer.close();
        }
    }

    private List<TopicPartition> waitForPartitions() {
        return awaitPartitions(consumer, topic, () -> running,
                () -> LOG.warn("topic {} does not exist yet: {}", topic, whileMissing));
    }

    /**
     * The partitions of {@code topic}, once it exists: asked every 2 s meanwhile ({@code whileMissing} each time), as
     * long as {@code running} holds; a {@link WakeupException} when it stops holding first.
     */
    public static List<TopicPartition> awaitPartitions(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                                       String topic, java.util.function.BooleanSupplier running,
                                                       Runnable whileMissing) {
        while (running.getAsBoolean()) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            }
            whileMissing.run();
            try {
                Thread.sleep(2_000); // partitionsFor answers at once for a missing topic
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new WakeupException();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
