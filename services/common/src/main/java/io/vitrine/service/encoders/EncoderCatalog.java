package io.vitrine.service.encoders;

import io.vitrine.avro.EncoderVersion;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
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

    private final TopicFollower<EncoderVersion> follower;
    private final List<Consumer<EncoderVersion>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, EncoderVersion> versions = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();

    /**
     * @param kafka Kafka client settings (bootstrap servers, security)
     */
    public EncoderCatalog(Map<String, Object> kafka, String topic, Deserializer<EncoderVersion> values) {
        this.follower = new TopicFollower<>(kafka, Map.of(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topic.MAX_ENCODER_BYTES,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topic.MAX_ENCODER_BYTES), topic, values, "encoder-catalog",
                "no encoder version is seen until it does", this::accept);
    }

    /** The catalog of the {@code encoders} topic under {@code topicPrefix}, in the service's wire format. */
    public static EncoderCatalog of(Map<String, Object> kafka, String topicPrefix, WireFormat wire) {
        return new EncoderCatalog(kafka, Topic.ENCODERS.name(topicPrefix),
                wire.<EncoderVersion>serde(EncoderVersion.class).deserializer());
    }

    /**
     * Calls {@code listener} on the catalog's thread for each new valid version, in topic order, from the first;
     * register before {@link #start()}.
     */
    public void onNewVersion(Consumer<EncoderVersion> listener) {
        listeners.add(listener);
    }

    public void start() {
        follower.start();
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
        return follower.caughtUp();
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
        follower.close();
    }
}
