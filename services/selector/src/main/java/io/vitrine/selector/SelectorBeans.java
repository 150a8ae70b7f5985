package io.vitrine.selector;

import io.smallrye.common.annotation.Identifier;
import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.selector.events.EventLog;
import io.vitrine.selector.kafka.LogProducerSettings;
import io.vitrine.selector.decision.ServingEncoders;
import io.vitrine.service.control.SlotControls;
import io.vitrine.service.encoders.EncoderCatalog;
import io.vitrine.service.encoders.ServingFollower;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.core.encoder.DefaultEncoder;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.policy.UniformExploration;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import io.vitrine.selector.config.SelectorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vitrine.selector.decision.DecisionEngine;
import io.vitrine.selector.metrics.SelectorMetrics;
import io.vitrine.selector.decision.DecisionLog;
import io.vitrine.selector.decision.PosteriorView;
import io.vitrine.selector.rest.DecisionResource;
import io.vitrine.selector.rest.OwnerForwarding;
import io.vitrine.selector.rest.RetryWindow;
import io.vitrine.selector.streams.RequestOwners;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Builds the selector's parts from configuration; plain classes, wired here once. */
@ApplicationScoped
public class SelectorBeans {

    private static final Logger LOG = Logger.getLogger(SelectorBeans.class);

    @Produces
    @Singleton
    WireFormat wireFormat(SelectorConfig config) {
        return WireFormat.of(config.schemaRegistry().url(), config.schemaRegistry().properties());
    }

    @Produces
    @Singleton
    EncoderCatalog encoderCatalog(SelectorConfig config, WireFormat wire,
                                  @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return EncoderCatalog.of(kafka, config.topics().prefix(), wire);
    }

    void closeEncoderCatalog(@Disposes EncoderCatalog catalog) throws InterruptedException {
        catalog.close();
    }

    @Produces
    @Singleton
    ServingFollower servingFollower(SelectorConfig config, WireFormat wire,
                                    @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return ServingFollower.of(kafka, config.topics().prefix(), wire);
    }

    void closeServingFollower(@Disposes ServingFollower follower) throws InterruptedException {
        follower.close();
    }

    /**
     * The built-in encoder serves until the encoder-serving topic names another version; the selector then loads
     * that version from the encoders topic and swaps without a restart.
     */
    @Produces
    @Singleton
    @Startup
    ServingEncoders servingEncoders(SelectorConfig config, EncoderCatalog catalog, ServingFollower follower,
                                    MeterRegistry registry) {
        OnnxEncoder builtIn = config.encoder().path()
                .map(OnnxEncoder::load)
                .orElseGet(() -> {
                    SelectorConfig.Encoder.Default layout = config.encoder().defaults();
                    return OnnxEncoder.load(DefaultEncoder.random(layout.contextFeatures(), layout.candidateFeatures(),
                            layout.dimension(), layout.seed()).toOnnx());
                });
        LOG.infof("built-in encoder %s", builtIn.info());
        ServingEncoders encoders = new ServingEncoders(builtIn, catalog, registry);
        catalog.onNewVersion(encoders::onNewVersion);
        follower.onChange(encoders::onServingChange);
        catalog.start();
        follower.start();
        return encoders;
    }

    void closeServingEncoders(@Disposes ServingEncoders encoders) {
        encoders.close();
    }

    @Produces
    @Singleton
    @Startup
    PosteriorView posteriorView(SelectorConfig config, WireFormat wire,
                                @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        PosteriorView view = new PosteriorView(kafka, Topic.POSTERIORS.name(config.topics().prefix()),
                wire.<PosteriorSnapshot>serde(PosteriorSnapshot.class).deserializer());
        view.start();
        return view;
    }

    void closePosteriorView(@Disposes PosteriorView view) {
        view.close();
    }

    /** Each slot's exploration share, mode and last reset, as operators set them through the learner's admin API. */
    @Produces
    @Singleton
    @Startup
    SlotControls slotControls(SelectorConfig config, WireFormat wire,
                              @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        SlotControls controls = SlotControls.of(kafka, config.topics().prefix(), wire, "slot-control");
        controls.start();
        return controls;
    }

    void closeSlotControls(@Disposes SlotControls controls) throws InterruptedException {
        controls.close();
    }

    @Produces
    @Singleton
    DecisionLog decisionLog(SelectorConfig config, WireFormat wire,
                            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return new DecisionLog(LogProducerSettings.of(kafka, config.selector().logTimeout(),
                        "vitrine-selector-decision-log"), Topic.DECISIONS.name(config.topics().prefix()),
                wire.serde(Decision.class).serializer());
    }

    void closeDecisionLog(@Disposes DecisionLog log) {
        log.close();
    }

    @Produces
    @Singleton
    EventLog eventLog(SelectorConfig config, WireFormat wire,
                      @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        String prefix = config.topics().prefix();
        return new EventLog(LogProducerSettings.of(kafka, config.selector().logTimeout(), "vitrine-selector-event-log"),
                Topic.IMPRESSIONS.name(prefix), Topic.CLICKS.name(prefix),
                wire.serde(Impression.class).serializer(), wire.serde(Click.class).serializer());
    }

    void closeEventLog(@Disposes EventLog log) {
        log.close();
    }

    @Produces
    @Singleton
    SelectorMetrics metrics(MeterRegistry registry, PosteriorView posteriors, DecisionLog log, EventLog events) {
        // The selector's own Kafka clients (the decision and event logs' producers, the posterior view's consumer).
        log.bindMetrics(registry);
        events.bindMetrics(registry);
        posteriors.bindMetrics(registry);
        return new SelectorMetrics(registry, posteriors);
    }

    @Produces
    @Singleton
    RetryWindow<DecisionResource.DecisionResponse> retryWindow(SelectorConfig config) {
        return new RetryWindow<>(config.selector().retryWindow(), config.selector().retryWindowEntries());
    }

    /**
     * Who owns a request id, by the Streams metadata of the topic path; this instance is its
     * {@code application.server} (the advertised host and HTTP port).
     */
    @Produces
    @Singleton
    RequestOwners requestOwners(KafkaStreams streams,
                                @ConfigProperty(name = "quarkus.kafka-streams.application-server")
                                Optional<String> applicationServer) {
        return new RequestOwners(streams, applicationServer.filter(s -> !s.isBlank()).map(HostInfo::buildFromEndpoint));
    }

    @Produces
    @Singleton
    OwnerForwarding ownerForwarding(SelectorConfig config, RequestOwners owners) {
        return new OwnerForwarding(config.selector().forwardTimeout(),
                owners.self().orElse(new HostInfo(config.selector().advertisedHost(), 0)));
    }

    @Produces
    @Singleton
    DecisionEngine decisionEngine(SelectorConfig config, ServingEncoders encoders, PosteriorView posteriors,
                                  SlotControls controls) {
        SelectorConfig.Prior prior = config.prior();
        SelectorConfig.Selector selector = config.selector();
        return new DecisionEngine(encoders, posteriors, new NigPrior(prior.lambda(), prior.a0(), prior.b0()),
                selector.propensitySamples(), new UniformExploration(selector.exploration()),
                selector.maxCandidates(), selector.maxK(),
                selector.perCandidateSlots().orElse(Set.of()), selector.knownSlots(), controls);
    }
}
