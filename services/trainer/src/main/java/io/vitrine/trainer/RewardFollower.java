package io.vitrine.trainer;

import io.vitrine.avro.Reward;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Follows the rewards topic from its beginning (committed records only, no consumer group: the trainer keeps no
 * offsets, it rereads the log's retained rewards after a restart) into a {@link RewardBuffer}.
 */
final class RewardFollower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RewardFollower.class);

    private final KafkaConsumer<String, Reward> consumer;
    private final String topic;
    private final RewardBuffer buffer;
    private final Thread thread;
    private volatile boolean running = true;

    RewardFollower(Map<String, Object> kafka, String topic, Deserializer<Reward> values, RewardBuffer buffer) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), values);
        this.topic = topic;
        this.buffer = buffer;
        this.thread = new Thread(this::run, "reward-follower");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = null;
            while (running && (partitions == null || partitions.isEmpty())) {
                var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                partitions = infos == null ? List.of() : infos.stream()
                        .map(i -> new TopicPartition(topic, i.partition())).toList();
                if (partitions.isEmpty()) {
                    LOG.warnf("topic %s does not exist yet: waiting for it", topic);
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, Reward> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null) {
                        buffer.add(record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "following %s failed: no new reward will be trained on until a restart", topic);
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
