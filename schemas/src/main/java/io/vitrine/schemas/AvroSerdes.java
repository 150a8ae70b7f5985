package io.vitrine.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Registry-less serdes: Avro single-object encoding (a 2-byte marker, the 8-byte fingerprint of the
 * writer schema, then the binary datum). Readers resolve older writer schemas from the
 * {@link SchemaHistory} kept in the tree, so evolution works without a registry.
 */
public final class AvroSerdes {

    private AvroSerdes() {
    }

    /** A serde for a generated record class, resolving every released version of its schema. */
    public static <T extends SpecificRecord> Serde<T> registryless(Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        SpecificData model = modelOf(type);
        BinaryMessageEncoder<T> encoder = new BinaryMessageEncoder<>(model, schema);
        SingleObjectDecoder<T> decoder = new SingleObjectDecoder<>(model, schema, SchemaHistory.store(schema));
        Serializer<T> serializer = (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                ByteBuffer buffer = encoder.encode(value);
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot encode " + schema.getName() + " for topic " + topic
                        + ": " + e.getMessage(), e);
            }
        };
        Deserializer<T> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return decoder.decode(bytes);
            } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
                throw new SerializationException("cannot decode " + schema.getName() + " from topic " + topic
                        + ": " + e.getMessage(), e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /**
     * A data model that resolves record classes through the class loader of {@code type}, not
     * through the thread's context loader: under an application server or a test framework with
     * several class loaders, a by-name lookup could otherwise find another copy of the class.
     * It carries the logical-type conversions the generated classes use (timestamp-millis as
     * {@link java.time.Instant}).
     */
    private static SpecificData modelOf(Class<? extends SpecificRecord> type) {
        SpecificData model = new SpecificData(type.getClassLoader());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        return model;
    }
}
