package io.vitrine.selector.streams;

import io.vitrine.schemas.WireFormat;
import io.vitrine.selector.config.SelectorConfig;
import io.vitrine.selector.decision.DecisionEngine;
import io.vitrine.selector.metrics.SelectorMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;

/** Hands the topic path's topology to Quarkus Kafka Streams. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    Topology topology(SelectorConfig config, WireFormat wire, DecisionEngine engine, SelectorMetrics metrics) {
        return SelectorTopology.build(config.topics().prefix(), wire, engine, metrics);
    }
}
