package io.vitrine.selector.decision;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.vitrine.avro.Decision;
import io.vitrine.selector.kafka.LogSender;
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
    private final LogSender sender;

    /**
     * @param producerConfig the producer's settings, from {@link io.vitrine.selector.kafka.LogProducerSettings}:
     *                       idempotent, and no wait for Kafka longer than the log timeout
     */
    public DecisionLog(Map<String, Object> producerConfig, String topic, Serializer<Decision> serializer) {
        this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), serializer);
        this.topic = topic;
        this.sender = new LogSender("decision-log-sender", LogSender.timeoutOf(producerConfig),
                "vitrine.selector.log-timeout");
    }

    /**
     * Sends the decision on the log's own thread ({@link LogSender}) and returns at once: the caller never waits for
     * Kafka. The returned stage fails when the topic's metadata did not come within {@code max.block.ms} (a missing
     * topic, naming it), or when the send waited longer than that for its turn and was not made.
     */
    public CompletionStage<RecordMetadata> append(Decision decision) {
        return sender.submit(() -> {
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
        });
    }

    /** Exports the producer's own metrics (record send rate, errors, request latency) as {@code kafka_producer_*}. */
    public void bindMetrics(MeterRegistry registry) {
        new KafkaClientMetrics(producer).bindTo(registry);
    }

    @Override
    public void close() {
        sender.close();
        producer.close();
    }
}
