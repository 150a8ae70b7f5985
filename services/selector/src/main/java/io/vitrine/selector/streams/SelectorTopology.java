package io.vitrine.selector.streams;

import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import io.vitrine.selector.decision.DecisionEngine;
import io.vitrine.selector.metrics.SelectorMetrics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The topic path: {@code decision-requests -> decisions}, for callers that produce to Kafka rather
 * than call HTTP. Invalid requests go to {@code dead-letters} with the reason; the stream goes on.
 *
 * <p>The same tasks own the request ids: the instance whose task reads a request id's partition of
 * {@code decision-requests} decides that id's HTTP requests too (the others forward them, see {@link RequestOwners}).
 * {@value #REQUEST_OWNERS_STORE} is how Streams' metadata names that instance: a store of the deciding task that
 * holds nothing (in memory, without a changelog), so it costs neither a topic nor a restore.
 */
public final class SelectorTopology {

    /** The store whose partitions' owners are the request ids' owners. */
    public static final String REQUEST_OWNERS_STORE = "request-owners";

    private SelectorTopology() {
    }

    public static Topology build(String topicPrefix, WireFormat wire, DecisionEngine engine, SelectorMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(REQUEST_OWNERS_STORE),
                Serdes.String(), Serdes.String()).withLoggingDisabled());
        Serde<DecisionRequest> requests = wire.serde(DecisionRequest.class);
        KStream<String, DecideProcessor.Outcome> outcomes = builder
                .stream(Topic.DECISION_REQUESTS.name(topicPrefix), Consumed.with(Serdes.String(), requests))
                .processValues(() -> new DecideProcessor(engine, metrics, requests.serializer()), REQUEST_OWNERS_STORE);
        outcomes.filter((key, outcome) -> outcome.decision() != null)
                .mapValues(DecideProcessor.Outcome::decision)
                .selectKey((key, decision) -> decision.getRequestId())
                .to(Topic.DECISIONS.name(topicPrefix), Produced.with(Serdes.String(), wire.<Decision>serde(Decision.class)));
        outcomes.filter((key, outcome) -> outcome.deadLetter() != null)
                .mapValues(DecideProcessor.Outcome::deadLetter)
                .to(Topic.DEAD_LETTERS.name(topicPrefix),
                        Produced.with(Serdes.String(), wire.<DeadLetter>serde(DeadLetter.class)));
        return builder.build();
    }
}
