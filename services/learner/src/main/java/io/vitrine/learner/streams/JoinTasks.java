package io.vitrine.learner.streams;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * The number of attribution tasks: the largest partition count of the join's input topics, which is how many
 * tasks Kafka Streams makes for the sub-topology that reads them. Read from the cluster once, when the first task
 * starts (the topics exist by then: the service waits for them before it starts its streams), and kept: changing
 * an input topic's partition count needs a restart of the learner, as for any Kafka Streams application.
 */
public final class JoinTasks implements IntSupplier {

    private final Map<String, Object> kafka;
    private final List<String> topics;
    private final Duration timeout;
    private volatile int count;

    /**
     * @param kafka  Kafka client settings (bootstrap servers, security) of an admin client
     * @param topics the join's input topics
     */
    public JoinTasks(Map<String, Object> kafka, List<String> topics, Duration timeout) {
        this.kafka = Map.copyOf(kafka);
        this.topics = List.copyOf(topics);
        this.timeout = timeout;
    }

    @Override
    public int getAsInt() {
        int known = count;
        if (known > 0) {
            return known;
        }
        synchronized (this) {
            if (count == 0) {
                count = read();
            }
            return count;
        }
    }

    private int read() {
        var settings = new HashMap<String, Object>(AdminClientConfig.configNames().stream()
                .filter(kafka::containsKey).collect(Collectors.toMap(k -> k, kafka::get)));
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(settings)) {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return described.values().stream().mapToInt(d -> d.partitions().size()).max().orElseThrow();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the partition counts of " + topics + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the partition counts of " + topics, e);
        }
    }
}
