package io.vitrine.trainer;

import io.vitrine.avro.EncoderVersion;
import io.vitrine.schemas.Topic;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes encoder versions to the compacted {@code encoders} topic, each acknowledged by all in-sync replicas. */
final class EncoderPublisher implements AutoCloseable {

    private final KafkaProducer<String, EncoderVersion> producer;
    private final String topic;

    EncoderPublisher(Map<String, Object> kafka, String topic, Serializer<EncoderVersion> values) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topic.MAX_ENCODER_BYTES);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), values);
        this.topic = topic;
    }

    void publish(EncoderVersion version) {
        try {
            producer.send(new ProducerRecord<>(topic, version.getVersion(), version)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("encoder version " + version.getVersion() + " was not written to " + topic
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing encoder version " + version.getVersion(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
