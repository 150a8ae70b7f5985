package io.vitrine.selector.streams;

import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Which selector instance owns a request id: the one whose topic-path task reads the id's partition of
 * {@code decision-requests}, as the Streams metadata of {@link SelectorTopology#REQUEST_OWNERS_STORE} names it.
 * Retries of an id that all reach its owner meet in the owner's retry window, whichever instance they arrived at.
 */
public final class RequestOwners {

    /** Where a request id is decided. */
    public sealed interface Owner {
    }

    /** This instance owns the id (or is the only one, without an advertised address). */
    public record Here() implements Owner {
    }

    /** Another instance owns the id, reachable at {@code host}. */
    public record There(HostInfo host) implements Owner {
    }

    /** No instance is known to own it now (starting, rebalancing, streams stopped): {@code why} says which. */
    public record Unknown(String why) implements Owner {
    }

    private static final Here HERE = new Here();

    private final KafkaStreams streams;
    private final Optional<HostInfo> self;
    private final Serializer<String> keys = Serdes.String().serializer();

    /** @param self this instance's Streams {@code application.server}; empty: a single instance that owns every id */
    public RequestOwners(KafkaStreams streams, Optional<HostInfo> self) {
        this.streams = streams;
        this.self = self;
    }

    public Optional<HostInfo> self() {
        return self;
    }

    public Owner of(String requestId) {
        if (self.isEmpty()) {
            return HERE;
        }
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(SelectorTopology.REQUEST_OWNERS_STORE, requestId, keys);
        } catch (RuntimeException e) { // not started yet, or shutting down
            return new Unknown("the topic path is " + streams.state() + ": " + e.getMessage());
        }
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null) {
            return new Unknown("no instance owns the request id's partition now (rebalancing)");
        }
        return metadata.activeHost().equals(self.get()) ? HERE : new There(metadata.activeHost());
    }
}
