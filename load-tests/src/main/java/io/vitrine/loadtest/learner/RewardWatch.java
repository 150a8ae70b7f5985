package io.vitrine.loadtest.learner;

import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the learner's rewards and posteriors as a client would (read committed, so only what the learner's
 * transactions committed), from the end of both topics at start, and hands each to the tally of its step.
 */
final class RewardWatch implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final String rewardsTopic;
    private final Deserializer<Reward> rewards = AvroSerdes.registryless(Reward.class).deserializer();
    private final Deserializer<PosteriorSnapshot> posteriors =
            AvroSerdes.registryless(PosteriorSnapshot.class).deserializer();
    private final Map<Integer, StepTally> steps = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile RuntimeException failure;

    RewardWatch(String bootstrap, String prefix) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000), new StringDeserializer(), new ByteArrayDeserializer());
        rewardsTopic = Topic.REWARDS.name(prefix);
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic topic : List.of(Topic.REWARDS, Topic.POSTERIORS)) {
            for (int p = 0; p < topic.partitions(); p++) {
                partitions.add(new TopicPartition(topic.name(prefix), p));
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, before any load is sent
        thread = new Thread(this::run, "reward-watch");
        thread.setDaemon(true);
        thread.start();
    }

    void watch(StepTally tally) {
        steps.put(tally.step(), tally);
    }

    private void run() {
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    if (record.topic().equals(rewardsTopic)) {
                        Reward reward = rewards.deserialize(record.topic(), record.value());
                        long[] id = LoadEvents.parse(reward.getRequestId());
                        StepTally tally = id == null ? null : steps.get((int) id[0]);
                        if (tally != null) {
                            tally.onReward(id[1], reward.getScope(), reward.getKind() == RewardKind.CLICK, now);
                        }
                    } else if (record.value() != null) {
                        PosteriorSnapshot snapshot = posteriors.deserialize(record.topic(), record.value());
                        StepTally tally = steps.get(LoadEvents.stepOfSlot(snapshot.getSlot()));
                        if (tally != null) {
                            tally.onPosterior(snapshot.getScope(), snapshot.getVersion(), now);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Throws what stopped the reader, if anything did. */
    void check() {
        if (failure != null) {
            throw new IllegalStateException("reading rewards and posteriors failed: " + failure.getMessage(), failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(10_000);
    }
}
