package io.vitrine.service.encoders;

import io.vitrine.avro.EncoderVersion;
import io.vitrine.schemas.Topic;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoder versions published on the compacted {@code encoders} topic, read from its beginning and followed
 * (no consumer group: every instance reads every version). A record whose model does not match its SHA-256 is
 * refused and logged; the first valid record of a version is the version (later ones are ignored: a version's
 * model never changes). Learner, trainer and selector each keep one.
 */
public final class EncoderCatalog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EncoderCatalog.class);

    private final KafkaConsumer<String, EncoderVersion> consumer;
    private final String topic;
    private final List<Consumer<EncoderVersion>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, EncoderVersion> versions = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    /**
     * @param kafka Kafka client settings (bootstrap servers, security)
     */
    public EncoderCatalog(Map<String, Object> kafka, String topic, Deserializer<EncoderVersion> values) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topic.MAX_ENCODER_BYTES);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topic.MAX_ENCODER_BYTES);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), values);
        this.topic = topic;
        this.thread = new Thread(this::run, "encoder-catalog");
        this.thread.setDaemon(true);
    }

    /**
     * Calls {@code listener} on the catalog's thread for each new valid version, in topic order, from the first;
     * register before {@link #start()}.
     */
    public void onNewVersion(Consumer<EncoderVersion> listener) {
        listeners.add(listener);
    }

    public void start() {
        thread.start();
    }

    /** True for a version published on the topic (seen by this instance). */
    public boolean knows(String version) {
        return versions.containsKey(version);
    }

    public Optional<EncoderVersion> get(String version) {
        return Optional.ofNullable(versions.get(version));
    }

    /** Every version seen, in topic order. */
    public List<EncoderVersion> all() {
        List<EncoderVersion> all = new ArrayList<>(order.size());
        for (String version : order) {
            all.add(versions.get(version));
        }
        return all;
    }

    /** True once every version published before start-up has been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = waitForPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, EncoderVersion> record : consumer.poll(Duration.ofMillis(500))) {
                    accept(record);
                }
                if (!caughtUp && endAtStart.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("reading encoder versions from {} failed; no new version is seen until a restart", topic, e);
        } finally {
            consumer.close();
        }
    }

    private List<TopicPartition> waitForPartitions() {
        while (running) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            }
            LOG.warn("topic {} does not exist yet: no encoder version is seen until it does", topic);
        }
        throw new WakeupException();
    }

    private void accept(ConsumerRecord<String, EncoderVersion> record) {
        EncoderVersion version = record.value();
        if (version == null || versions.containsKey(version.getVersion())) {
            return;
        }
        String actual = sha256(version.getOnnx());
        if (!actual.equalsIgnoreCase(version.getSha256())) {
            LOG.error("encoder version {} at {}-{} offset {} refused: its model's SHA-256 is {}, the record says {}",
                    version.getVersion(), record.topic(), record.partition(), record.offset(), actual,
                    version.getSha256());
            return;
        }
        versions.put(version.getVersion(), version);
        order.add(version.getVersion());
        for (Consumer<EncoderVersion> listener : listeners) {
            try {
                listener.accept(version);
            } catch (RuntimeException e) {
                LOG.error("encoder version {}: a reader failed on it", version.getVersion(), e);
            }
        }
    }

    /** The model's bytes (a copy). */
    public static byte[] onnx(EncoderVersion version) {
        ByteBuffer copy = version.getOnnx().duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    static String sha256(ByteBuffer bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
