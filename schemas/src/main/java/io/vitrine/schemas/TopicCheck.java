package io.vitrine.schemas;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Compares the topics on a cluster with the {@link Topic} registry: each must exist, with the registry's cleanup
 * policy, its partition count (unless told otherwise: any count works for the request-keyed inputs, at the cost of a
 * repartition of the events that are not on their request id's partition), at least the wanted replication, and room
 * for an encoder version on {@code encoders}. Each difference is one line naming the topic, what it has and the fix.
 */
public final class TopicCheck {

    private static final long TIMEOUT_SECONDS = 30;

    private TopicCheck() {
    }

    /**
     * @param partitions     partition counts that replace the registry's, by topic base name ({@code impressions});
     *                       null to accept any count (what a running service needs)
     * @param minReplication the least replication factor accepted
     */
    public static List<String> problems(Admin admin, String prefix, Map<String, Integer> partitions,
                                        int minReplication) {
        List<String> names = Arrays.stream(Topic.values()).map(t -> t.name(prefix)).toList();
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<String> present = names.stream().filter(existing::contains).toList();
            Map<String, TopicDescription> described = admin.describeTopics(present).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(present.stream()
                            .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<String> problems = new ArrayList<>();
            for (Topic topic : Topic.values()) {
                String name = topic.name(prefix);
                if (!existing.contains(name)) {
                    problems.add(name + ": missing (create it: ./vitrine topics --create)");
                    continue;
                }
                TopicDescription description = described.get(name);
                int actual = description.partitions().size();
                int expected = partitions == null ? actual : partitions.getOrDefault(topic.baseName(),
                        topic.partitions());
                if (actual != expected) {
                    problems.add(name + ": " + actual + " partitions, expected " + expected
                            + " (or declare the count with --partitions " + topic.baseName() + "=" + actual + ")");
                }
                int replication = description.partitions().get(0).replicas().size();
                if (replication < minReplication) {
                    problems.add(name + ": replication factor " + replication + ", at least " + minReplication
                            + " wanted");
                }
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name));
                for (Map.Entry<String, String> wanted : topic.configs().entrySet()) {
                    var entry = config.get(wanted.getKey());
                    String value = entry == null ? null : entry.value();
                    boolean ok = wanted.getKey().equals(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
                            ? value != null && Long.parseLong(value) >= Long.parseLong(wanted.getValue())
                            : wanted.getValue().equals(value);
                    if (!ok) {
                        problems.add(name + ": " + wanted.getKey() + "=" + value + ", expected " + wanted.getValue()
                                + " (kafka-configs.sh --alter --entity-type topics --entity-name " + name
                                + " --add-config " + wanted.getKey() + "=" + wanted.getValue() + ")");
                    }
                }
            }
            return problems;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the topics: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the cluster did not answer within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the topics", e);
        }
    }
}
