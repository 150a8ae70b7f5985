package io.vitrine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.schemas.Topic;
import io.vitrine.schemas.TopicCheck;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The topic check on a real broker: what {@link Topics#createAll} made passes; each kind of mistake is named. */
class TopicCheckTest {

    private final String bootstrap = SharedLocalKafka.bootstrapServers();

    /** Topics just created reach the broker's metadata a moment later. */
    private static void awaitVisible(Admin admin, List<String> names) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(names)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("topics not visible after 30 s: " + names);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void theRegistrysTopicsPass() throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            String prefix = "check-ok-" + System.nanoTime() + ".";
            Topics.createAll(admin, prefix, (short) 1);
            awaitVisible(admin, Topics.names(prefix));
            assertEquals(List.of(), TopicCheck.problems(admin, prefix, Map.of(), 1));
        }
    }

    @Test
    void aWrongPartitionCountANonCompactedPosteriorsTopicAndAMissingTopicAreEachNamed() throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            String prefix = "check-bad-" + System.nanoTime() + ".";
            admin.createTopics(List.of(new NewTopic(Topic.DECISIONS.name(prefix), 3, (short) 1),
                    new NewTopic(Topic.POSTERIORS.name(prefix), 2, (short) 1)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE))))
                    .all().get(30, TimeUnit.SECONDS);
            admin.createTopics(java.util.Arrays.stream(Topic.values())
                    .filter(t -> t != Topic.DECISIONS && t != Topic.POSTERIORS && t != Topic.CANDIDATES)
                    .map(t -> t.newTopic(prefix, (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);

            awaitVisible(admin, Topics.names(prefix).stream()
                    .filter(n -> !n.equals(Topic.CANDIDATES.name(prefix))).toList());
            List<String> problems = TopicCheck.problems(admin, prefix, Map.of(), 2);
            assertTrue(problems.contains(Topic.DECISIONS.name(prefix) + ": 3 partitions, expected 4 (or declare the "
                    + "count with --partitions decisions=3)"), problems.toString());
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(Topic.POSTERIORS.name(prefix)
                    + ": cleanup.policy=delete, expected compact")), problems.toString());
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(Topic.CANDIDATES.name(prefix) + ": missing")),
                    problems.toString());
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(Topic.REWARDS.name(prefix)
                    + ": replication factor 1, at least 2 wanted")), problems.toString());

            List<String> declared = TopicCheck.problems(admin, prefix, Map.of("decisions", 3), 1);
            assertTrue(declared.stream().noneMatch(p -> p.startsWith(Topic.DECISIONS.name(prefix))), declared.toString());
            List<String> anyCount = TopicCheck.problems(admin, prefix, null, 1);
            assertTrue(anyCount.stream().noneMatch(p -> p.contains("partitions")), anyCount.toString());
            assertTrue(anyCount.stream().anyMatch(p -> p.startsWith(Topic.POSTERIORS.name(prefix))), anyCount.toString());
        }
    }
}
