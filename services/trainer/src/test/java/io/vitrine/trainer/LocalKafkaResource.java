package io.vitrine.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vitrine.kafka.SharedLocalKafka;
import java.util.Map;

/** Points the service at the JVM's shared in-process KRaft broker (every topic of the registry created on it). */
public class LocalKafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedLocalKafka.bootstrapServers());
    }

    @Override
    public void stop() {
        // The broker is shared by every test class of this JVM and stops with it.
    }
}
