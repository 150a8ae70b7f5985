package io.vitrine.learner.streams;

import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Tells whether an event read from an input topic is on the partition where the attribution join looks for its
 * request id, so that only misplaced events take the detour through a repartition topic.
 *
 * <p>The join runs one task per partition number over decisions, impressions and clicks. An event belongs to the
 * task {@code murmur2(request id) mod tasks}: where Kafka's Java producer (and so the selector, kafkajs and
 * Kafka Streams' own repartitioning) puts a string key. librdkafka's default partitioner (Python, Go, .NET,
 * node-rdkafka, kcat) hashes with CRC32 instead, and input topics may differ in partition count; such events are
 * misplaced and are re-keyed through a repartition topic, which Streams writes with murmur2 over the same number
 * of partitions. Events from Java producers into equally partitioned topics pay nothing.
 *
 * <p>Records without a key or value stay where they are: the join turns them into dead letters with their origin.
 */
final class RequestPlacement<V> implements FixedKeyProcessor<String, V, RequestPlacement.Placed<V>> {

    /** An event and whether it is already on its request's partition. */
    record Placed<V>(V value, boolean placed) {
    }

    private final IntSupplier tasks;
    private final Runnable onMisplaced;
    private FixedKeyProcessorContext<String, Placed<V>> context;
    private int taskCount;

    /**
     * @param tasks       the number of join tasks: the largest partition count of the join's input topics (read
     *                    once, when the task starts)
     * @param onMisplaced counts an event sent through the repartition topic
     */
    RequestPlacement(IntSupplier tasks, Runnable onMisplaced) {
        this.tasks = tasks;
        this.onMisplaced = onMisplaced;
    }

    /** The join task of a request id among {@code tasks}: Kafka's default partition of the string key. */
    static int taskOf(String requestId, int tasks) {
        return Utils.toPositive(Utils.murmur2(requestId.getBytes(StandardCharsets.UTF_8))) % tasks;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Placed<V>> context) {
        this.context = context;
        this.taskCount = tasks.getAsInt();
        if (taskCount < 1) {
            throw new IllegalStateException("the attribution join needs at least one task, got " + taskCount);
        }
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        boolean placed = record.key() == null || record.value() == null
                || taskOf(record.key(), taskCount) == context.taskId().partition();
        if (!placed) {
            onMisplaced.run();
        }
        context.forward(record.withValue(new Placed<>(record.value(), placed)));
    }
}
