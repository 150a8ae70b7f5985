package io.vitrine.service.encoders;

import io.vitrine.avro.EncoderServing;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
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
 * The newest record of the compacted {@code encoder-serving} topic: which encoder version serves, pinned or not,
 * what was served before and what was refused. Read from the beginning and followed, without a consumer group, by
 * every selector and by the trainer; listeners hear each change on the follower's thread.
 */
public final class ServingFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingFollower.class);

    /** The one key of the topic: each record holds the whole state. */
    public static final String KEY = "serving";

    private final KafkaConsumer<String, EncoderServing> consumer;
    private final String topic;
    private final AtomicReference<EncoderServing> current = new AtomicReference<>();
    private final List<Consumer<EncoderServing>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    public ServingFollower(Map<String, Object> kafka, String topic, Deserializer<EncoderServing> values) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), values);
        this.topic = topic;
        this.thread = new Thread(this::run, "encoder-serving");
        this.thread.setDaemon(true);
    }

    /** Register before {@link #start()}; called for every change, in topic order. */
    public void onChange(Consumer<EncoderServing> listener) {
        listeners.add(listener);
    }

    public void start() {
        thread.start();
    }

    /** The newest serving record; empty before the first (the built-in default encoder serves). */
    public Optional<EncoderServing> current() {
        return Optional.ofNullable(current.get());
    }

    /** True once every record published before start-up has been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /**
     * Applies a record this process has just written and had acknowledged, so that its own next decision sees it
     * without waiting for the topic to come round (the topic delivers it again; applying it twice changes nothing).
     */
    public void applyOwn(EncoderServing record) {
        apply(record);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = waitForPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, EncoderServing> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null && KEY.equals(record.key())) {
                        apply(record.value());
                    }
                }
                if (!caughtUp && endAtStart.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("reading {} failed; the serving encoder stays as it is until a restart", topic, e);
        } finally {
            consumer.close();
        }
    }

    private synchronized void apply(EncoderServing record) {
        EncoderServing held = current.get();
        // Each record holds the whole state: the newest change wins, a repeated one is ignored.
        if (held != null && !record.getChangedAt().isAfter(held.getChangedAt())) {
            return;
        }
        current.set(record);
        for (Consumer<EncoderServing> listener : listeners) {
            try {
                listener.accept(record);
            } catch (RuntimeException e) {
                LOG.error("serving change to {}: a reader failed on it", record.getVersion(), e);
            }
        }
    }

    private List<TopicPartition> waitForPartitions() {
        while (running) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            }
            LOG.warn("topic {} does not exist yet: the built-in default encoder serves until it does", topic);
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
