package io.vitrine.learner.streams;

import io.vitrine.avro.DeadLetter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds the learner's dead letters: the record, the reason, and where the record was read from. */
final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * @param source where the rejected record was read from (the record in process)
     * @param value  the rejected record, written in Avro single-object encoding (the registry-less wire format)
     */
    static DeadLetter of(Optional<RecordMetadata> source, String key, SpecificRecordBase value, String reason,
                         String detail, Instant timestamp) {
        ByteBuffer bytes = null;
        if (value != null) {
            try {
                bytes = new BinaryMessageEncoder<SpecificRecordBase>(value.getSpecificData(), value.getSchema())
                        .encode(value);
            } catch (IOException | RuntimeException e) {
                // A record too broken to write again (e.g. a null in a required field): the letter still says why.
            }
        }
        return DeadLetter.newBuilder()
                .setService(LearnerTopology.SERVICE)
                .setSourceTopic(source.map(RecordMetadata::topic).orElse(null))
                .setPartition(source.map(RecordMetadata::partition).orElse(null))
                .setOffset(source.map(RecordMetadata::offset).orElse(null))
                .setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setValue(bytes)
                .setReason(reason)
                .setDetail(detail)
                .setTimestamp(timestamp)
                .build();
    }

    /** The key of a dead letter as text (all the learner's keys are strings). */
    static String keyOf(DeadLetter letter) {
        return letter.getKey() == null ? null : StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString();
    }
}
