package io.vitrine.learner.streams;

import java.util.function.DoubleSupplier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vitrine.avro.RewardKind;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/** Counters of what the learner did with each event, exported on {@code /q/metrics}. */
public final class LearnerMetrics {

    private final Counter clickRewards;
    private final Counter noClickRewards;
    private final Counter unknownDecision;
    private final Counter unknownCandidate;
    private final Counter duplicateImpression;
    private final Counter orphanClick;
    private final Counter duplicateClick;
    private final Counter lateClick;
    private final Counter invalidValue;
    private final Counter valueAfterReward;
    private final Counter dimensionMismatch;
    private final Counter invalidReward;
    private final MeterRegistry registry;
    private final Map<String, Counter> repartitioned = new ConcurrentHashMap<>();
    private final Map<String, Counter> ignored = new ConcurrentHashMap<>();

    public LearnerMetrics(MeterRegistry registry) {
        this.registry = registry;
        clickRewards = rewards(registry, "click");
        noClickRewards = rewards(registry, "default"); // the default reward of a window without a click
        unknownDecision = dropped(registry, "impression-unknown-decision");
        unknownCandidate = dropped(registry, "impression-unknown-candidate");
        duplicateImpression = dropped(registry, "impression-duplicate");
        orphanClick = dropped(registry, "click-orphan");
        duplicateClick = dropped(registry, "click-duplicate");
        lateClick = dropped(registry, "click-late");
        invalidValue = dropped(registry, "click-invalid-value");
        valueAfterReward = dropped(registry, "click-value-after-reward");
        dimensionMismatch = dropped(registry, "reward-dimension-mismatch");
        invalidReward = dropped(registry, "reward-invalid");
        for (String topic : new String[] {"decisions", "impressions", "clicks"}) {
            repartitioned.put(topic, Counter.builder("vitrine.events.repartitioned").tag("topic", topic)
                    .description("Events read off their request's partition (e.g. written by a librdkafka producer), "
                            + "moved through a repartition topic before the join").register(registry));
        }
    }

    private static Counter rewards(MeterRegistry registry, String kind) {
        return Counter.builder("vitrine.rewards").tag("kind", kind)
                .description("Rewards emitted, by kind").register(registry);
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("vitrine.events.dropped").tag("reason", reason)
                .description("Events that produced no reward, by reason").register(registry);
    }

    void reward(RewardKind kind) {
        (kind == RewardKind.CLICK ? clickRewards : noClickRewards).increment();
    }

    void unknownDecision() {
        unknownDecision.increment();
    }

    void unknownCandidate() {
        unknownCandidate.increment();
    }

    void duplicateImpression() {
        duplicateImpression.increment();
    }

    void orphanClick() {
        orphanClick.increment();
    }

    void duplicateClick() {
        duplicateClick.increment();
    }

    void lateClick() {
        lateClick.increment();
    }

    /** A click whose value is not finite or outside the reward rule's bounds (a dead letter). */
    void invalidValue() {
        invalidValue.increment();
    }

    /** A click with a value for a window whose reward already left at its first click. */
    void valueAfterReward() {
        valueAfterReward.increment();
    }

    /**
     * An event of {@code topic} (decisions, impressions or clicks, or mapped-impressions and mapped-clicks from the
     * site's topics) sent through its repartition topic.
     */
    void repartitioned(String topic) {
        repartitioned.computeIfAbsent(topic, t -> Counter.builder("vitrine.events.repartitioned").tag("topic", t)
                .description("Events read off their request's partition (e.g. written by a librdkafka producer), "
                        + "moved through a repartition topic before the join").register(registry)).increment();
    }

    /** A record of a site's mapped topic that no mapping selects (another kind of event): skipped. */
    void ignored(String topic) {
        ignored.computeIfAbsent(topic, t -> Counter.builder("vitrine.events.ignored").tag("topic", t)
                .description("Records of a site's mapped topic that are none of the mapped kinds, skipped")
                .register(registry)).increment();
    }

    void dimensionMismatch() {
        dimensionMismatch.increment();
    }

    void invalidReward() {
        invalidReward.increment();
    }

    /** A reward re-encoded and learned by an encoder version's own application (replayed or live). */
    void versionReward(String version) {
        Counter.builder("vitrine.encoder.version.rewards").tag("version", version)
                .description("Rewards learned by an encoder version's application, replayed or live")
                .register(registry).increment();
    }

    /**
     * The rewards an encoder version still has to replay before it is ready (its rebuild lag), read when scraped;
     * running the result removes the series.
     */
    public Runnable replayRemaining(String version, DoubleSupplier remaining) {
        Gauge gauge = Gauge.builder("vitrine.encoder.version.replay.remaining", remaining, DoubleSupplier::getAsDouble)
                .tag("version", version)
                .description("Rewards an encoder version still has to replay before it is ready, 0 once ready")
                .register(registry);
        return () -> registry.remove(gauge); // a retired version's series goes with it
    }

    /** A record sent to the dead-letter topic by the topology (undecodable ones are counted by their handler). */
    void deadLetter(String reason) {
        Counter.builder("vitrine.dead.letters").tag("service", LearnerTopology.SERVICE).tag("reason", reason)
                .description("Records sent to the dead-letter topic, by reason").register(registry).increment();
    }
}
