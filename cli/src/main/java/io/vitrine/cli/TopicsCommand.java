package io.vitrine.cli;

import io.vitrine.schemas.Topic;
import io.vitrine.schemas.TopicCheck;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vitrine topics}: checks or creates Vitrine's topics on any cluster. */
@Command(name = "topics", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Checks (default) or creates every topic Vitrine uses on a Kafka cluster: partitions, cleanup policy,"
                    + " replication, record size.",
            "Exits with 1 naming each difference, 0 when every topic is as expected."})
final class TopicsCommand implements Callable<Integer> {

    @ParentCommand
    VitrineCli parent;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092",
            description = "Kafka to check (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Client properties (TLS, SASL) as for Kafka's own tools.")
    Path commandConfig;

    @Option(names = "--topic-prefix", defaultValue = Topic.DEFAULT_PREFIX,
            description = "Prefix of every topic (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--create", description = "Create the missing topics first, then check them all.")
    boolean create;

    @Option(names = "--check", description = "Only check (the default).")
    boolean check;

    @Option(names = "--replication-factor", defaultValue = "1",
            description = "Replication of created topics, and the least a checked one may have (default: ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Option(names = "--partitions", paramLabel = "TOPIC=N",
            description = "A partition count other than the registry's, by topic name without prefix (repeatable),"
                    + " e.g. --partitions impressions=12.")
    Map<String, Integer> partitions = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (create && check) {
            parent.err().println("vitrine topics: --create or --check, not both");
            return 2;
        }
        Set<String> known = new java.util.HashSet<>();
        for (Topic topic : Topic.values()) {
            known.add(topic.baseName());
        }
        for (String name : partitions.keySet()) {
            if (!known.contains(name)) {
                parent.err().println("vitrine topics: --partitions " + name + ": not a topic of Vitrine's (one of "
                        + known + ")");
                return 2;
            }
        }
        Map<String, Object> config = new HashMap<>();
        if (commandConfig != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(commandConfig)) {
                properties.load(reader);
            }
            properties.forEach((key, value) -> config.put((String) key, value));
        }
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(config)) {
            if (create) {
                List<String> created = create(admin);
                parent.out().println(created.isEmpty() ? "every topic exists already"
                        : "created " + String.join(", ", created));
            }
            List<String> problems = TopicCheck.problems(admin, topicPrefix, partitions, replicationFactor);
            if (problems.isEmpty()) {
                parent.out().println("all " + Topic.values().length + " topics under '" + topicPrefix
                        + "' are as Vitrine needs them on " + bootstrapServers);
                return 0;
            }
            problems.forEach(problem -> parent.out().println("  " + problem));
            parent.err().println("vitrine topics: " + problems.size() + " difference(s) on " + bootstrapServers);
            return 1;
        } catch (IllegalStateException e) {
            parent.err().println("vitrine topics: " + e.getMessage());
            return 1;
        }
    }

    private List<String> create(Admin admin) throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic topic : Topic.values()) {
                if (!existing.contains(topic.name(topicPrefix))) {
                    missing.add(new NewTopic(topic.name(topicPrefix),
                            partitions.getOrDefault(topic.baseName(), topic.partitions()), replicationFactor)
                            .configs(topic.configs()));
                }
            }
            List<String> created = new ArrayList<>();
            for (var result : admin.createTopics(missing).values().entrySet()) {
                try {
                    result.getValue().get(60, TimeUnit.SECONDS);
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    // Created meanwhile by someone else (or not yet listed): the check that follows looks at it.
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<String> names = missing.stream().map(NewTopic::name).toList();
            while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(names)
                    && System.nanoTime() < deadline) {
                Thread.sleep(100); // created topics reach the metadata a moment later
            }
            return created;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create the topics: " + e.getMessage(), e);
        }
    }
}
