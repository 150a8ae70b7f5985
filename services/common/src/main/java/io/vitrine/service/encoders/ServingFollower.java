package io.vitrine.service.encoders;

import io.vitrine.avro.EncoderServing;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest record of the compacted {@code encoder-serving} topic: which encoder version serves, pinned or not,
 * what was served before and what was refused. Read from the beginning and followed, without a consumer group, by
 * every selector, learner and by the trainer; listeners hear each change on the follower's thread.
 */
public final class ServingFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingFollower.class);

    /** The one key of the topic: each record holds the whole state. */
    public static final String KEY = "serving";

    private final TopicFollower<EncoderServing> follower;
    private final AtomicReference<EncoderServing> current = new AtomicReference<>();
    private final List<Consumer<EncoderServing>> listeners = new CopyOnWriteArrayList<>();

    public ServingFollower(Map<String, Object> kafka, String topic, Deserializer<EncoderServing> values) {
        this.follower = new TopicFollower<>(kafka, Map.of(), topic, values, "encoder-serving",
                "the built-in encoder serves until it does", record -> {
                    if (record.value() != null && KEY.equals(record.key())) {
                        apply(record.value());
                    }
                });
    }

    /** The follower of the {@code encoder-serving} topic under {@code topicPrefix}, in the service's wire format. */
    public static ServingFollower of(Map<String, Object> kafka, String topicPrefix, WireFormat wire) {
        return new ServingFollower(kafka, Topic.ENCODER_SERVING.name(topicPrefix),
                wire.<EncoderServing>serde(EncoderServing.class).deserializer());
    }

    /** Register before {@link #start()}; called for every change, in topic order. */
    public void onChange(Consumer<EncoderServing> listener) {
        listeners.add(listener);
    }

    public void start() {
        follower.start();
    }

    /** The newest serving record; empty before the first (the built-in default encoder serves). */
    public Optional<EncoderServing> current() {
        return Optional.ofNullable(current.get());
    }

    /** True once every record published before start-up has been read. */
    public boolean caughtUp() {
        return follower.caughtUp();
    }

    /**
     * Applies a record this process has just written and had acknowledged, so that its own next decision sees it
     * without waiting for the topic to come round (the topic delivers it again; applying it twice changes nothing).
     */
    public void applyOwn(EncoderServing record) {
        apply(record);
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

    @Override
    public void close() throws InterruptedException {
        follower.close();
    }
}
