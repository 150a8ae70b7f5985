package io.vitrine.schemas;

import io.apicurio.registry.serde.avro.AvroSerde;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * How records are written on the wire: registry-less single-object Avro (the default), or Avro with
 * schemas in an Apicurio registry when a registry URL is configured. Every service picks its serdes
 * here, so one setting switches the whole deployment.
 */
public sealed interface WireFormat permits WireFormat.SingleObject, WireFormat.Registry {

    /** The value serde of a record type. */
    <T extends SpecificRecord> Serde<T> serde(Class<T> type);

    /** The serde of a topic's values. */
    @SuppressWarnings("unchecked")
    default <T extends SpecificRecord> Serde<T> serde(Topic topic) {
        return serde((Class<T>) topic.valueType());
    }

    /**
     * Registry-less unless {@code registryUrl} is present.
     *
     * @param registryProperties extra {@code apicurio.registry.*} settings (auth, artifact strategy, ...)
     */
    static WireFormat of(Optional<String> registryUrl, Map<String, String> registryProperties) {
        return registryUrl.filter(url -> !url.isBlank())
                .<WireFormat>map(url -> new Registry(url, registryProperties))
                .orElseGet(SingleObject::new);
    }

    /** Avro single-object encoding; readers resolve old versions from {@link SchemaHistory}. */
    record SingleObject() implements WireFormat {
        @Override
        public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
            return AvroSerdes.registryless(type);
        }
    }

    /** Avro with an Apicurio registry (schemas registered on first write unless told otherwise). */
    record Registry(String url, Map<String, String> properties) implements WireFormat {
        public Registry {
            properties = Map.copyOf(properties);
        }

        @Override
        public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
            Map<String, Object> config = new HashMap<>();
            config.put("apicurio.registry.url", url);
            config.put("apicurio.registry.auto-register", "true");
            config.put("apicurio.registry.use-specific-avro-reader", "true");
            config.put("apicurio.registry.deserializer.value.return-class", type.getName());
            config.putAll(properties);
            AvroSerde<T> serde = new AvroSerde<>();
            serde.configure(config, false);
            return serde;
        }
    }
}
