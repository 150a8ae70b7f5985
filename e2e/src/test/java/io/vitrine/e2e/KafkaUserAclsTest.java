package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.cli.stack.RepoHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strimzi KafkaUser resources as Kafka ACL bindings: every field Strimzi allows, any number of users, clear errors. */
class KafkaUserAclsTest {

    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        return Files.writeString(dir.resolve("users.yaml"), text);
    }

    @Test
    void everyUserOfTheFileWithEachOperationAsABinding() throws Exception {
        List<KafkaUserAcls> users = KafkaUserAcls.read(yaml("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: not-a-user
                ---
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaUser
                metadata:
                  name: reader
                spec:
                  authentication:
                    type: scram-sha-512
                  authorization:
                    type: simple
                    acls:
                      - resource:
                          type: topic
                          name: vitrine.rewards
                        operations: [Read, DescribeConfigs]
                      - resource:
                          type: transactionalId
                          name: vitrine.t
                          patternType: prefix
                        operation: Write
                        host: 10.0.0.1
                ---
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaUser
                metadata:
                  name: another
                spec:
                  authentication:
                    type: scram-sha-512
                  authorization:
                    type: simple
                    acls:
                      - resource:
                          type: cluster
                        operations: [IdempotentWrite]
                        type: deny
                """));
        assertEquals(List.of("reader", "another"), users.stream().map(KafkaUserAcls::user).toList());
        ResourcePattern rewards = new ResourcePattern(ResourceType.TOPIC, "vitrine.rewards", PatternType.LITERAL);
        assertEquals(List.of(
                new AclBinding(rewards, new AccessControlEntry("User:reader", "*", AclOperation.READ,
                        AclPermissionType.ALLOW)),
                new AclBinding(rewards, new AccessControlEntry("User:reader", "*", AclOperation.DESCRIBE_CONFIGS,
                        AclPermissionType.ALLOW)),
                new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "vitrine.t", PatternType.PREFIXED),
                        new AccessControlEntry("User:reader", "10.0.0.1", AclOperation.WRITE, AclPermissionType.ALLOW))),
                users.get(0).acls());
        assertEquals(List.of(new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                        new AccessControlEntry("User:another", "*", AclOperation.IDEMPOTENT_WRITE, AclPermissionType.DENY))),
                users.get(1).acls());
    }

    @Test
    void theShippedUsersAreReadWithTheirAcls() throws Exception {
        List<KafkaUserAcls> users = KafkaUserAcls.read(RepoHome.locate(Optional.empty()).resolve("k8s/strimzi/users.yaml"));
        KafkaUserAcls learner = users.stream().filter(u -> u.user().equals("vitrine-learner")).findFirst().orElseThrow();
        assertTrue(learner.acls().contains(new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, "vitrine.rewards", PatternType.LITERAL),
                new AccessControlEntry("User:vitrine-learner", "*", AclOperation.WRITE, AclPermissionType.ALLOW))),
                learner.acls().toString());
    }

    @Test
    void anUnknownOperationIsNamedWithItsUserAndEntry() throws Exception {
        Path file = yaml("""
                kind: KafkaUser
                metadata:
                  name: typo
                spec:
                  authentication:
                    type: scram-sha-512
                  authorization:
                    type: simple
                    acls:
                      - resource:
                          type: topic
                          name: vitrine.clicks
                        operations: [Read]
                      - resource:
                          type: topic
                          name: vitrine.clicks
                        operations: [Wrte]
                """);
        var error = assertThrows(IllegalArgumentException.class, () -> KafkaUserAcls.read(file));
        assertEquals(file + ": KafkaUser 'typo', acl 2: unknown operation 'Wrte'", error.getMessage());
    }

    @Test
    void tlsAuthenticationIsRefusedAsNotRead() throws Exception {
        Path file = yaml("""
                kind: KafkaUser
                metadata:
                  name: mtls
                spec:
                  authentication:
                    type: tls
                  authorization:
                    type: simple
                    acls: []
                """);
        var error = assertThrows(IllegalArgumentException.class, () -> KafkaUserAcls.read(file));
        assertEquals(file + ": KafkaUser 'mtls': authentication.type 'tls', only scram-sha-512 is read",
                error.getMessage());
    }
}
