package io.vitrine.learner.streams;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The join's input lag as the Streams consumers report it, which Kafka Streams exposes through
 * {@code KafkaStreams#metrics()} (a processor has no handle on its consumer). The join reads its three input topics and
 * their repartition topics ({@code <application id>-<topic>-by-request-id-repartition}), and the site's topics read
 * through a field mapping.
 *
 * <p>A partition's lag ({@code records-lag}: records between the consumer's position and the end of the partition)
 * is as of the last fetch that brought news of it; while the broker is away no fetch completes, and the last value
 * (often 0) stays. So a lag of 0 counts only when its consumer has been heard from since: a partition number is caught
 * up when every input partition of that number has a known lag of 0 and every consumer that owns one of them has
 * completed a fetch since the previous call for that number ({@code fetch-total}, which counts the fetch responses
 * the consumer took in without a top-level error, whichever broker sent them: in a cluster, a task whose partitions'
 * leader alone is lost still counts as caught up, on the other brokers' responses, until the consumer fetches from
 * the new leader).
 * The owner of an input partition is the consumer whose {@code records-lag} metric names it (its {@code client-id}
 * tag: a stream thread's main consumer, as a consumer drops the lag metric of a partition it no longer owns).
 * Anything else, the first call for a number among it, is behind: not known to be caught up. A consumer that is caught
 * up and reaches its broker gets a fetch response at least every {@code fetch.max.wait.ms} (500 ms by default).
 *
 * <p>Stream threads ask concurrently, each about the partitions of its own tasks.
 */
public final class ConsumerLag implements InputLag {

    private static final String LAG = "records-lag";
    private static final String FETCHES = "fetch-total";
    private static final String GROUP = "consumer-fetch-manager-metrics";
    private static final String CLIENT = "client-id";
    private static final String REPARTITION = "-by-request-id-repartition";

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private final Set<String> inputs;
    private final Set<String> repartitionSuffixes;
    /** By partition number: the fetch count of each of its owners at the previous call. */
    private final Map<Integer, Map<String, Double>> fetchesAtLastCall = new ConcurrentHashMap<>();

    /**
     * @param metrics    the metrics of the Kafka Streams instance that runs the join, read on each call
     * @param baseTopics the input topics' names without prefix ({@code decisions}, ...)
     * @param prefix     the topic prefix of the deployment
     */
    public ConsumerLag(Supplier<Map<MetricName, ? extends Metric>> metrics, Set<String> baseTopics, String prefix) {
        this(metrics, baseTopics, prefix, Set.of());
    }

    /**
     * @param siteTopics the site's topics the join reads through a field mapping (full names), with their repartition
     *                   topics {@code mapped-impressions} and {@code mapped-clicks}
     */
    public ConsumerLag(Supplier<Map<MetricName, ? extends Metric>> metrics, Set<String> baseTopics, String prefix,
                       Set<String> siteTopics) {
        this.metrics = metrics;
        Set<String> repartitioned = new HashSet<>(baseTopics);
        Set<String> inputs = baseTopics.stream().map(t -> tag(prefix + t))
                .collect(Collectors.toCollection(HashSet::new));
        if (!siteTopics.isEmpty()) {
            siteTopics.forEach(t -> inputs.add(tag(t)));
            repartitioned.addAll(Set.of("mapped-impressions", "mapped-clicks"));
        }
        this.inputs = Set.copyOf(inputs);
        this.repartitionSuffixes = repartitioned.stream().map(t -> tag("-" + t + REPARTITION))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Behind unless caught up as of a fetch completed since the previous call for {@code partition}. */
    @Override
    public boolean behind(int partition) {
        String number = Integer.toString(partition);
        Set<String> owners = new HashSet<>();
        Map<String, Double> fetches = new HashMap<>();
        boolean lagZero = true;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.get().entrySet()) {
            MetricName name = entry.getKey();
            if (!GROUP.equals(name.group())) {
                continue;
            }
            Object value = entry.getValue().metricValue();
            String client = name.tags().get(CLIENT);
            if (FETCHES.equals(name.name()) && client != null && !name.tags().containsKey("topic")
                    && value instanceof Number count) {
                fetches.put(client, count.doubleValue());
            } else if (LAG.equals(name.name()) && number.equals(name.tags().get("partition"))
                    && isInput(name.tags().get("topic"))) {
                owners.add(client == null ? "" : client);
                // NaN (no lag recorded) is not a known lag.
                lagZero &= value instanceof Number lag && lag.doubleValue() == 0;
            }
        }
        Map<String, Double> now = new HashMap<>();
        owners.forEach(owner -> now.put(owner, fetches.getOrDefault(owner, Double.NaN)));
        Map<String, Double> before = fetchesAtLastCall.put(partition, Map.copyOf(now));
        if (owners.isEmpty() || !lagZero || before == null) {
            return true;
        }
        // NaN compares false: a consumer without a fetch count is not heard from.
        return !owners.stream().allMatch(owner -> before.containsKey(owner) && now.get(owner) > before.get(owner));
    }

    private boolean isInput(String topic) {
        if (topic == null) {
            return false;
        }
        String tagged = tag(topic);
        return inputs.contains(tagged) || repartitionSuffixes.stream().anyMatch(tagged::endsWith);
    }

    /** The consumer tags some of its metrics with the topic's dots as underscores: compare in that form. */
    private static String tag(String topic) {
        return topic.replace('.', '_');
    }
}
