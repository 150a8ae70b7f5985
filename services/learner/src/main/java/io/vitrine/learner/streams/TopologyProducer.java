package io.vitrine.learner.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.vitrine.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.stream.Collectors;
import java.util.Map;
import java.util.Set;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.learner.config.LearnerConfig;
import io.vitrine.learner.control.LearningControl;
import io.vitrine.service.encoders.EncoderCatalog;
import io.vitrine.schemas.WireFormat;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
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
    @Singleton
    LearnerMetrics metrics(MeterRegistry registry) {
        return new LearnerMetrics(registry);
    }

    @Produces
    @Singleton
    LearnerTopology.Settings settings(LearnerConfig config, NigPrior prior) {
        LearnerConfig.Learner learner = config.learner();
        return new LearnerTopology.Settings(config.topics().prefix(), learner.attributionWindow(),
                learner.allowedLateness(), learner.decisionRetention(), learner.idleCloseDelay(), learner.holdGrace(),
                learner.defaultReward(), learner.clickRewardAt(), learner.publishInterval(),
                prior, learner.halfLifeEvents().isPresent()
                        ? Forgetting.halfLife(learner.halfLifeEvents().getAsDouble()) : Forgetting.NONE,
                new RewardRule(learner.rewardRule().combine(), learner.rewardRule().clickWeight(),
                        learner.rewardRule().valueWeight(), learner.rewardRule().minValue(),
                        learner.rewardRule().maxValue()));
    }

    @Produces
    @Singleton
    EncoderCatalog encoderCatalog(LearnerConfig config, WireFormat wire,
                                  @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return EncoderCatalog.of(kafka, config.topics().prefix(), wire);
    }

    void closeEncoderCatalog(@Disposes EncoderCatalog catalog) throws InterruptedException {
        catalog.close();
    }

    @Produces
    Topology topology(LearnerConfig config, WireFormat wire, LearnerTopology.Settings settings, LearnerMetrics metrics,
                      EncoderCatalog catalog, LearningControl control,
                      @Identifier("default-kafka-broker") Map<String, Object> kafka, Instance<KafkaStreams> streams) {
        String prefix = config.topics().prefix();
        InputMappings mappings = inputMappings(config);
        List<String> joinInputs = new ArrayList<>(List.of(Topic.DECISIONS.name(prefix),
                Topic.IMPRESSIONS.name(prefix), Topic.CLICKS.name(prefix)));
        joinInputs.addAll(mappings.topics()); // read by the join's tasks as well
        JoinTasks joinTasks = new JoinTasks(kafka, joinInputs, Duration.ofSeconds(30));
        // Looked up when a quiet task asks, long after the streams (made from this topology) started.
        InputLag lag = new ConsumerLag(() -> streams.get().metrics(), Set.of(Topic.DECISIONS.baseName(),
                Topic.IMPRESSIONS.baseName(), Topic.CLICKS.baseName()), prefix, Set.copyOf(mappings.topics()));
        return LearnerTopology.build(settings, wire, metrics, joinTasks, catalog::knows, control.gate(), lag,
                mappings);
    }

    /** The declared mappings of the site's events, checked: a wrong one stops the service naming its key. */
    static InputMappings inputMappings(LearnerConfig config) {
        Map<FieldMapping.Kind, FieldMapping.Declared> declared = new EnumMap<>(FieldMapping.Kind.class);
        declared.put(FieldMapping.Kind.IMPRESSION, declared(config.mapping().impression()));
        declared.put(FieldMapping.Kind.CLICK, declared(config.mapping().click()));
        declared.put(FieldMapping.Kind.VALUE, declared(config.mapping().value()));
        Set<String> own = Arrays.stream(Topic.values()).map(t -> t.name(config.topics().prefix()))
                .collect(Collectors.toSet());
        return InputMappings.of(declared, own);
    }

    private static FieldMapping.Declared declared(LearnerConfig.EventMapping m) {
        return new FieldMapping.Declared(m.topic(), m.requestId(), m.candidateId(), m.timestamp(), m.timeFormat(),
                m.kindPointer(), m.kindValues().orElse(List.of()), m.value(), m.valueMap(), m.constantValue());
    }
}
