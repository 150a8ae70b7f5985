package io.vitrine.cli.train;

import io.vitrine.avro.Reward;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.core.train.RewardRows;
import io.vitrine.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the reward log once: every partition of the rewards topic from its beginning to the end offset taken at
 * the start, then stops, so a learner that keeps writing does not keep the read going. No consumer group: nothing
 * is committed and the learner's own consumers are not disturbed. Reads committed records only, as the learner
 * writes rewards in transactions and an aborted one was never a reward.
 */
final class RewardLogReader {

    /** Where to read and what to keep. */
    record Source(String bootstrapServers, String topicPrefix, Optional<String> slot, Duration timeout) {
    }

    private final Source source;
    private final ProgressLine progress;

    RewardLogReader(Source source, ProgressLine progress) {
        this.source = source;
        this.progress = progress;
    }

    /**
     * @throws IllegalStateException when Kafka does not answer within the timeout or no reward matches
     * @throws IllegalArgumentException naming the first record that does not fit (see {@link LoggedRewards})
     */
    RewardRows read() {
        String topic = Topic.REWARDS.name(source.topicPrefix());
        Deserializer<Reward> rewards = AvroSerdes.registryless(Reward.class).deserializer();
        LoggedRewards rows = new LoggedRewards();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            // Assigned before the end offsets are asked for, so the consumer keeps the answer it receives.
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, source.timeout()));
            Map<TopicPartition, Long> remaining = new HashMap<>(end);
            consumer.seekToBeginning(partitions);
            remaining.entrySet().removeIf(e -> consumer.position(e.getKey(), source.timeout()) >= e.getValue());
            long total = totalToRead(consumer, end);
            long[] read = {0};
            // Offsets, not records: transaction markers take offsets too, so the records read end a little short.
            progress.always(String.format(Locale.ROOT, "reading %s up to its end offsets (%,d offsets in %d partitions)%s",
                    topic, total, end.size(), source.slot().map(s -> ", keeping slot " + s).orElse("")));
            long lastProgress = System.nanoTime();
            while (!remaining.isEmpty()) {
                ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : batch) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    Long stop = end.get(partition);
                    if (stop == null || record.offset() >= stop) {
                        continue; // written after the start: the read covers the log as it was then
                    }
                    read[0]++;
                    add(rows, rewards, record);
                }
                if (!batch.isEmpty()) {
                    lastProgress = System.nanoTime();
                }
                // Positions also move past transaction markers, which are never returned as records.
                for (var it = remaining.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (consumer.position(e.getKey(), source.timeout()) >= e.getValue()) {
                        it.remove();
                        lastProgress = System.nanoTime();
                    }
                }
                if (!remaining.isEmpty() && System.nanoTime() - lastProgress > source.timeout().toNanos()) {
                    throw new IllegalStateException("no progress reading " + topic + " for " + source.timeout()
                            .toSeconds() + " s (partitions " + remaining.keySet() + " not read to their end offsets)");
                }
                progress.maybe(() -> String.format(Locale.ROOT, "read %,d records (about %.0f%%), %,d rewards kept",
                        read[0], total == 0 ? 100.0 : 100.0 * read[0] / total, rows.size()));
            }
            progress.always(String.format(Locale.ROOT, "read %,d records, %,d rewards kept", read[0], rows.size()));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw unreachable(e);
        }
        if (rows.size() == 0) {
            throw new IllegalStateException("no rewards found in " + topic
                    + source.slot().map(s -> " for slot " + s).orElse("") + " at " + source.bootstrapServers());
        }
        return rows.rows();
    }

    private void add(LoggedRewards rows, Deserializer<Reward> rewards, ConsumerRecord<String, byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        Reward reward;
        try {
            reward = rewards.deserialize(record.topic(), record.value());
        } catch (KafkaException e) {
            throw new IllegalArgumentException("record " + where + " is not a Reward: " + e.getMessage(), e);
        }
        if (reward == null || source.slot().isPresent() && !source.slot().get().equals(reward.getSlot())) {
            return;
        }
        rows.add(where + " (request " + reward.getRequestId() + ", candidate " + reward.getCandidateId() + ", slot "
                + reward.getSlot() + ")", reward.getContext(), reward.getCandidateFeatures(), reward.getReward());
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<PartitionInfo> partitions;
        try {
            partitions = consumer.partitionsFor(topic, source.timeout());
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw unreachable(e);
        }
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist at " + source.bootstrapServers()
                    + " (check --topic-prefix)");
        }
        List<TopicPartition> assigned = new ArrayList<>();
        for (PartitionInfo p : partitions) {
            assigned.add(new TopicPartition(p.topic(), p.partition()));
        }
        return assigned;
    }

    private long totalToRead(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(end.keySet(), source.timeout());
        long total = 0;
        for (var e : end.entrySet()) {
            total += e.getValue() - begin.getOrDefault(e.getKey(), 0L);
        }
        return total;
    }

    private IllegalStateException unreachable(RuntimeException e) {
        return new IllegalStateException("cannot reach Kafka at " + source.bootstrapServers() + " within "
                + source.timeout().toSeconds() + " s (is it running? --bootstrap-servers, --timeout): "
                + e.getMessage(), e);
    }

    private Properties config() {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "vitrine-train-encoder");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        // Fail within the timeout rather than retrying a missing broker for the client's default minute.
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, source.timeout().toMillis());
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        return config;
    }
}
