package io.vitrine.learner.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Knows whether the streams have been running since start-up and which state stores are being restored from
 * their changelogs. Quarkus hands this bean to Kafka Streams as its state listener and global restore listener;
 * the stream threads call it concurrently, hence the concurrent map and the volatile flag.
 */
@ApplicationScoped
public class StreamsProgress implements StateRestoreListener, KafkaStreams.StateListener {

    private volatile boolean runningOnce;

    /** store/partition -&gt; records still to restore. */
    private final Map<String, Long> remaining = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        remaining.put(key(partition, storeName), Math.max(0, endingOffset - startingOffset));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        remaining.computeIfPresent(key(partition, storeName), (k, left) -> Math.max(0, left - numRestored));
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        remaining.remove(key(partition, storeName));
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
        // The task moved to another instance before it finished restoring: nothing left to wait for here.
        remaining.remove(key(partition, storeName));
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (newState == KafkaStreams.State.RUNNING) {
            runningOnce = true;
        }
    }

    /** Whether the streams reached RUNNING (tasks assigned) at least once since start-up. */
    public boolean runningOnce() {
        return runningOnce;
    }

    /** Stores (one per changelog partition) still restoring. */
    public int restoringStores() {
        return remaining.size();
    }

    /** Changelog records still to restore, summed over the stores. */
    public long remainingRecords() {
        return remaining.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String key(TopicPartition partition, String storeName) {
        return storeName + "@" + partition;
    }
}
