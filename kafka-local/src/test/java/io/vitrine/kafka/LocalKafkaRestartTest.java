package io.vitrine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.schemas.Topic;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Brokers of their own: restart on the same data and failures to start. */
class LocalKafkaRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void aBrokerRestartedOnTheSameDataDirStillHasTheTopicsAndTheRecord() throws Exception {
        LocalKafkaConfig config = LocalKafkaConfig.forTests(dataDir);
        String topic = Topic.CANDIDATES.name(config.topicPrefix());
        try (LocalKafka kafka = LocalKafka.start(config)) {
            assertTrue(kafka.startupTime().compareTo(LocalKafka.START_TIMEOUT) < 0, kafka.startupTime().toString());
            try (var producer = KafkaClients.producer(kafka.bootstrapServers())) {
                producer.send(new ProducerRecord<>(topic, "candidate-1", "kept")).get();
            }
        }

        // No topic creation this time: whatever exists comes from the data directory.
        LocalKafkaConfig again = new LocalKafkaConfig(dataDir, config.port(), config.controllerPort(),
                config.topicPrefix(), false);
        try (LocalKafka kafka = LocalKafka.start(again)) {
            try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
                Set<String> names = admin.listTopics().names().get();
                assertTrue(names.containsAll(Topics.names(config.topicPrefix())), names.toString());
            }
            assertEquals(List.of("kept"), KafkaClients.valuesForKey(kafka.bootstrapServers(), topic,
                    "candidate-1", false, Duration.ofSeconds(15)));
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        LocalKafka kafka = LocalKafka.start(LocalKafkaConfig.forTests(dataDir).withTopicPrefix("closing."));
        kafka.close();
        kafka.close();
    }

    @Test
    void startingOnAPortInUseFailsWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("localhost", 0));
            LocalKafkaConfig config = new LocalKafkaConfig(dataDir, taken.getLocalPort(),
                    LocalKafkaConfig.freePort(), Topic.DEFAULT_PREFIX, true);

            LocalKafkaException e = assertThrows(LocalKafkaException.class, () -> LocalKafka.start(config));

            assertTrue(e.getMessage().contains("port " + taken.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("already in use"), e.getMessage());
        }
    }
}
