package io.vitrine.service.control;

import io.vitrine.avro.SlotControl;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import io.vitrine.service.encoders.TopicFollower;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The newest record of each slot on the compacted {@code slot-control} topic: whether its learning is paused, its
 * exploration share, apprentice or online, its last reset. Read from the beginning and followed, without a consumer
 * group, by every learner and selector, so that all instances act on the same state however many there are; a slot
 * never set has the defaults (learning, the configured exploration share, online, never reset).
 */
public final class SlotControls implements AutoCloseable {

    private final TopicFollower<SlotControl> follower;
    private final Map<String, SlotControl> bySlot = new ConcurrentHashMap<>();

    public SlotControls(Map<String, Object> kafka, String topic, Deserializer<SlotControl> values, String threadName) {
        this.follower = new TopicFollower<>(kafka, Map.of(), topic, values, threadName,
                "every slot keeps its defaults until it does", record -> {
                    if (record.key() != null && record.value() != null) {
                        apply(record.value());
                    }
                });
    }

    /** The follower of the {@code slot-control} topic under {@code topicPrefix}, in the service's wire format. */
    public static SlotControls of(Map<String, Object> kafka, String topicPrefix, WireFormat wire, String threadName) {
        return new SlotControls(kafka, Topic.SLOT_CONTROL.name(topicPrefix),
                wire.<SlotControl>serde(SlotControl.class).deserializer(), threadName);
    }

    public void start() {
        follower.start();
    }

    /** True once every record published before start-up has been read. */
    public boolean caughtUp() {
        return follower.caughtUp();
    }

    /** The slot's newest record; empty while it was never set. */
    public Optional<SlotControl> get(String slot) {
        return Optional.ofNullable(bySlot.get(slot));
    }

    /** Every slot ever set, by name. */
    public Map<String, SlotControl> all() {
        return new TreeMap<>(bySlot);
    }

    /** False while an operator has paused the slot's learning. */
    public boolean learning(String slot) {
        SlotControl control = bySlot.get(slot);
        return control == null || control.getLearning();
    }

    /** The slot's exploration share; empty: the configured one. */
    public Optional<Double> exploration(String slot) {
        SlotControl control = bySlot.get(slot);
        return control == null ? Optional.empty() : Optional.ofNullable(control.getExploration());
    }

    /** When the slot was last reset: its posteriors forget every reward stamped at or before it. */
    public Optional<Instant> resetAt(String slot) {
        SlotControl control = bySlot.get(slot);
        return control == null ? Optional.empty() : Optional.ofNullable(control.getResetAt());
    }

    /**
     * Applies a record this process has just written and had acknowledged, so that its next answer sees it without
     * waiting for the topic to come round (the topic delivers it again; applying it twice changes nothing).
     */
    public void applyOwn(SlotControl control) {
        apply(control);
    }

    private void apply(SlotControl control) {
        // Each record holds the slot's whole state: the newest change wins, an older one read late is ignored.
        bySlot.merge(control.getSlot(), control,
                (held, next) -> next.getChangedAt().isBefore(held.getChangedAt()) ? held : next);
    }

    @Override
    public void close() throws InterruptedException {
        follower.close();
    }
}
