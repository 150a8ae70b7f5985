package io.vitrine.learner.streams;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The join's input lag as the Streams consumer reports it: its {@code records-lag} metric per partition (records
 * between the consumer's position and the end of the partition, as of the last fetch), which Kafka Streams exposes
 * through {@code KafkaStreams#metrics()}; a processor has no handle on its consumer. The join reads its three input
 * topics and their repartition topics ({@code <application id>-<topic>-by-request-id-repartition}), and the site's
 * topics read through a field mapping.
 */
public final class ConsumerLag implements InputLag {

    private static final String LAG = "records-lag";
    private static final String GROUP = "consumer-fetch-manager-metrics";
    private static final String REPARTITION = "-by-request-id-repartition";

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private final Set<String> inputs;
    private final Set<String> repartitionSuffixes;

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

    @Override
    public boolean behind(int partition) {
        String number = Integer.toString(partition);
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.get().entrySet()) {
            MetricName name = entry.getKey();
            if (!LAG.equals(name.name()) || !GROUP.equals(name.group())
                    || !number.equals(name.tags().get("partition")) || !isInput(name.tags().get("topic"))) {
                continue;
            }
            // NaN (no fetch yet) is not a known lag.
            if (entry.getValue().metricValue() instanceof Number lag && lag.doubleValue() > 0) {
                return true;
            }
        }
        return false;
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
