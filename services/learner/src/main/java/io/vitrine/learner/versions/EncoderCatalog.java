package io.vitrine.learner.versions;

import io.vitrine.avro.EncoderVersion;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The encoder versions published on the compacted {@code encoders} topic, read from its beginning and followed
 * (no consumer group: every instance reads every version). A record whose model does not match its SHA-256 is
 * refused and logged; the first valid record of a version is the version (later ones are ignored: a version's
 * model never changes).
 */
public final class EncoderCatalog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EncoderCatalog.class);

    private final KafkaConsumer<String, EncoderVersion> consumer;
    private final String topic;
    private volatile Consumer<EncoderVersion> onNewVersion;
    private final Map<String, EncoderVersion> versions = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param kafka Kafka client settings (bootstrap servers, security)
     */
    public EncoderCatalog(Map<String, Object> kafka, String topic, Deserializer<EncoderVersion> values) {
        Map<String, Object> config = new java.util.HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, io.vitrine.schemas.Topic.MAX_ENCODER_BYTES);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, io.vitrine.schemas.Topic.MAX_ENCODER_BYTES);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), values);
        this.topic = topic;
        this.thread = new Thread(this::run, "encoder-catalog");
        this.thread.setDaemon(true);
    }

    /** Starts reading; {@code onNewVersion} is called on the catalog's thread for each new valid version, in topic order. */
    public void start(Consumer<EncoderVersion> onNewVersion) {
        this.onNewVersion = onNewVersion;
        thread.start();
    }

    /** True for a version published on the topic (seen by this instance). */
    public boolean knows(String version) {
        return versions.containsKey(version);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = waitForPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, EncoderVersion> record : consumer.poll(Duration.ofMillis(500))) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "reading encoder versions from %s failed; no new version will be learned until a restart",
                    topic);
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
            LOG.warnf("topic %s does not exist yet: no encoder version can be learned until it does", topic);
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
            LOG.errorf("encoder version %s at %s-%d offset %d refused: its model's SHA-256 is %s, the record says %s",
                    version.getVersion(), record.topic(), record.partition(), record.offset(), actual,
                    version.getSha256());
            return;
        }
        versions.put(version.getVersion(), version);
        onNewVersion.accept(version);
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
