package io.vitrine.kafka;

import io.vitrine.schemas.Topic;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics of the {@link Topic} registry on any Kafka cluster, local or not. */
public final class Topics {

    private static final long TIMEOUT_SECONDS = 60;

    private Topics() {
    }

    /**
     * Creates every topic of {@link Topic} under {@code prefix}, with its partition count and
     * cleanup policy. Idempotent: topics that already exist are left as they are.
     *
     * @throws IllegalStateException if a topic cannot be created
     */
    public static void createAll(Admin admin, String prefix, short replicationFactor) {
        var newTopics = Arrays.stream(Topic.values())
                .map(topic -> topic.newTopic(prefix, replicationFactor))
                .toList();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
        for (var result : results.entrySet()) {
            try {
                result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Cannot create topic " + result.getKey() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("Topic " + result.getKey() + " not created within "
                        + TIMEOUT_SECONDS + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating topic " + result.getKey(), e);
            }
        }
    }

    /** The full name of every topic of the registry under {@code prefix}, in registry order. */
    public static List<String> names(String prefix) {
        return Arrays.stream(Topic.values()).map(topic -> topic.name(prefix)).toList();
    }
}
