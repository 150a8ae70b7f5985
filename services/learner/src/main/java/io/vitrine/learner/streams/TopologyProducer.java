package io.vitrine.learner.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.learner.config.LearnerConfig;
import io.vitrine.schemas.WireFormat;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;

/** Hands the learner's topology and its collaborators to Quarkus Kafka Streams. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    @Singleton
    WireFormat wireFormat(LearnerConfig config) {
        return WireFormat.of(config.schemaRegistry().url(), config.schemaRegistry().properties());
    }

    @Produces
    @Singleton
    NigPrior prior(LearnerConfig config) {
        return new NigPrior(config.prior().lambda(), config.prior().a0(), config.prior().b0());
    }

    @Produces
    Topology topology(LearnerConfig config, WireFormat wire, NigPrior prior, MeterRegistry registry) {
        LearnerConfig.Learner learner = config.learner();
        var settings = new LearnerTopology.Settings(config.topics().prefix(), learner.attributionWindow(),
                learner.decisionRetention(), learner.idleCloseDelay(), learner.holdGrace(), learner.defaultReward(),
                learner.clickRewardAt(), learner.publishInterval(),
                prior, learner.halfLifeEvents().isPresent()
                        ? Forgetting.halfLife(learner.halfLifeEvents().getAsDouble()) : Forgetting.NONE);
        return LearnerTopology.build(settings, wire, new LearnerMetrics(registry));
    }
}
