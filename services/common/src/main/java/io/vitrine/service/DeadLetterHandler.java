package io.vitrine.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vitrine.avro.DeadLetter;
import io.vitrine.schemas.WireFormat;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every record that cannot be decoded to the dead-letter topic, with the reason and where it came
 * from (topic, partition, offset, raw key and value), and lets the stream go on. Kafka Streams 4.1 has no
 * dead-letter queue of its own, hence this handler.
 *
 * <p>The write is synchronous: the record's offset may be committed as soon as this returns, so the dead
 * letter must be in Kafka first. If it cannot be written, the handler fails the stream thread rather
 * than lose the record silently.
 *
 * <p>Each dead letter is counted in {@code vitrine.dead.letters} (tags service, reason=undecodable) of
 * Micrometer's global registry: Kafka Streams, not CDI, creates the handler, and Quarkus adds its registry to
 * the global one, so the counter shows on {@code /q/metrics}.
 *
 * <p>Settings (passed through the Streams configuration, e.g. {@code kafka-streams.vitrine.dead-letter.topic}):
 * {@value #TOPIC}, {@value #SERVICE}, and optionally {@value #REGISTRY_URL}.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {

    public static final String TOPIC = "vitrine.dead-letter.topic";
    public static final String SERVICE = "vitrine.service.name";
    public static final String REGISTRY_URL = "vitrine.dead-letter.registry-url";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private KafkaProducer<byte[], DeadLetter> producer;
    private String topic;
    private String service;
    private Counter counter;

    @Override
    public void configure(Map<String, ?> configs) {
        topic = required(configs, TOPIC);
        service = required(configs, SERVICE);
        counter = Counter.builder("vitrine.dead.letters").tag("service", service).tag("reason", "undecodable")
                .description("Records sent to the dead-letter topic, by reason").register(Metrics.globalRegistry);
        Map<String, Object> producerConfig = new HashMap<>();
        for (var entry : configs.entrySet()) {
            // Connection and security settings of the Streams application apply to the dead-letter writes too.
            String key = entry.getKey();
            if (key.equals("bootstrap.servers") || key.startsWith("security.") || key.startsWith("sasl.")
                    || key.startsWith("ssl.")) {
                producerConfig.put(key, entry.getValue());
            }
        }
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, service + "-dead-letters");
        Object registry = configs.get(REGISTRY_URL);
        WireFormat wire = WireFormat.of(Optional.ofNullable(registry).map(Object::toString), Map.of());
        producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                wire.<DeadLetter>serde(DeadLetter.class).serializer());
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
        DeadLetter letter = letter(service, record, exception);
        try {
            producer.send(new ProducerRecord<>(topic, record.key(), letter)).get(30, TimeUnit.SECONDS);
            counter.increment();
            LOG.warn("undecodable record {}-{}@{} sent to {}: {}", record.topic(), record.partition(),
                    record.offset(), topic, exception.getMessage());
            return DeserializationHandlerResponse.CONTINUE;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.error("cannot write the dead letter of {}-{}@{}; stopping rather than losing it", record.topic(),
                    record.partition(), record.offset(), e);
            return DeserializationHandlerResponse.FAIL;
        }
    }

    /**
     * The dead letter of a record {@code service} could not decode; public so that tests without a broker record the
     * very letter the handler would write.
     */
    public static DeadLetter letter(String service, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        return DeadLetter.newBuilder()
                .setService(service)
                .setSourceTopic(record.topic())
                .setPartition(record.partition())
                .setOffset(record.offset())
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setReason("undecodable")
                .setDetail(String.valueOf(exception.getMessage()))
                .setTimestamp(Instant.ofEpochMilli(Math.max(0, record.timestamp())))
                .build();
    }

    private static String required(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null || value.toString().isBlank()) {
            throw new IllegalArgumentException("dead-letter handler: setting " + key + " is missing");
        }
        return value.toString();
    }
}
