package io.vitrine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A node's place in a local cluster: the quorum as written on the command line, replication and its checks. */
class ClusterMembershipTest {

    @Test
    void aQuorumOfThreeGivesReplicationThreeAndTwoInSync() {
        ClusterMembership node = new ClusterMembership(2, "MkU3OEVBNTcwNTJENDM2Qg",
                ClusterMembership.parseQuorum("1@21001, 2@21003,3@21005"));

        assertEquals(21003, node.controllerPort());
        assertEquals("1@localhost:21001,2@localhost:21003,3@localhost:21005", node.voters());
        assertEquals(3, node.replicationFactor());
        assertEquals(2, node.minInsyncReplicas());
        assertEquals("1@21001,2@21003,3@21005", ClusterMembership.quorum(node.controllerPorts()));
    }

    @Test
    void aQuorumEntryThatIsNotIdAtPortIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterMembership.parseQuorum("1@21001,two@21003"));
        assertTrue(e.getMessage().contains("'two@21003'"), e.getMessage());

        IllegalArgumentException repeated = assertThrows(IllegalArgumentException.class,
                () -> ClusterMembership.parseQuorum("1@21001,1@21003"));
        assertTrue(repeated.getMessage().contains("'1@21003'"), repeated.getMessage());
    }

    @Test
    void aNodeOutsideTheQuorumOrOnAnotherControllerPortIsRefused() {
        Map<Integer, Integer> ports = new TreeMap<>(Map.of(1, 21001, 2, 21003, 3, 21005));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> new ClusterMembership(4, "MkU3OEVBNTcwNTJENDM2Qg", new TreeMap<>(ports)));
        assertTrue(outside.getMessage().contains("node 4"), outside.getMessage());

        LocalKafkaConfig config = new LocalKafkaConfig(Path.of("data"), 21000, 21009, "vitrine.", true);
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> config.inCluster(new ClusterMembership(1, "MkU3OEVBNTcwNTJENDM2Qg", new TreeMap<>(ports))));
        assertTrue(port.getMessage().contains("21001"), port.getMessage());
    }
}
