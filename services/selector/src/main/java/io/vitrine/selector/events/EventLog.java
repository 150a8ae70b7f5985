package io.vitrine.selector.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.vitrine.avro.Click;
import io.vitrine.avro.Impression;
import io.vitrine.selector.kafka.LogSender;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes impressions and clicks received over HTTP to the {@code impressions} and {@code clicks} topics, as a
 * client's Kafka producer would: the same Avro records, keyed by request id, placed by the Java producer's default
 * partitioner (murmur2 of the key, as the decision log), so that the learner joins them where they land.
 *
 * <p>Every value of a batch is serialized before the first is sent: a value that cannot be written fails the batch
 * with nothing sent.
 */
public final class EventLog implements AutoCloseable {

    /** What to write: an impression or a click of a chosen candidate. */
    public enum Type { IMPRESSION, CLICK }

    /**
     * One event as read from a request.
     *
     * @param value what a click led to (a booking, revenue, dwell time), or null; always null for an impression
     */
    public record Event(Type type, String requestId, String candidateId, Instant timestamp, Double value) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final String impressionsTopic;
    private final String clicksTopic;
    private final Serializer<Impression> impressions;
    private final Serializer<Click> clicks;
    private final LogSender sender;

    /** @param producerConfig the producer's settings, from {@link io.vitrine.selector.kafka.LogProducerSettings} */
    public EventLog(Map<String, Object> producerConfig, String impressionsTopic, String clicksTopic,
                    Serializer<Impression> impressions, Serializer<Click> clicks) {
        this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        this.impressionsTopic = impressionsTopic;
        this.clicksTopic = clicksTopic;
        this.impressions = impressions;
        this.clicks = clicks;
        this.sender = new LogSender("event-log-sender", LogSender.timeoutOf(producerConfig),
                "vitrine.selector.log-timeout");
    }

    /**
     * Sends every event of the batch; completes once Kafka acknowledged all of them, or with the first failure.
     * The topics' metadata is fetched before the first record is sent, so that a missing topic fails the batch
     * with nothing written (within {@code max.block.ms}). Sent on the log's own thread ({@link LogSender}): the
     * caller never waits for Kafka, and a batch that waited longer than {@code max.block.ms} for its turn is not sent.
     */
    public CompletableFuture<Void> append(List<Event> batch) {
        return sender.submit(() -> send(batch));
    }

    private CompletableFuture<Void> send(List<Event> batch) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(batch.size());
        Set<String> topics = new LinkedHashSet<>();
        try {
            for (Event event : batch) {
                ProducerRecord<String, byte[]> record = record(event);
                records.add(record);
                topics.add(record.topic());
            }
            for (String topic : topics) {
                producer.partitionsFor(topic); // cached after the first batch
            }
        } catch (KafkaException e) {
            // A missing topic, or a registry that cannot be reached: nothing of the batch was sent.
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<?>[] acked = new CompletableFuture<?>[records.size()];
        for (int i = 0; i < acked.length; i++) {
            CompletableFuture<Void> one = new CompletableFuture<>();
            acked[i] = one;
            producer.send(records.get(i), (metadata, error) -> {
                if (error != null) {
                    one.completeExceptionally(error);
                } else {
                    one.complete(null);
                }
            });
            if (one.isCompletedExceptionally()) {
                return one; // the producer gave up at once (metadata): the rest would wait for the same
            }
        }
        return CompletableFuture.allOf(acked);
    }

    private ProducerRecord<String, byte[]> record(Event event) {
        // Serializers that keep the schema reference in headers (a registry's) write them here.
        RecordHeaders headers = new RecordHeaders();
        String topic;
        byte[] value;
        if (event.type() == Type.IMPRESSION) {
            topic = impressionsTopic;
            value = impressions.serialize(topic, headers,
                    new Impression(event.requestId(), event.candidateId(), event.timestamp()));
        } else {
            topic = clicksTopic;
            value = clicks.serialize(topic, headers, new Click(event.requestId(), event.candidateId(), event.timestamp(),
                    event.value()));
        }
        return new ProducerRecord<>(topic, null, event.timestamp().toEpochMilli(), event.requestId(), value, headers);
    }

    /** Exports the producer's own metrics as {@code kafka_producer_*{client_id="vitrine-selector-event-log"}}. */
    public void bindMetrics(MeterRegistry registry) {
        new KafkaClientMetrics(producer).bindTo(registry);
    }

    @Override
    public void close() {
        sender.close();
        producer.close();
    }
}
