package io.vitrine.selector.streams;

import io.vitrine.avro.Candidate;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.schemas.AvroArrays;
import io.vitrine.selector.decision.DecisionEngine;
import io.vitrine.selector.decision.DecisionInput;
import io.vitrine.selector.decision.InvalidRequestException;
import io.vitrine.selector.metrics.SelectorMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Decides each request of the topic path; a request that cannot be served becomes a dead letter. */
final class DecideProcessor implements FixedKeyProcessor<String, DecisionRequest, DecideProcessor.Outcome> {

    /** Either a decision or the dead letter explaining why there is none. */
    record Outcome(Decision decision, DeadLetter deadLetter) {
    }

    private final DecisionEngine engine;
    private final SelectorMetrics metrics;
    private final Serializer<DecisionRequest> requestSerializer;
    private FixedKeyProcessorContext<String, Outcome> context;

    /** @param requestSerializer writes a refused request into its dead letter, so that it can be replayed */
    DecideProcessor(DecisionEngine engine, SelectorMetrics metrics, Serializer<DecisionRequest> requestSerializer) {
        this.engine = engine;
        this.metrics = metrics;
        this.requestSerializer = requestSerializer;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Outcome> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, DecisionRequest> record) {
        DecisionRequest request = record.value();
        if (request == null) {
            metrics.rejected(SelectorMetrics.TOPIC, "empty-value");
            metrics.deadLetter("empty-value");
            context.forward(record.withValue(new Outcome(null, deadLetter(record, "empty-value",
                    "a record without a value (a tombstone?) on the decision-requests topic"))));
            return;
        }
        long start = System.nanoTime();
        String reason;
        String detail;
        try {
            Decision decision = engine.decide(toInput(record.key(), request), true);
            metrics.decided(SelectorMetrics.TOPIC, System.nanoTime() - start);
            context.forward(record.withValue(new Outcome(decision, null)));
            return;
        } catch (InvalidRequestException e) {
            reason = e.reason();
            detail = e.getMessage();
        } catch (IllegalArgumentException e) {
            reason = InvalidRequestException.INVALID_REQUEST;
            detail = e.getMessage();
        }
        metrics.rejected(SelectorMetrics.TOPIC, reason);
        metrics.deadLetter(reason);
        context.forward(record.withValue(new Outcome(null, deadLetter(record, reason, detail))));
    }

    private static DecisionInput toInput(String key, DecisionRequest request) {
        List<DecisionInput.CandidateInput> candidates = new ArrayList<>(request.getCandidates().size());
        for (Candidate candidate : request.getCandidates()) {
            candidates.add(new DecisionInput.CandidateInput(candidate.getId(), AvroArrays.floats(candidate.getFeatures())));
        }
        String requestId = request.getRequestId() == null || request.getRequestId().isBlank() ? key : request.getRequestId();
        DecisionInput.Incumbent incumbent = request.getIncumbent() == null ? null : new DecisionInput.Incumbent(
                request.getIncumbent().getCandidateId(), request.getIncumbent().getPropensity());
        return new DecisionInput(requestId, request.getSlot(), AvroArrays.floats(request.getContext()), candidates,
                request.getK(), request.getTimestamp(), incumbent);
    }

    private DeadLetter deadLetter(FixedKeyRecord<String, DecisionRequest> record, String reason, String detail) {
        RecordMetadata source = context.recordMetadata().orElse(null);
        return DeadLetter.newBuilder()
                .setService("selector")
                .setSourceTopic(source == null ? null : source.topic())
                .setPartition(source == null ? null : source.partition())
                .setOffset(source == null ? null : source.offset())
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(requestSerializer.serialize(
                        source == null ? null : source.topic(), record.value())))
                .setReason(reason)
                .setDetail(detail)
                .setTimestamp(Instant.ofEpochMilli(Math.max(0, record.timestamp())))
                .build();
    }
}
