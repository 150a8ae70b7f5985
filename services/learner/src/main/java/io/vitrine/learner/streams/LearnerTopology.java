package io.vitrine.learner.streams;

import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.avro.Reward;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.learner.control.LearningGate;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The learner's topology, built without a broker so that tests drive it directly.
 *
 * <pre>
 * decisions ----+                       (events off their request's partition, e.g. from librdkafka producers:
 * impressions --+-- placement check ---- through &lt;topic&gt;-by-request-id repartition topics, murmur2 on the request id)
 * clicks -------+        |
 * site topics ---+       |              (vitrine.mapping.*: JSON events mapped by pointers, re-keyed by request id,
 *   (mapped)             |               through mapped-impressions / mapped-clicks-by-request-id when misplaced;
 *                        |               records of other kinds counted and skipped)
 *                        v
 *                 attribution (windows) --> rewards (keyed by scope)
 *                                      \--> dead-letters (events without key or value, invalid decisions,
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

    public record Settings(String topicPrefix, Duration attributionWindow, Duration allowedLateness,
                           Duration decisionRetention,
                           Duration idleCloseDelay, Duration holdGrace, double defaultReward,
                           ClickRewardTiming clickRewardAt, Duration publishInterval, NigPrior prior,
                           Forgetting forgetting, RewardRule rewardRule) {

        /** Clicks and values combined by {@link RewardRule#DEFAULT}. */
        public Settings(String topicPrefix, Duration attributionWindow, Duration allowedLateness,
                        Duration decisionRetention, Duration idleCloseDelay, Duration holdGrace, double defaultReward,
                        ClickRewardTiming clickRewardAt, Duration publishInterval, NigPrior prior,
                        Forgetting forgetting) {
            this(topicPrefix, attributionWindow, allowedLateness, decisionRetention, idleCloseDelay, holdGrace,
                    defaultReward, clickRewardAt, publishInterval, prior, forgetting, RewardRule.DEFAULT);
        }
    }

    /**
     * @param joinTasks      the number of attribution tasks, the largest partition count of decisions, impressions and
     *                       clicks; asked once per task when it starts (see {@link RequestPlacement})
     * @param managedVersion true for the encoder versions learned by an application of their own
     *                       ({@link #buildVersion}): the live update leaves their rewards alone
     */
    public static Topology build(Settings settings, WireFormat wire, LearnerMetrics metrics, IntSupplier joinTasks,
                                 java.util.function.Predicate<String> managedVersion) {
        return build(settings, wire, metrics, joinTasks, managedVersion, LearningGate.open());
    }

    /** @param gate what operators set on each slot, applied before the posterior update ({@link LearningGate}) */
    public static Topology build(Settings settings, WireFormat wire, LearnerMetrics metrics, IntSupplier joinTasks,
                                 java.util.function.Predicate<String> managedVersion,
                                 ProcessorSupplier<String, Reward, String, Reward> gate) {
        return build(settings, wire, metrics, joinTasks, managedVersion, gate, InputLag.UNKNOWN);
    }

    /**
     * @param inputLag whether a join task's input may have records waiting on the broker (its consumer is not known
     *                 to be caught up): such a task is behind, not quiet, and closes no window by wall clock
     */
    public static Topology build(Settings settings, WireFormat wire, LearnerMetrics metrics, IntSupplier joinTasks,
                                 java.util.function.Predicate<String> managedVersion,
                                 ProcessorSupplier<String, Reward, String, Reward> gate, InputLag inputLag) {
        return build(settings, wire, metrics, joinTasks, managedVersion, gate, inputLag, InputMappings.NONE);
    }

    /**
     * @param mappings the site's own topics read besides Vitrine's, and how their events become impressions and
     *                 clicks ({@code vitrine.mapping.*}); {@code joinTasks} must count their partitions too
     */
    static Topology build(Settings settings, WireFormat wire, LearnerMetrics metrics, IntSupplier joinTasks,
                          java.util.function.Predicate<String> managedVersion,
                          ProcessorSupplier<String, Reward, String, Reward> gate, InputLag inputLag,
                          InputMappings mappings) {
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
        // Cached, as a version's (buildVersion): a slot's d x d statistics reach the changelog once per commit, not
        // once per reward; the cache is flushed inside each commit's transaction, so exactly once holds.
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PosteriorUpdater.STATISTICS_STORE), keys,
                wire.serde(PosteriorStatistics.class)).withCachingEnabled());

        KStream<String, AttributionEvent> decisions = byRequestId(builder, Topic.DECISIONS, prefix, decisionSerde,
                joinTasks, metrics).mapValues(d -> (AttributionEvent) new AttributionEvent.Decided(d));
        KStream<String, AttributionEvent> impressions = byRequestId(builder, Topic.IMPRESSIONS, prefix,
                JsonOrAvro.impressions(wire.serde(Impression.class)), joinTasks, metrics)
                .mapValues(i -> (AttributionEvent) new AttributionEvent.Shown(i));
        KStream<String, AttributionEvent> clicks = byRequestId(builder, Topic.CLICKS, prefix,
                JsonOrAvro.clicks(wire.serde(Click.class)),
                joinTasks, metrics).mapValues(c -> (AttributionEvent) new AttributionEvent.Clicked(c));
        if (!mappings.topics().isEmpty()) {
            KStream<String, AttributionEvent> mapped = mapped(builder, mappings, metrics);
            Map<String, KStream<String, AttributionEvent>> kinds = mapped
                    .split(Named.as("mapped-"))
                    .branch((key, event) -> event instanceof AttributionEvent.Shown, Branched.as("impressions"))
                    .defaultBranch(Branched.as("clicks"));
            impressions = impressions.merge(placed(kinds.get("mapped-impressions")
                            .mapValues(e -> ((AttributionEvent.Shown) e).impression(), Named.as("mapped-impression")),
                    "mapped-impressions", wire.serde(Impression.class), joinTasks, metrics)
                    .mapValues(i -> (AttributionEvent) new AttributionEvent.Shown(i)));
            clicks = clicks.merge(placed(kinds.get("mapped-clicks")
                            .mapValues(e -> ((AttributionEvent.Clicked) e).click(), Named.as("mapped-click")),
                    "mapped-clicks", wire.serde(Click.class), joinTasks, metrics)
                    .mapValues(c -> (AttributionEvent) new AttributionEvent.Clicked(c)));
        }

        Serde<DeadLetter> deadLetterSerde = wire.serde(DeadLetter.class);
        route(decisions.merge(impressions).merge(clicks)
                        .process(() -> new AttributionProcessor(settings.attributionWindow(), settings.allowedLateness(),
                                        settings.decisionRetention(), settings.idleCloseDelay(), settings.holdGrace(),
                                        settings.defaultReward(), settings.rewardRule(), settings.clickRewardAt(),
                                        metrics, inputLag),
                                AttributionProcessor.DECISIONS_STORE, AttributionProcessor.WINDOWS_STORE,
                                AttributionProcessor.DEADLINES_STORE, AttributionProcessor.HELD_IMPRESSIONS_STORE,
                                AttributionProcessor.HELD_CLICKS_STORE, AttributionProcessor.CLOSED_STORE),
                Produced.with(keys, rewardSerde), Topic.REWARDS.name(prefix),
                Produced.with(keys, deadLetterSerde), Topic.DEAD_LETTERS.name(prefix));

        route(builder.stream(Topic.REWARDS.name(prefix), Consumed.with(keys, rewardSerde))
                        .filterNot((key, reward) -> reward != null && managedVersion.test(reward.getEncoderVersion()),
                                Named.as("rewards-of-unmanaged-versions"))
                        .process(gate, Named.as("learning-gate"), PosteriorUpdater.STATISTICS_STORE)
                        .process(() -> new PosteriorUpdater(settings.prior(), settings.forgetting(),
                                settings.publishInterval(), metrics), PosteriorUpdater.STATISTICS_STORE),
                Produced.with(keys, wire.serde(PosteriorSnapshot.class)), Topic.POSTERIORS.name(prefix),
                Produced.with(keys, deadLetterSerde), Topic.DEAD_LETTERS.name(prefix));

        return builder.build();
    }

    /**
     * The learning of one encoder version from the reward log, for an application of its own: every reward, from the
     * first the topic holds, re-encoded with the version's encoder ({@link Reencoder}) and applied in log order to the
     * statistics of {@code <learning key>@<version>}, which are published like the live ones. Started on an empty
     * state it rebuilds the version's posteriors by replay; caught up, it goes on learning every new reward, whichever
     * version made its decision, so that a version stays ready to serve (or to be rolled back to).
     */
    public static Topology buildVersion(Settings settings, WireFormat wire, LearnerMetrics metrics, OnnxEncoder encoder) {
        return buildVersion(settings, wire, metrics, encoder, LearningGate.open());
    }

    /** @param gate what operators set on each slot, applied before the posterior update ({@link LearningGate}) */
    public static Topology buildVersion(Settings settings, WireFormat wire, LearnerMetrics metrics, OnnxEncoder encoder,
                                        ProcessorSupplier<String, Reward, String, Reward> gate) {
        String prefix = settings.topicPrefix();
        Serde<String> keys = Serdes.String();
        Serde<DeadLetter> deadLetterSerde = wire.serde(DeadLetter.class);
        StreamsBuilder builder = new StreamsBuilder();
        // Cached: a replay folds thousands of rewards of a few scopes between two commits, and a version's
        // statistics are large (d^2 doubles); the changelog then gets each scope's value once per commit rather
        // than once per reward. The cache is flushed at every commit, inside the transaction: exactly once holds.
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PosteriorUpdater.STATISTICS_STORE), keys,
                wire.serde(PosteriorStatistics.class)).withCachingEnabled());
        Map<String, KStream<String, Outcome<Reward>>> reencoded = builder
                .stream(Topic.REWARDS.name(prefix), Consumed.with(keys, wire.serde(Reward.class)))
                .process(() -> new Reencoder(encoder, metrics), Named.as("reencode"))
                .split(Named.as("reencoded-"))
                .branch((key, outcome) -> outcome instanceof Outcome.Emit<Reward>, Branched.as("ok"))
                .defaultBranch(Branched.as("rejected"));
        reencoded.get("reencoded-rejected")
                .mapValues(outcome -> ((Outcome.Reject<Reward>) outcome).letter())
                .to(Topic.DEAD_LETTERS.name(prefix), Produced.with(keys, deadLetterSerde));
        route(reencoded.get("reencoded-ok")
                        .mapValues(outcome -> ((Outcome.Emit<Reward>) outcome).value())
                        .process(gate, Named.as("learning-gate"), PosteriorUpdater.STATISTICS_STORE)
                        .process(() -> new PosteriorUpdater(settings.prior(), settings.forgetting(),
                                settings.publishInterval(), metrics), PosteriorUpdater.STATISTICS_STORE),
                Produced.with(keys, wire.serde(PosteriorSnapshot.class)), Topic.POSTERIORS.name(prefix),
                Produced.with(keys, deadLetterSerde), Topic.DEAD_LETTERS.name(prefix));
        return builder.build();
    }

    /**
     * An input topic's events on the join task of their request id: those already there pass straight on, the others
     * go through the repartition topic {@code <application id>-<topic>-by-request-id-repartition} first.
     */
    private static <V> KStream<String, V> byRequestId(StreamsBuilder builder, Topic topic, String prefix,
                                                      Serde<V> serde, IntSupplier joinTasks, LearnerMetrics metrics) {
        String name = topic.baseName();
        return placed(builder.stream(topic.name(prefix), Consumed.with(Serdes.String(), serde)
                .withName(name + "-source")), name, serde, joinTasks, metrics);
    }

    /**
     * The events of the site's mapped topics, keyed by their request id; records no mapping selects are counted and
     * left out.
     */
    private static KStream<String, AttributionEvent> mapped(StreamsBuilder builder, InputMappings mappings,
                                                            LearnerMetrics metrics) {
        KStream<String, AttributionEvent> all = null;
        for (String topic : mappings.topics()) {
            Serde<InputMappings.Mapped> serde = Serdes.serdeFrom((t, value) -> {
                throw new UnsupportedOperationException("mapped events are only read");
            }, mappings.deserializer(topic));
            // The event's own time is its time in the join, as Vitrine's producers set the record's timestamp to
            // it: a site's tracker leaves the time it sent the record there, later than the event (a batch, a
            // backlog), which would close windows before their clicks are read. A record of another kind, skipped
            // at once, takes the partition's time (0 before any), so that it moves no window either.
            TimestampExtractor eventTime = (record, partitionTime) ->
                    record.value() instanceof InputMappings.Mapped.Accepted accepted ? accepted.time().toEpochMilli()
                            : Math.max(partitionTime, 0);
            KStream<String, AttributionEvent> events = builder
                    .stream(topic, Consumed.with(Serdes.String(), serde).withTimestampExtractor(eventTime)
                            .withName("mapped-" + topic + "-source"))
                    .filter((key, mapped) -> {
                        if (mapped instanceof InputMappings.Mapped.Ignored) {
                            metrics.ignored(topic);
                            return false;
                        }
                        return true;
                    }, Named.as("mapped-" + topic + "-selected"))
                    // The site's key is whatever it is (a session, a user, nothing): the join's key is the request id.
                    .map((key, mapped) -> KeyValue.pair(((InputMappings.Mapped.Accepted) mapped).requestId(),
                            ((InputMappings.Mapped.Accepted) mapped).event()), Named.as("mapped-" + topic + "-keyed"));
            all = all == null ? events : all.merge(events, Named.as("mapped-" + topic + "-merged"));
        }
        return all;
    }

    /** Events keyed by request id onto their join task: through {@code <name>-by-request-id} when misplaced. */
    private static <V> KStream<String, V> placed(KStream<String, V> events, String name, Serde<V> serde,
                                                 IntSupplier joinTasks, LearnerMetrics metrics) {
        Map<String, KStream<String, RequestPlacement.Placed<V>>> branches = events
                .processValues(() -> new RequestPlacement<V>(joinTasks, () -> metrics.repartitioned(name)),
                        Named.as(name + "-placement"))
                .split(Named.as(name + "-"))
                .branch((key, event) -> event.placed(), Branched.as("placed"))
                .defaultBranch(Branched.as("misplaced"));
        KStream<String, V> moved = branches.get(name + "-misplaced")
                .mapValues(RequestPlacement.Placed::value, Named.as(name + "-unwrap-misplaced"))
                .repartition(Repartitioned.with(Serdes.String(), serde).withName(name + "-by-request-id"));
        return branches.get(name + "-placed")
                .mapValues(RequestPlacement.Placed::value, Named.as(name + "-unwrap-placed"))
                .merge(moved, Named.as(name + "-by-request-id"));
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
