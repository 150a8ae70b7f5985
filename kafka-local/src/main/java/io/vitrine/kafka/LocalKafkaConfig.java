package io.vitrine.kafka;

import io.vitrine.schemas.Topic;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how a {@link LocalKafka} broker runs.
 *
 * @param dataDir        the broker's storage; kept across restarts, so a broker started again on
 *                       the same directory still has its topics and records
 * @param port           the client port on localhost (PLAINTEXT, or SASL_SSL with {@code security})
 * @param controllerPort the KRaft controller port on localhost
 * @param topicPrefix    the prefix of every Vitrine topic name, e.g. {@code vitrine.}
 * @param createTopics   whether start-up creates every topic of the {@link Topic} registry
 * @param security       TLS, SASL and ACLs; empty for a PLAINTEXT broker that lets everyone do everything
 * @param cluster        this node's place in a cluster of several nodes; empty for a single node
 */
public record LocalKafkaConfig(Path dataDir, int port, int controllerPort, String topicPrefix, boolean createTopics,
                               Optional<BrokerSecurity> security, Optional<ClusterMembership> cluster) {

    public LocalKafkaConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(cluster, "cluster");
        checkPort(port, "port");
        checkPort(controllerPort, "controllerPort");
        if (port == controllerPort) {
            throw new IllegalArgumentException("port and controllerPort must differ, both are " + port);
        }
        if (security.isPresent() && (security.get().internalPort() == port
                || security.get().internalPort() == controllerPort)) {
            throw new IllegalArgumentException("the internal port " + security.get().internalPort()
                    + " must differ from port " + port + " and controllerPort " + controllerPort);
        }
        if (cluster.isPresent() && cluster.get().controllerPort() != controllerPort) {
            throw new IllegalArgumentException("the controller quorum gives node " + cluster.get().nodeId()
                    + " the controller port " + cluster.get().controllerPort() + ", not " + controllerPort);
        }
        if (cluster.isPresent() && security.isPresent()) {
            throw new IllegalArgumentException("a secured broker runs as a single node only");
        }
    }

    /** A single node, PLAINTEXT or secured. */
    public LocalKafkaConfig(Path dataDir, int port, int controllerPort, String topicPrefix, boolean createTopics,
                            Optional<BrokerSecurity> security) {
        this(dataDir, port, controllerPort, topicPrefix, createTopics, security, Optional.empty());
    }

    /** A PLAINTEXT broker. */
    public LocalKafkaConfig(Path dataDir, int port, int controllerPort, String topicPrefix, boolean createTopics) {
        this(dataDir, port, controllerPort, topicPrefix, createTopics, Optional.empty());
    }

    /** Two free ports, the default topic prefix and every topic created: a broker for one test run. */
    public static LocalKafkaConfig forTests(Path dataDir) {
        int port = freePort();
        int controllerPort = freePort();
        while (controllerPort == port) {
            controllerPort = freePort();
        }
        return new LocalKafkaConfig(dataDir, port, controllerPort, Topic.DEFAULT_PREFIX, true);
    }

    /** The same configuration with another topic prefix. */
    public LocalKafkaConfig withTopicPrefix(String prefix) {
        return new LocalKafkaConfig(dataDir, port, controllerPort, prefix, createTopics, security, cluster);
    }

    /** The same configuration with TLS, SASL and ACLs. */
    public LocalKafkaConfig withSecurity(BrokerSecurity brokerSecurity) {
        return new LocalKafkaConfig(dataDir, port, controllerPort, topicPrefix, createTopics,
                Optional.of(brokerSecurity), cluster);
    }

    /** The same configuration as one node of a cluster; {@code membership} names this node's controller port. */
    public LocalKafkaConfig inCluster(ClusterMembership membership) {
        return new LocalKafkaConfig(dataDir, port, controllerPort, topicPrefix, createTopics, security,
                Optional.of(membership));
    }

    /** Replicas of every topic: 1 on a single node, one per node (at most three) in a cluster. */
    public short replicationFactor() {
        return cluster.map(ClusterMembership::replicationFactor).orElse((short) 1);
    }

    /** The address clients connect to, e.g. {@code localhost:9092}. */
    public String bootstrapServers() {
        return LocalKafka.HOST + ":" + port;
    }

    /** A free port for a broker started by this JVM; see {@link FreePorts}. */
    static int freePort() {
        return FreePorts.next();
    }

    private static void checkPort(int port, String name) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(name + " must be in 1..65535, was " + port);
        }
    }
}
