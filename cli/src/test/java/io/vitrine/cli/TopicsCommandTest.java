package io.vitrine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.Topic;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** {@code vitrine topics} against a real broker: it creates what is missing and names every difference. */
class TopicsCommandTest {

    private final String bootstrap = SharedLocalKafka.bootstrapServers();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private int run(String... args) {
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        return VitrineCli.commandLine(stream, stream).execute(args);
    }

    @Test
    void createThenCheckPasses() {
        String prefix = "cli-ok-" + System.nanoTime() + ".";
        assertEquals(1, run("topics", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix), bytes.toString());
        assertTrue(bytes.toString().contains(prefix + "decisions: missing"), bytes.toString());
        bytes.reset();
        assertEquals(0, run("topics", "--create", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix,
                "--partitions", "impressions=6"), bytes.toString());
        assertTrue(bytes.toString().contains("are as Vitrine needs them"), bytes.toString());
        bytes.reset();
        assertEquals(1, run("topics", "--check", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix),
                "the declared count must be declared again: " + bytes);
        assertTrue(bytes.toString().contains(prefix + "impressions: 6 partitions, expected 4"), bytes.toString());
    }

    @Test
    void aWrongPartitionCountAndANonCompactedPosteriorsTopicExitWithOneNamingBoth() throws Exception {
        String prefix = "cli-bad-" + System.nanoTime() + ".";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(Topic.DECISIONS.name(prefix), 2, (short) 1),
                    new NewTopic(Topic.POSTERIORS.name(prefix), 2, (short) 1)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE))))
                    .all().get(30, TimeUnit.SECONDS);
            List<String> made = List.of(Topic.DECISIONS.name(prefix), Topic.POSTERIORS.name(prefix));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(made)
                    && System.nanoTime() < deadline) {
                Thread.sleep(100); // created topics reach the metadata a moment later
            }
        }
        // --create makes the rest and leaves the two wrong topics as they are: the check names both.
        assertEquals(1, run("topics", "--create", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix));
        String out = bytes.toString();
        assertTrue(out.contains(prefix + "decisions: 2 partitions, expected 4"), out);
        assertTrue(out.contains(prefix + "posteriors: cleanup.policy=delete, expected compact"), out);
        assertTrue(out.contains("2 difference(s)"), out);
    }

    @Test
    void anUnknownTopicNameIsRefused() {
        assertEquals(2, run("topics", "--bootstrap-servers", bootstrap, "--partitions", "impresions=3"));
        assertTrue(bytes.toString().contains("impresions: not a topic of Vitrine's"), bytes.toString());
    }
}
