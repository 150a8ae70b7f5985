package io.vitrine.trainer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes one record per transaction under a fixed {@code transactional.id}, so that only one trainer at a time can
 * write: a trainer that starts with the same id fences every older one (Kafka bumps the id's epoch), whose next write
 * fails with {@link FencedException} instead of publishing a version or a promotion behind the new trainer's back.
 * Readers of the lifecycle topics read committed records only, so nothing a fenced trainer began is ever seen.
 *
 * <p>A fenced writer stays fenced: restarting it would fence the newer trainer in turn, and two trainers would take
 * the topic from each other. The trainer reports itself not ready instead (docs/deploy.md).
 *
 * @param <V> the record's value type
 */
final class FencedWriter<V> implements AutoCloseable {

    /** Another trainer with the same transactional id started after this one. */
    static final class FencedException extends IllegalStateException {
        FencedException(String transactionalId, Throwable cause) {
            super("another trainer took over transactional id " + transactionalId + "; this one writes no more",
                    cause);
        }
    }

    private final KafkaProducer<String, V> producer;
    private final String transactionalId;
    private final AtomicBoolean fenced = new AtomicBoolean();

    /**
     * Initialises the id's transactions, fencing any older producer with it.
     *
     * @param maxRequestBytes the largest record, for model bytes; 0 for Kafka's default
     * @param blockAtMost     the longest a write (its commit included) waits for the cluster
     */
    FencedWriter(Map<String, Object> kafka, String transactionalId, Serializer<V> values, int maxRequestBytes,
                 Duration blockAtMost) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) blockAtMost.toMillis());
        if (maxRequestBytes > 0) {
            config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes);
        }
        this.producer = new KafkaProducer<>(config, new StringSerializer(), values);
        this.transactionalId = transactionalId;
        producer.initTransactions();
    }

    /**
     * Writes {@code value} under {@code key} and commits.
     *
     * @throws FencedException       when a newer trainer holds the id (now or earlier)
     * @throws IllegalStateException when the write fails otherwise (the transaction is aborted, nothing is visible)
     */
    synchronized void write(String topic, String key, V value) {
        if (fenced.get()) {
            throw new FencedException(transactionalId, null);
        }
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, key, value));
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fenced.set(true);
            throw new FencedException(transactionalId, e);
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (ProducerFencedException | InvalidProducerEpochException fencedWhileAborting) {
                fenced.set(true);
                throw new FencedException(transactionalId, fencedWhileAborting);
            } catch (KafkaException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw new IllegalStateException(key + " was not written to " + topic + ": " + e.getMessage(), e);
        }
    }

    /** True once a newer trainer fenced this one. */
    boolean fenced() {
        return fenced.get();
    }

    String transactionalId() {
        return transactionalId;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
