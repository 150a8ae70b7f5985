package io.vitrine.selector.decision;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.schemas.AvroArrays;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The newest posterior of every scope, read from the compacted {@code posteriors} topic into memory
 * and kept ready to sample from (the Cholesky factor comes with the snapshot, so a decision does no
 * factorisation). One consumer thread reads every partition from the beginning; readers never block.
 * A snapshot replaces the held one only if its version is newer.
 */
public final class PosteriorView implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PosteriorView.class);

    /** A scope's posterior and when the learner last updated it (epoch millis; MIN_VALUE when not said). */
    private record Held(NormalInverseGammaPosterior posterior, long updatedAt) {
    }

    private final Map<String, Held> byScope = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<PosteriorSnapshot> deserializer;
    private final String topic;
    private final Thread thread;
    private volatile boolean caughtUp;
    /** updatedAt of the newest snapshot applied, epoch millis; MIN_VALUE before the first. */
    private final java.util.concurrent.atomic.AtomicLong newestUpdate =
            new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
    private volatile boolean running = true;

    public PosteriorView(Map<String, Object> kafkaConfig, String topic, Deserializer<PosteriorSnapshot> deserializer) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "vitrine-selector-posterior-view"); // names its metrics
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.deserializer = deserializer;
        this.topic = topic;
        this.thread = new Thread(this::run, "posterior-view");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Exports the consumer's own metrics (lag, fetch rate) as {@code kafka_consumer_*}; they need no lock. */
    public void bindMetrics(MeterRegistry registry) {
        new KafkaClientMetrics(consumer).bindTo(registry);
    }

    public Optional<NormalInverseGammaPosterior> get(String scope) {
        return Optional.ofNullable(byScope.get(scope)).map(Held::posterior);
    }

    /**
     * The scope's posterior unless it was last updated at or before its slot's reset: such a posterior holds rewards
     * the reset forgot, and the prior stands for it until the learner publishes the scope again.
     */
    public Optional<NormalInverseGammaPosterior> get(String scope, Optional<java.time.Instant> resetAt) {
        Held held = byScope.get(scope);
        if (held == null || resetAt.isPresent() && held.updatedAt() <= resetAt.get().toEpochMilli()) {
            return Optional.empty();
        }
        return Optional.of(held.posterior());
    }

    /** True once every snapshot published before start-up has been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public int scopes() {
        return byScope.size();
    }

    /** When the newest posterior held was computed by the learner; empty before the first. */
    public Optional<java.time.Instant> newestUpdate() {
        long at = newestUpdate.get();
        return at == Long.MIN_VALUE ? Optional.empty() : Optional.of(java.time.Instant.ofEpochMilli(at));
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitionsOf(topic);
            if (partitions.isEmpty()) {
                return; // stopped before the topic appeared
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                }
                if (!caughtUp && endAtStart.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.infof("posterior view caught up: %d scopes", byScope.size());
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("posterior view stopped; decisions keep the posteriors already read", e);
        } finally {
            consumer.close();
        }
    }

    /** The topic's partitions; waits (not ready meanwhile) while the topic does not exist yet. */
    private List<TopicPartition> partitionsOf(String topic) throws InterruptedException {
        List<TopicPartition> partitions = new ArrayList<>();
        while (running) {
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            if (!partitions.isEmpty()) {
                return partitions;
            }
            LOG.warnf("topic %s does not exist yet; decisions use the prior until it does", topic);
            Thread.sleep(2_000);
        }
        return partitions;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        try {
            PosteriorSnapshot snapshot = deserializer.deserialize(record.topic(), record.value());
            NormalInverseGammaPosterior posterior = NormalInverseGammaPosterior.of(snapshot.getDimension(),
                    AvroArrays.doubles(snapshot.getMu()), AvroArrays.doubles(snapshot.getCholeskyLower()),
                    snapshot.getA(), snapshot.getBn(), snapshot.getVersion());
            long updatedAt = snapshot.getUpdatedAt() == null ? Long.MIN_VALUE : snapshot.getUpdatedAt().toEpochMilli();
            byScope.merge(record.key(), new Held(posterior, updatedAt),
                    (held, next) -> next.posterior().version() > held.posterior().version() ? next : held);
            if (snapshot.getUpdatedAt() != null) {
                newestUpdate.accumulateAndGet(snapshot.getUpdatedAt().toEpochMilli(), Math::max);
            }
        } catch (RuntimeException e) {
            LOG.warnf("skipping unusable posterior snapshot at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
