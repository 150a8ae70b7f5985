package io.vitrine.evaluation;

import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Where Vitrine's decisions and rewards are read from for {@link VitrineLog}: Avro container files of
 * {@code Decision} and {@code Reward} records (as a Kafka Connect sink exports the topics), or the topics
 * themselves over a time range.
 */
public final class VitrineLogSources {

    private VitrineLogSources() {
    }

    /** True when the file is an Avro container file of Vitrine's {@code Decision} or {@code Reward} records. */
    public static boolean holdsVitrineRecords(Path file) {
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
            String name = reader.getSchema().getFullName();
            return name.equals(Decision.getClassSchema().getFullName())
                    || name.equals(Reward.getClassSchema().getFullName());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Reads every decision and reward in the files (each file holds one of the two; records written with an
     * older schema version are resolved to the current one) and joins them.
     */
    public static VitrineLog.Result readFiles(List<Path> files, Consumer<String> progress)
            throws IOException, LogFormatException {
        List<Decision> decisions = new ArrayList<>();
        List<Reward> rewards = new ArrayList<>();
        for (Path file : files) {
            Schema writer;
            try (DataFileReader<GenericRecord> peek = new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
                writer = peek.getSchema();
            } catch (IOException e) {
                throw new LogFormatException(file + ": not an Avro container file (" + e.getMessage() + ")");
            }
            if (writer.getFullName().equals(Decision.getClassSchema().getFullName())) {
                read(file, Decision.class, decisions);
            } else if (writer.getFullName().equals(Reward.getClassSchema().getFullName())) {
                read(file, Reward.class, rewards);
            } else {
                throw new LogFormatException(file + ": holds " + writer.getFullName() + " records, not "
                        + Decision.getClassSchema().getFullName() + " or " + Reward.getClassSchema().getFullName()
                        + " (a flat log goes alone, read through the column mapping)");
            }
            progress.accept(String.format(java.util.Locale.ROOT, "read %s: %,d decisions, %,d rewards so far",
                    file.getFileName(), decisions.size(), rewards.size()));
        }
        return VitrineLog.join(decisions, rewards);
    }

    private static <T extends SpecificRecord> void read(Path file, Class<T> type, List<T> into)
            throws LogFormatException {
        try (DataFileReader<T> reader = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
            long number = 0;
            while (reader.hasNext()) {
                number++;
                try {
                    into.add(reader.next());
                } catch (RuntimeException e) {
                    throw new LogFormatException(file + ": record " + number + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new LogFormatException(file + ": " + e.getMessage());
        }
    }

    /**
     * Reads the decisions made in {@code [from, to)} from the decisions topic, and the rewards of the rewards
     * topic up to {@code to + rewardGrace} (a reward is written when its attribution window closes, after its
     * decision), then joins them. Only committed records are read (the learner writes rewards in transactions).
     *
     * @param consumerConfig bootstrap servers and any security settings of a Kafka consumer
     * @param topicPrefix    the deployment's topic prefix ("" for none)
     */
    public static VitrineLog.Result readTopics(Properties consumerConfig, WireFormat wire, String topicPrefix,
                                               Instant from, Instant to, Duration rewardGrace,
                                               Consumer<String> progress) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the time range is empty: from " + from + " is not before to " + to);
        }
        List<Decision> decisions = new ArrayList<>();
        readTopic(consumerConfig, Topic.DECISIONS.name(topicPrefix), wire.serde(Decision.class).deserializer(),
                from, to, decisions, progress);
        decisions.removeIf(d -> d.getTimestamp().isBefore(from) || !d.getTimestamp().isBefore(to));
        List<Reward> rewards = new ArrayList<>();
        readTopic(consumerConfig, Topic.REWARDS.name(topicPrefix), wire.serde(Reward.class).deserializer(),
                from, to.plus(rewardGrace), rewards, progress);
        return VitrineLog.join(decisions, rewards);
    }

    /**
     * Every record of the topic whose log time is in {@code [from, until)}: each partition from the first
     * offset at or after {@code from} up to the end offset seen when the read started, stopping early at the
     * first record at or after {@code until}. A record that cannot be decoded stops the read with its place.
     */
    private static <T> void readTopic(Properties consumerConfig, String topic, Deserializer<T> deserializer,
                                      Instant from, Instant until, List<T> into, Consumer<String> progress) {
        Properties config = new Properties();
        config.putAll(consumerConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(p -> times.put(p, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times);
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition p : partitions) {
                OffsetAndTimestamp start = starts.get(p);
                if (start != null && start.offset() < ends.get(p)) {
                    consumer.seek(p, start.offset());
                    open.add(p);
                }
            }
            consumer.assign(open);
            long read = 0;
            long lastReport = System.nanoTime();
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition p = new TopicPartition(record.topic(), record.partition());
                    if (!open.contains(p)) {
                        continue;
                    }
                    if (record.timestamp() >= until.toEpochMilli()) {
                        open.remove(p);
                        continue;
                    }
                    if (record.value() != null) {
                        try {
                            into.add(deserializer.deserialize(topic, record.value()));
                        } catch (RuntimeException e) {
                            throw new IllegalStateException(topic + " partition " + record.partition() + " offset "
                                    + record.offset() + ": cannot be decoded: " + e.getMessage(), e);
                        }
                    }
                    read++;
                }
                // A partition is done once its position reached the end offset of the start of the read.
                open.removeIf(p -> consumer.position(p) >= ends.get(p));
                consumer.assign(open);
                if (System.nanoTime() - lastReport > 2_000_000_000L) {
                    progress.accept(String.format(java.util.Locale.ROOT, "%s: %,d records read", topic, read));
                    lastReport = System.nanoTime();
                }
            }
            progress.accept(String.format(java.util.Locale.ROOT, "%s: %,d records read", topic, read));
        }
    }
}
