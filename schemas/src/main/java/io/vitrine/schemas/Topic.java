package io.vitrine.schemas;

import io.vitrine.avro.AdminAudit;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.Reward;
import io.vitrine.avro.SlotControl;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The registry of every topic Vitrine reads or writes: name, partition count, cleanup policy and
 * value type. Keys are strings everywhere (request id, scope or candidate id). Each topic has one
 * writer, named here so that the rule stays visible.
 *
 * <p>{@code decision-requests}, {@code decisions}, {@code impressions} and {@code clicks} are keyed
 * by request id. They have the same partition count by default, so that events written with Kafka's Java
 * partitioner are joined where they are read; the learner moves any other event (another client's
 * partitioner, another partition count) through a repartition topic first.
 */
public enum Topic {
    DECISION_REQUESTS("decision-requests", 4, false, DecisionRequest.class, "clients"),
    DECISIONS("decisions", 4, false, Decision.class, "selector"),
    IMPRESSIONS("impressions", 4, false, Impression.class, "clients"),
    CLICKS("clicks", 4, false, Click.class, "clients"),
    REWARDS("rewards", 4, false, Reward.class, "learner"),
    POSTERIORS("posteriors", 2, true, PosteriorSnapshot.class, "learner"),
    CANDIDATES("candidates", 2, true, Candidate.class, "catalog"),
    ENCODERS("encoders", 1, true, EncoderVersion.class, "trainer"),
    ENCODER_SERVING("encoder-serving", 1, true, EncoderServing.class, "trainer"),
    SLOT_CONTROL("slot-control", 1, true, SlotControl.class, "learner"),
    ADMIN_AUDIT("admin-audit", 1, false, AdminAudit.class, "learner"),
    DEAD_LETTERS("dead-letters", 1, false, DeadLetter.class, "every service");

    /** Default prefix of every topic name. */
    public static final String DEFAULT_PREFIX = "vitrine.";

    private final String baseName;
    private final int partitions;
    private final boolean compacted;
    private final Class<? extends SpecificRecord> valueType;
    private final String writer;

    Topic(String baseName, int partitions, boolean compacted,
          Class<? extends SpecificRecord> valueType, String writer) {
        this.baseName = baseName;
        this.partitions = partitions;
        this.compacted = compacted;
        this.valueType = valueType;
        this.writer = writer;
    }

    /** The name without prefix, e.g. {@code decisions}. */
    public String baseName() {
        return baseName;
    }

    /** The full topic name under a prefix, e.g. {@code vitrine.decisions}. */
    public String name(String prefix) {
        return prefix + baseName;
    }

    public int partitions() {
        return partitions;
    }

    public boolean compacted() {
        return compacted;
    }

    public Class<? extends SpecificRecord> valueType() {
        return valueType;
    }

    /** Who writes this topic (one writer per topic). */
    public String writer() {
        return writer;
    }

    /**
     * Largest record the {@code encoders} topic takes: one encoder version is one record (its ONNX model inline).
     * Models beyond it belong in a model store, referenced from the record; see docs/encoder.md.
     */
    public static final int MAX_ENCODER_BYTES = 16 * 1024 * 1024;

    /** The topic's settings beyond partitions and replication: its cleanup policy, and record size where it differs. */
    public Map<String, String> configs() {
        String cleanup = compacted ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE;
        return this == ENCODERS
                ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, cleanup,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_ENCODER_BYTES))
                : Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, cleanup);
    }

    /** The topic as an admin request, with its {@link #configs()}. */
    public NewTopic newTopic(String prefix, short replicationFactor) {
        return new NewTopic(name(prefix), partitions, replicationFactor).configs(configs());
    }
}
