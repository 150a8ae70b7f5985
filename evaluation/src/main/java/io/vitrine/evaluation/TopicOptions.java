package io.vitrine.evaluation;

import io.vitrine.schemas.WireFormat;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** Where {@code vitrine evaluate} reads Vitrine's decisions and rewards from the topics. */
public final class TopicOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
            description = "Read the decisions and rewards topics of this Kafka cluster instead of files.")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka consumer properties (security.protocol, sasl.*, ssl.*, ...) for the topics.")
    Path kafkaConfig;

    @Option(names = "--topic-prefix", defaultValue = "vitrine.",
            description = "The deployment's topic prefix, as vitrine.topics.prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--registry-url", paramLabel = "URL",
            description = "Apicurio registry of the records' schemas (default: registry-less single-object Avro).")
    String registryUrl;

    @Option(names = "--from", paramLabel = "INSTANT", description = "First decision time read, e.g. 2026-11-01T00:00:00Z.")
    Instant from;

    @Option(names = "--to", paramLabel = "INSTANT", description = "Decisions up to (not including) this time.")
    Instant to;

    @Option(names = "--reward-grace", defaultValue = "PT1H", paramLabel = "DURATION",
            description = "How long after --to rewards are still read, at least the attribution window and its "
                    + "grace (default: ${DEFAULT-VALUE}).")
    Duration rewardGrace;

    boolean reading() {
        return bootstrapServers != null;
    }

    String describe() {
        return "topics of " + bootstrapServers + " from " + from + " to " + to;
    }

    VitrineLog.Result read(Consumer<String> progress) throws IOException {
        if (from == null || to == null) {
            throw new IllegalArgumentException("reading the topics needs --from and --to");
        }
        Properties config = new Properties();
        if (kafkaConfig != null) {
            try (Reader reader = Files.newBufferedReader(kafkaConfig)) {
                config.load(reader);
            }
        }
        config.put("bootstrap.servers", bootstrapServers);
        WireFormat wire = WireFormat.of(Optional.ofNullable(registryUrl), Map.of());
        return VitrineLogSources.readTopics(config, wire, topicPrefix, from, to, rewardGrace, progress);
    }
}
