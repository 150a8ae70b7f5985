package io.vitrine.learner.streams;

import io.vitrine.avro.Reward;
import io.vitrine.core.encoder.EncoderException;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.schemas.AvroArrays;
import io.vitrine.schemas.Scopes;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Moves a reward onto one encoder version: its z recomputed by that version's encoder from the raw context and
 * candidate features the reward keeps, its scope {@code <learning key>@<version>}. Every reward is re-encoded, also
 * those whose decision used this very version, so that the version's posterior is a function of the reward log
 * alone (what a batch fit over the log computes), whatever the selector's batch sizes were.
 */
public final class Reencoder implements Processor<String, Reward, String, Outcome<Reward>> {

    private final OnnxEncoder encoder;
    private final String version;
    private final LearnerMetrics metrics;
    private ProcessorContext<String, Outcome<Reward>> context;

    Reencoder(OnnxEncoder encoder, LearnerMetrics metrics) {
        this.encoder = encoder;
        this.version = encoder.info().version();
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Outcome<Reward>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Reward> record) {
        Reward reward = record.value();
        if (reward == null || record.key() == null) {
            return; // the live updater turns these into dead letters; one letter per record is enough
        }
        float[] z;
        try {
            z = reencode(encoder, reward);
        } catch (EncoderException | IllegalArgumentException e) {
            metrics.dimensionMismatch();
            reject(record, "dimension-mismatch", "encoder " + version + " cannot encode this reward: " + e.getMessage());
            return;
        }
        // The record was just read for this application alone: moved in place rather than copied.
        reward.setScope(Scopes.of(Scopes.learningKey(reward.getScope()), version));
        reward.setEncoderVersion(version);
        reward.setEmbedding(AvroArrays.floatList(z));
        metrics.versionReward(version);
        context.forward(record.withValue(new Outcome.Emit<>(reward)));
    }

    /** The z of a reward's (context, candidate) under {@code encoder}, as the selector computes it for one candidate. */
    public static float[] reencode(OnnxEncoder encoder, Reward reward) {
        float[] z = encoder.encode(AvroArrays.floats(reward.getContext()),
                new float[][] {AvroArrays.floats(reward.getCandidateFeatures())})[0];
        for (float value : z) {
            if (!Float.isFinite(value)) {
                throw new IllegalArgumentException("the embedding has a non-finite value");
            }
        }
        return z;
    }

    private void reject(Record<String, Reward> record, String reason, String detail) {
        metrics.deadLetter(reason);
        var letter = DeadLetters.of(context.recordMetadata(), record.key(), record.value(), reason, detail,
                Instant.ofEpochMilli(Math.max(0, record.timestamp())));
        context.forward(new Record<>(record.key(), new Outcome.Reject<>(letter), record.timestamp()));
    }
}
