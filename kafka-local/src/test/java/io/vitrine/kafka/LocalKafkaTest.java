package io.vitrine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.schemas.Topic;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The shared in-JVM broker: topics, plain and transactional records. */
class LocalKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final String bootstrap = SharedLocalKafka.bootstrapServers();

    @Test
    void everyTopicOfTheRegistryExistsWithItsPartitionCountAndCleanupPolicy() throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            List<String> names = Topics.names(Topic.DEFAULT_PREFIX);
            Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
            List<ConfigResource> resources = names.stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                    .toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();

            for (Topic topic : Topic.values()) {
                String name = topic.name(Topic.DEFAULT_PREFIX);
                assertEquals(topic.partitions(), descriptions.get(name).partitions().size(), name);
                String policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name))
                        .get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
                assertEquals(topic.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE,
                        policy, name);
            }
        }
    }

    @Test
    void creatingTheTopicsAgainLeavesThemAsTheyAre() throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            Topics.createAll(admin, Topic.DEFAULT_PREFIX, (short) 1);

            Map<String, Integer> partitions = admin.describeTopics(Topics.names(Topic.DEFAULT_PREFIX))
                    .allTopicNames().get().values().stream()
                    .collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size()));
            Map<String, Integer> expected = Arrays.stream(Topic.values())
                    .collect(Collectors.toMap(t -> t.name(Topic.DEFAULT_PREFIX), Topic::partitions));
            assertEquals(expected, partitions);
        }
    }

    @Test
    void aProducedRecordIsConsumed() throws Exception {
        String topic = Topic.DECISIONS.name(Topic.DEFAULT_PREFIX);
        String key = UUID.randomUUID().toString();
        try (var producer = KafkaClients.producer(bootstrap)) {
            producer.send(new ProducerRecord<>(topic, key, "hello")).get();
        }

        assertEquals(List.of("hello"), KafkaClients.valuesForKey(bootstrap, topic, key, false, WAIT));
    }

    @Test
    void aTransactionalProducerCommitsAndReadCommittedConsumersSeeTheRecord() {
        String topic = Topic.REWARDS.name(Topic.DEFAULT_PREFIX);
        String key = UUID.randomUUID().toString();
        try (var producer = KafkaClients.transactionalProducer(bootstrap)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, key, "committed"));
            producer.commitTransaction();
        }

        assertEquals(List.of("committed"), KafkaClients.valuesForKey(bootstrap, topic, key, true, WAIT));
    }

    @Test
    void anAbortedTransactionStaysInvisibleToReadCommittedConsumers() {
        String topic = Topic.REWARDS.name(Topic.DEFAULT_PREFIX);
        String key = UUID.randomUUID().toString();
        try (var producer = KafkaClients.transactionalProducer(bootstrap)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, key, "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, key, "committed"));
            producer.commitTransaction();
        }

        assertEquals(List.of("committed"), KafkaClients.valuesForKey(bootstrap, topic, key, true, WAIT));
    }

    @Test
    void theSharedBrokerIsOnePerJvm() {
        assertEquals(bootstrap, SharedLocalKafka.bootstrapServers());
        assertTrue(bootstrap.startsWith("localhost:"), bootstrap);
    }
}
