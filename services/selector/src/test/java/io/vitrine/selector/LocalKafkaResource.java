package io.vitrine.selector;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vitrine.kafka.SharedLocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** Points the service at the JVM's shared in-process KRaft broker, with fresh Streams state for this run. */
public class LocalKafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            return Map.of(
                    "kafka.bootstrap.servers", SharedLocalKafka.bootstrapServers(),
                    "kafka-streams.state.dir", Files.createTempDirectory("vitrine-selector-state").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // The broker is shared by every test class of this JVM and stops with it.
    }
}
