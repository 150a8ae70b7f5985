package io.vitrine.selector.decision;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.vitrine.avro.Decision;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes HTTP decisions to the {@code decisions} topic with an idempotent producer. A decision is
 * answered only once Kafka has acknowledged it, so no served decision is missing from the log.
 */
public final class DecisionLog implements AutoCloseable {

    private final KafkaProducer<String, Decision> producer;
    private final String topic;

    /**
     * @param producerConfig the producer's settings, from {@link io.vitrine.selector.kafka.LogProducerSettings}:
     *                       idempotent, and no wait for Kafka longer than the log timeout
     */
    public DecisionLog(Map<String, Object> producerConfig, String topic, Serializer<Decision> serializer) {
        this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), serializer);
        this.topic = topic;
    }

    /**
     * Sends the decision; blocks at most {@code max.block.ms} for the topic's metadata (a missing topic then fails
     * the returned stage, naming it).
     */
    public CompletionStage<RecordMetadata> append(Decision decision) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, null, decision.getTimestamp().toEpochMilli(),
                decision.getRequestId(), decision), (metadata, error) -> {
                    if (error != null) {
                        acked.completeExceptionally(error);
                    } else {
                        acked.complete(metadata);
                    }
                });
        return acked;
    }

    /** Exports the producer's own metrics (record send rate, errors, request latency) as {@code kafka_producer_*}. */
    public void bindMetrics(MeterRegistry registry) {
        new KafkaClientMetrics(producer).bindTo(registry);
    }

    @Override
    public void close() {
        producer.close();
    }
}
