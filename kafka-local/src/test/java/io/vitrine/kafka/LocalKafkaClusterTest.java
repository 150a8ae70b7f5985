package io.vitrine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.schemas.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes with a static controller quorum: replication 3, two in sync, and a broker lost without losing a write. */
class LocalKafkaClusterTest {

    @TempDir
    Path dataDir;

    @Test
    void threeNodesReplicateEveryTopicThreeTimesAndKeepWritingWithOneGone() throws Exception {
        SortedMap<Integer, Integer> controllers = new TreeMap<>();
        List<LocalKafkaConfig> configs = new ArrayList<>();
        String clusterId = Uuid.randomUuid().toString();
        for (int node = 1; node <= 3; node++) {
            controllers.put(node, LocalKafkaConfig.freePort());
        }
        for (int node = 1; node <= 3; node++) {
            configs.add(new LocalKafkaConfig(dataDir.resolve("node-" + node), LocalKafkaConfig.freePort(),
                    controllers.get(node), "cluster.", true)
                    .inCluster(new ClusterMembership(node, clusterId, controllers)));
        }
        // Together: a node is ready only once the quorum has a majority and every broker has joined.
        List<CompletableFuture<LocalKafka>> starting = configs.stream()
                .map(config -> CompletableFuture.supplyAsync(() -> LocalKafka.start(config))).toList();
        List<LocalKafka> nodes = starting.stream().map(CompletableFuture::join).toList();
        try {
            String bootstrap = String.join(",", nodes.stream().map(LocalKafka::bootstrapServers).toList());
            String topic = Topic.IMPRESSIONS.name("cluster.");
            try (Admin admin = KafkaClients.admin(bootstrap)) {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                assertTrue(description.partitions().stream().allMatch(p -> p.replicas().size() == 3),
                        description.toString());
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertEquals("2", config.get("min.insync.replicas").value());
            }
            try (var producer = KafkaClients.producer(bootstrap)) {
                producer.send(new ProducerRecord<>(topic, "request-1", "before")).get();
            }

            nodes.get(0).close();

            try (var producer = KafkaClients.producer(bootstrap)) {
                producer.send(new ProducerRecord<>(topic, "request-1", "after")).get();
            }
            assertEquals(List.of("before", "after"),
                    KafkaClients.valuesForKey(bootstrap, topic, "request-1", false, Duration.ofSeconds(30)));
        } finally {
            // Together: a node stopped after a majority of the quorum is gone would wait for the quorum.
            CompletableFuture.allOf(nodes.stream().map(node -> CompletableFuture.runAsync(node::close))
                    .toArray(CompletableFuture[]::new)).join();
        }
    }
}
