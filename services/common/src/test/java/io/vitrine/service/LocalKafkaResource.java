package io.vitrine.service;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vitrine.kafka.SharedLocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Points a service under test at the JVM's shared in-process KRaft broker (every topic of the registry created on
 * it), with fresh Kafka Streams state for this run: state left by an earlier broker would fail the next run. A
 * service without Kafka Streams (the trainer) ignores the state directory.
 */
public class LocalKafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            return Map.of(
                    "kafka.bootstrap.servers", SharedLocalKafka.bootstrapServers(),
                    "kafka-streams.state.dir", Files.createTempDirectory("vitrine-streams-state").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // The broker is shared by every test class of this JVM and stops with it.
    }
}
