package io.vitrine.trainer;

import io.vitrine.avro.EncoderVersion;
import io.vitrine.schemas.Topic;
import org.apache.kafka.common.serialization.Serializer;

import java.time.Duration;
import java.util.Map;

/**
 * Writes encoder versions to the compacted {@code encoders} topic, each in its own transaction under the trainer's
 * transactional id ({@link FencedWriter}), acknowledged by all in-sync replicas.
 */
final class EncoderPublisher implements AutoCloseable {

    private final FencedWriter<EncoderVersion> writer;
    private final String topic;

    EncoderPublisher(Map<String, Object> kafka, String transactionalId, String topic,
                     Serializer<EncoderVersion> values) {
        this.writer = new FencedWriter<>(kafka, transactionalId, values, Topic.MAX_ENCODER_BYTES,
                Duration.ofSeconds(60));
        this.topic = topic;
    }

    /** @throws FencedWriter.FencedException when a newer trainer took over */
    void publish(EncoderVersion version) {
        writer.write(topic, version.getVersion(), version);
    }

    boolean fenced() {
        return writer.fenced();
    }

    @Override
    public void close() {
        writer.close();
    }
}
