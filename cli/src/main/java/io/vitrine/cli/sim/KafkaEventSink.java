package io.vitrine.cli.sim;

import io.vitrine.avro.Click;
import io.vitrine.avro.Impression;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes impressions and clicks to their topics the way the web front end's event pipeline does:
 * keyed by request id, registry-less Avro, idempotent producer. The record timestamp is the event's
 * own timestamp, so a consumer windowing on either sees the same time.
 */
public final class KafkaEventSink implements EventSink {

    private final Producer<String, byte[]> producer;
    private final String impressionsTopic;
    private final String clicksTopic;
    private final Serializer<Impression> impressions = AvroSerdes.registryless(Impression.class).serializer();
    private final Serializer<Click> clicks = AvroSerdes.registryless(Click.class).serializer();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();

    public KafkaEventSink(String bootstrapServers, String topicPrefix) {
        this(bootstrapServers, topicPrefix, Map.of());
    }

    /** @param clientSettings further producer settings, e.g. TLS and SASL ({@code security.protocol}, {@code sasl.*}) */
    public KafkaEventSink(String bootstrapServers, String topicPrefix, Map<String, Object> clientSettings) {
        Properties config = new Properties();
        config.putAll(clientSettings);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "vitrine-simulator");
        // Fail within seconds, not the default minute, when the broker is unreachable.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.impressionsTopic = Topic.IMPRESSIONS.name(topicPrefix);
        this.clicksTopic = Topic.CLICKS.name(topicPrefix);
    }

    /** Fails with a readable message unless the broker answers and both topics exist. */
    public void checkTopics() {
        for (String topic : new String[] {impressionsTopic, clicksTopic}) {
            try {
                producer.partitionsFor(topic);
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot write to topic " + topic + " (is Kafka running, with the"
                        + " Vitrine topics and this topic prefix?): " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void impression(String requestId, String candidateId, Instant timestamp) {
        byte[] value = impressions.serialize(impressionsTopic, new Impression(requestId, candidateId, timestamp));
        send(impressionsTopic, requestId, value, timestamp);
    }

    @Override
    public void click(String requestId, String candidateId, Instant timestamp) {
        byte[] value = clicks.serialize(clicksTopic, new Click(requestId, candidateId, timestamp, null));
        send(clicksTopic, requestId, value, timestamp);
    }

    private void send(String topic, String key, byte[] value, Instant timestamp) {
        try {
            producer.send(new ProducerRecord<>(topic, null, timestamp.toEpochMilli(), key, value), (metadata, error) -> {
                if (error != null) {
                    recordFailure(topic, error);
                }
            });
        } catch (RuntimeException e) {
            recordFailure(topic, e);
        }
    }

    private void recordFailure(String topic, Exception error) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, topic + ": " + error);
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public long failures() {
        return failures.get();
    }

    @Override
    public Optional<String> firstFailure() {
        return Optional.ofNullable(firstFailure.get());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
