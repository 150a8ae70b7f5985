package io.vitrine.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One node of a local cluster of several KRaft nodes, each broker and controller at once, with a static controller
 * quorum: every node knows every voter's controller port from the start, and all are formatted with the same cluster
 * id. A majority of the voters must be up for the cluster to work; with three nodes any one may be lost.
 *
 * <p>Replication follows the cluster's size: every topic (internal ones included) has one replica per node, up to
 * three, and {@code min.insync.replicas} is a majority of them (2 of 3), so that a write acknowledged with
 * {@code acks=all} survives the loss of any one broker.
 *
 * @param nodeId          this node's id, one of {@code controllerPorts}' keys
 * @param clusterId       the id every node is formatted with (Kafka's base64 UUID, e.g. from {@code Uuid.randomUuid()})
 * @param controllerPorts node id -&gt; controller port on localhost, for every voter
 */
public record ClusterMembership(int nodeId, String clusterId, SortedMap<Integer, Integer> controllerPorts) {

    public ClusterMembership {
        Objects.requireNonNull(clusterId, "clusterId");
        controllerPorts = new TreeMap<>(Objects.requireNonNull(controllerPorts, "controllerPorts"));
        if (!controllerPorts.containsKey(nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " is not one of the voters " + controllerPorts.keySet());
        }
        if (controllerPorts.values().stream().distinct().count() != controllerPorts.size()) {
            throw new IllegalArgumentException("the voters' controller ports must differ: " + controllerPorts);
        }
    }

    /**
     * Reads a quorum written as {@code id@port,id@port,...} (e.g. {@code 1@21001,2@21003,3@21005}).
     *
     * @throws IllegalArgumentException naming the entry that is not {@code id@port}
     */
    public static SortedMap<Integer, Integer> parseQuorum(String quorum) {
        SortedMap<Integer, Integer> ports = new TreeMap<>();
        for (String voter : quorum.split(",")) {
            String[] parts = voter.trim().split("@");
            try {
                if (parts.length != 2 || ports.put(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])) != null) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the controller quorum '" + quorum + "' has an entry '" + voter.trim()
                        + "' that is not id@port, or repeats an id");
            }
        }
        return ports;
    }

    /** The controller port of this node. */
    public int controllerPort() {
        return controllerPorts.get(nodeId);
    }

    /** Kafka's {@code controller.quorum.voters}: {@code 1@localhost:21001,2@localhost:21003,...}. */
    String voters() {
        return controllerPorts.entrySet().stream()
                .map(e -> e.getKey() + "@" + LocalKafka.HOST + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }

    /** Replicas of every topic: one per node, at most three. */
    public short replicationFactor() {
        return (short) Math.min(3, controllerPorts.size());
    }

    /** In-sync replicas an {@code acks=all} write needs: a majority of the replicas. */
    public int minInsyncReplicas() {
        return replicationFactor() / 2 + 1;
    }

    /** The quorum as {@link #parseQuorum} reads it. */
    public static String quorum(Map<Integer, Integer> controllerPorts) {
        return new TreeMap<>(controllerPorts).entrySet().stream().map(e -> e.getKey() + "@" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
