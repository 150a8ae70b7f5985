package io.vitrine.learner.admin;

import io.vitrine.avro.AdminAudit;
import io.vitrine.avro.SlotControl;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Writes an admin action: the slot's new state on {@code slot-control} and its audit event on {@code admin-audit},
 * in one Kafka transaction, so that readers (read_committed) never see a change without its audit event or the
 * reverse. One producer per learner instance, under a transactional id of its own ({@code <application
 * id>-admin-<random>}): instances never fence each other.
 */
public final class AdminLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AdminLog.class);

    private final Map<String, Object> config;
    private final String controlTopic;
    private final String auditTopic;
    private final Serializer<SlotControl> controls;
    private final Serializer<AdminAudit> audits;
    private final Duration timeout;
    private KafkaProducer<String, Object> producer;

    public AdminLog(Map<String, Object> kafka, String transactionalIdPrefix, String controlTopic, String auditTopic,
                    Serializer<SlotControl> controls, Serializer<AdminAudit> audits, Duration timeout) {
        this.config = new HashMap<>(kafka);
        this.config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalIdPrefix + "-admin-" + UUID.randomUUID());
        this.config.put(ProducerConfig.CLIENT_ID_CONFIG, "vitrine-learner-admin");
        this.config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        this.config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        this.config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        this.config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.controlTopic = controlTopic;
        this.auditTopic = auditTopic;
        this.controls = controls;
        this.audits = audits;
        this.timeout = timeout;
    }

    /**
     * Writes both records and commits; throws {@link AdminLogException} when Kafka did not take them (nothing is
     * then visible to any reader).
     */
    public synchronized void write(SlotControl control, AdminAudit audit) {
        KafkaProducer<String, Object> producer = producer();
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(controlTopic, control.getSlot(), control));
            producer.send(new ProducerRecord<>(auditTopic, audit.getSlot(), audit));
            producer.commitTransaction();
        } catch (KafkaException e) {
            LOG.warnf("admin action %s on %s not written: %s", audit.getAction(), audit.getSlot(), e.getMessage());
            // A producer in doubt is closed and made anew on the next action; abort is best effort.
            try {
                producer.abortTransaction();
            } catch (KafkaException ignored) {
                // fenced or fatal: closing below is what remains
            }
            closeProducer();
            throw new AdminLogException("Kafka did not take the action within " + timeout.toMillis() + " ms: "
                    + e.getMessage(), e);
        }
    }

    private KafkaProducer<String, Object> producer() {
        if (producer == null) {
            KafkaProducer<String, Object> made = new KafkaProducer<>(config, new StringSerializer(), this::serialize);
            try {
                made.initTransactions();
            } catch (KafkaException e) {
                made.close(Duration.ZERO);
                throw new AdminLogException("cannot start the admin log's transactions: " + e.getMessage(), e);
            }
            producer = made;
        }
        return producer;
    }

    private byte[] serialize(String topic, Object value) {
        return value instanceof SlotControl control ? controls.serialize(topic, control)
                : audits.serialize(topic, (AdminAudit) value);
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(1));
            producer = null;
        }
    }

    @Override
    public synchronized void close() {
        closeProducer();
    }

    /** Kafka did not take an admin action: the answer is a 503 and nothing changed. */
    public static final class AdminLogException extends RuntimeException {
        AdminLogException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
