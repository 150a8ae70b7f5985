package io.vitrine.selector.decision;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.vitrine.avro.Decision;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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

    public DecisionLog(Map<String, Object> kafkaConfig, String topic, Serializer<Decision> serializer) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        // Names its kafka_producer_* metrics.
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "vitrine-selector-decision-log");
        this.producer = new KafkaProducer<>(config, new StringSerializer(), serializer);
        this.topic = topic;
    }

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
