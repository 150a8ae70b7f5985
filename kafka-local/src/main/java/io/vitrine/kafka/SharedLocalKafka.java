package io.vitrine.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one broker of a test JVM, shared by every test class that runs in it.
 *
 * <p>This holder is the single deliberate JVM-wide mutable resource of the project: a broker takes
 * seconds to start, so tests share one across classes instead of starting one each. It starts
 * lazily on the first call, in a fresh temporary directory with free ports and every Vitrine topic
 * (prefix {@link io.vitrine.schemas.Topic#DEFAULT_PREFIX}), and stops with the JVM through a shutdown
 * hook, which also deletes its directory. Tests that share it must not depend on topics being empty:
 * use unique keys, consumer groups or transactional ids per test.
 */
public final class SharedLocalKafka {

    // Guarded by the class lock; written once, then only read.
    private static LocalKafka kafka;

    private SharedLocalKafka() {
    }

    /** The bootstrap address of the shared broker, starting it on the first call. */
    public static synchronized String bootstrapServers() {
        if (kafka == null) {
            kafka = startShared();
        }
        return kafka.bootstrapServers();
    }

    private static LocalKafka startShared() {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("vitrine-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for the shared Kafka broker", e);
        }
        LocalKafka started;
        try {
            started = LocalKafka.start(LocalKafkaConfig.forTests(dataDir));
        } catch (RuntimeException e) {
            Directories.deleteRecursively(dataDir);
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            started.close();
            Directories.deleteRecursively(dataDir);
        }, "vitrine-shared-kafka-shutdown"));
        return started;
    }
}
