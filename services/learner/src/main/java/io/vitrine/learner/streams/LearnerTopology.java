package io.vitrine.learner.streams;

import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.avro.Reward;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The learner's topology, built without a broker so that tests drive it directly.
 *
 * <pre>
 * decisions ----+
 * impressions --+--> attribution (windows) --> rewards (keyed by scope)
 * clicks -------+                         \--> dead-letters (events without key or value, invalid decisions,
 *                                              impressions that cannot be attributed)
 * rewards --> posterior update (statistics store) --> posteriors (compacted), at a bounded rate
 *                                              \--> dead-letters (rewards that cannot be used)
 * </pre>
 */
public final class LearnerTopology {

    private LearnerTopology() {
    }

    /** Settings of the topology; see {@code LearnerConfig} for their meaning. */
    /** The name dead letters of this service carry. */
    public static final String SERVICE = "learner";

    public record Settings(String topicPrefix, Duration attributionWindow, Duration decisionRetention,
                           Duration idleCloseDelay, Duration holdGrace, double defaultReward,
                           ClickRewardTiming clickRewardAt, Duration publishInterval, NigPrior prior,
                           Forgetting forgetting) {
    }

    public static Topology build(Settings settings, WireFormat wire, LearnerMetrics metrics) {
        String prefix = settings.topicPrefix();
        Serde<String> keys = Serdes.String();
        Serde<Decision> decisionSerde = wire.serde(Decision.class);
        Serde<Reward> rewardSerde = wire.serde(Reward.class);

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AttributionProcessor.DECISIONS_STORE), keys, decisionSerde));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AttributionProcessor.WINDOWS_STORE), keys, rewardSerde));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AttributionProcessor.DEADLINES_STORE), keys, Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AttributionProcessor.HELD_IMPRESSIONS_STORE), keys,
                wire.serde(DeadLetter.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AttributionProcessor.HELD_CLICKS_STORE), keys, wire.serde(Click.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AttributionProcessor.CLOSED_STORE), keys, Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PosteriorUpdater.STATISTICS_STORE), keys,
                wire.serde(PosteriorStatistics.class)));

        KStream<String, AttributionEvent> decisions = builder
                .stream(Topic.DECISIONS.name(prefix), Consumed.with(keys, decisionSerde))
                .mapValues(d -> (AttributionEvent) new AttributionEvent.Decided(d));
        KStream<String, AttributionEvent> impressions = builder
                .stream(Topic.IMPRESSIONS.name(prefix), Consumed.with(keys, wire.serde(Impression.class)))
                .mapValues(i -> (AttributionEvent) new AttributionEvent.Shown(i));
        KStream<String, AttributionEvent> clicks = builder
                .stream(Topic.CLICKS.name(prefix), Consumed.with(keys, wire.serde(Click.class)))
                .mapValues(c -> (AttributionEvent) new AttributionEvent.Clicked(c));

        Serde<DeadLetter> deadLetterSerde = wire.serde(DeadLetter.class);
        route(decisions.merge(impressions).merge(clicks)
                        .process(() -> new AttributionProcessor(settings.attributionWindow(),
                                        settings.decisionRetention(), settings.idleCloseDelay(), settings.holdGrace(),
                                        settings.defaultReward(), settings.clickRewardAt(), metrics),
                                AttributionProcessor.DECISIONS_STORE, AttributionProcessor.WINDOWS_STORE,
                                AttributionProcessor.DEADLINES_STORE, AttributionProcessor.HELD_IMPRESSIONS_STORE,
                                AttributionProcessor.HELD_CLICKS_STORE, AttributionProcessor.CLOSED_STORE),
                Produced.with(keys, rewardSerde), Topic.REWARDS.name(prefix),
                Produced.with(keys, deadLetterSerde), Topic.DEAD_LETTERS.name(prefix));

        route(builder.stream(Topic.REWARDS.name(prefix), Consumed.with(keys, rewardSerde))
                        .process(() -> new PosteriorUpdater(settings.prior(), settings.forgetting(),
                                settings.publishInterval(), metrics), PosteriorUpdater.STATISTICS_STORE),
                Produced.with(keys, wire.serde(PosteriorSnapshot.class)), Topic.POSTERIORS.name(prefix),
                Produced.with(keys, deadLetterSerde), Topic.DEAD_LETTERS.name(prefix));

        return builder.build();
    }

    /** Emitted values to their topic, rejected ones to the dead letters. */
    private static <T> void route(KStream<String, Outcome<T>> outcomes, Produced<String, T> produced, String topic,
                                  Produced<String, DeadLetter> deadLetterProduced, String deadLetterTopic) {
        outcomes.split()
                .branch((key, outcome) -> outcome instanceof Outcome.Emit<T>,
                        Branched.withConsumer(emitted -> emitted
                                .mapValues(outcome -> ((Outcome.Emit<T>) outcome).value())
                                .to(topic, produced)))
                .defaultBranch(Branched.withConsumer(rejected -> rejected
                        .mapValues(outcome -> ((Outcome.Reject<T>) outcome).letter())
                        .to(deadLetterTopic, deadLetterProduced)));
    }
}
