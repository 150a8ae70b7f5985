package io.vitrine.learner.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vitrine.avro.ApprenticeChoice;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.avro.SlotControl;
import io.vitrine.core.policy.ApprenticeComparison;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.learner.streams.PosteriorUpdater;
import io.vitrine.learner.versions.VersionLearners;
import io.vitrine.schemas.Scopes;
import io.vitrine.service.control.SlotControls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** What the console shows, read at one instant from the learner's counters, slot controls, rewards and posteriors. */
public final class ConsoleView {

    /** The name of the attribution join's store of decisions (its processor keeps the name to itself). */
    static final String ATTRIBUTION_DECISIONS_STORE = "attribution-decisions";

    /** The whole page at one instant. */
    public record Snapshot(Instant at, Counters counters, List<SlotView> slots) {
    }

    /** The learner's counters (totals since it started, as on {@code /q/metrics}), each by its reason or kind. */
    public record Counters(Map<String, Double> rewards, Map<String, Double> dropped, Map<String, Double> heldBack,
                           Map<String, Double> deadLetters) {
    }

    /**
     * A slot: its settings, its newest scope's posterior, per second of impression its rewards and click rate, and
     * its candidates. {@code exploration} is null while the slot follows the selectors' configured share.
     */
    public record SlotView(String slot, String scope, String encoderVersion, boolean learning, String mode,
                           Double exploration, PosteriorView posterior, List<Long> seconds,
                           List<Integer> rewardsPerSecond, List<Double> clickRate, List<CandidateView> candidates,
                           ApprenticeComparison.Report apprentice) {
    }

    /**
     * One decision by request id: its candidates, what was served, in apprentice mode what Vitrine would have chosen,
     * propensities, the encoder and posterior versions, and its reward once joined (else null). {@code source} says
     * where it was found: the attribution join's store (while its window is open) or the decisions the console read.
     */
    public record DecisionView(String requestId, String slot, String scope, Instant decidedAt, String mode,
                               List<String> candidates, int k, List<ChosenView> served, List<ChosenView> wouldChoose,
                               Double incumbentPropensity, String encoderVersion, long posteriorVersion, String seed,
                               RewardView reward, String source) {
    }

    /** A chosen candidate as the decision logged it. */
    public record ChosenView(String candidateId, int rank, double score, double meanScore, double propensity) {
    }

    /** The reward of a decision's served candidate. */
    public record RewardView(String candidateId, double reward, String kind, Instant clickedAt) {
    }

    /** The posterior as {@code GET /v1/posteriors/{scope}} reports it (null when this instance does not hold it). */
    public record PosteriorView(long version, double n, Instant updatedAt) {
    }

    /**
     * A candidate: its share of the slot's rewards, and its posterior-mean score with the score's standard deviation
     * for the embedding it was last learned with (null when the posterior is not on this instance or not yet
     * defined).
     */
    public record CandidateView(String id, int shown, int clicks, double share, Double score, Double uncertainty) {
    }

    private final MeterRegistry registry;
    private final SlotControls controls;
    private final RecentRewards recent;
    private final KafkaStreams streams;
    private final VersionLearners versions;
    private final NigPrior prior;
    private final RecentDecisions decisions;

    public ConsoleView(MeterRegistry registry, SlotControls controls, RecentRewards recent, KafkaStreams streams,
                       VersionLearners versions, NigPrior prior, RecentDecisions decisions) {
        this.decisions = decisions;
        this.registry = registry;
        this.controls = controls;
        this.recent = recent;
        this.streams = streams;
        this.versions = versions;
        this.prior = prior;
    }

    public Snapshot snapshot() {
        Counters counters = new Counters(counters("vitrine.rewards", "kind"),
                counters("vitrine.events.dropped", "reason"), counters("vitrine.rewards.held.back", "reason"),
                counters("vitrine.dead.letters", "reason"));
        Map<String, SlotView> slots = new TreeMap<>();
        Map<String, ApprenticeComparison.Report> comparisons = decisions.comparisons();
        for (RecentRewards.Slot slot : recent.slots()) {
            slots.put(slot.slot(), view(slot, comparisons.get(slot.slot())));
        }
        controls.all().forEach((name, control) -> slots.computeIfAbsent(name, n -> view(new RecentRewards.Slot(n,
                null, null, List.of(), List.of()), comparisons.get(n))));
        return new Snapshot(Instant.now(), counters, List.copyOf(slots.values()));
    }

    private SlotView view(RecentRewards.Slot slot, ApprenticeComparison.Report apprentice) {
        Optional<SlotControl> control = controls.get(slot.slot());
        List<Long> seconds = new ArrayList<>();
        List<Integer> perSecond = new ArrayList<>();
        List<Double> clickRate = new ArrayList<>();
        for (RecentRewards.Second second : slot.seconds()) {
            seconds.add(second.epochSecond());
            perSecond.add(second.rewards());
            clickRate.add((double) second.clicks() / second.rewards());
        }
        Map<String, Optional<NormalInverseGammaPosterior>> posteriors = new LinkedHashMap<>();
        PosteriorView posteriorView = null;
        if (slot.scope() != null) {
            Optional<PosteriorSnapshot> snapshot = posterior(slot.scope());
            posteriorView = snapshot.map(s -> new PosteriorView(s.getVersion(), s.getN(), s.getUpdatedAt()))
                    .orElse(null);
        }
        int total = slot.candidates().stream().mapToInt(RecentRewards.Candidate::shown).sum();
        List<CandidateView> candidates = new ArrayList<>();
        for (RecentRewards.Candidate candidate : slot.candidates()) {
            Optional<NormalInverseGammaPosterior> posterior = posteriors.computeIfAbsent(candidate.scope(),
                    scope -> posterior(scope).map(ConsoleView::nig));
            Double score = null;
            Double uncertainty = null;
            if (posterior.isPresent() && posterior.get().dimension() == candidate.embedding().length) {
                score = posterior.get().meanScore(candidate.embedding());
                double variance = posterior.get().scoreVariance(candidate.embedding());
                uncertainty = Double.isFinite(variance) ? Math.sqrt(variance) : null; // JSON has no infinity
            }
            candidates.add(new CandidateView(candidate.id(), candidate.shown(), candidate.clicks(),
                    (double) candidate.shown() / total, score, uncertainty));
        }
        return new SlotView(slot.slot(), slot.scope(), slot.encoderVersion(),
                control.map(SlotControl::getLearning).orElse(true),
                control.map(c -> c.getMode().name().toLowerCase()).orElse("online"),
                control.map(SlotControl::getExploration).orElse(null), posteriorView, seconds, perSecond, clickRate,
                candidates, apprentice);
    }

    /**
     * The decision of a request id: from the attribution join's store on this instance (it holds a decision until
     * its attribution window closes), else from the decisions the console read; empty when neither holds it.
     */
    public Optional<DecisionView> decision(String requestId) {
        Decision decision = null;
        String source = "attribution store";
        try {
            // The attribution join's store (AttributionProcessor.DECISIONS_STORE), keyed by request id.
            ReadOnlyKeyValueStore<String, Decision> store = streams.store(StoreQueryParameters
                    .fromNameAndType(ATTRIBUTION_DECISIONS_STORE, QueryableStoreTypes.keyValueStore()));
            decision = store.get(requestId);
        } catch (InvalidStateStoreException e) {
            // restoring or rebalancing: the console's own copy answers
        }
        if (decision == null) {
            decision = decisions.decision(requestId).orElse(null);
            source = "recent decisions";
        }
        if (decision == null) {
            return Optional.empty();
        }
        ApprenticeChoice apprentice = decision.getApprentice();
        RewardView reward = decisions.reward(requestId).map(r -> new RewardView(r.candidateId(), r.reward(),
                r.kind().name().toLowerCase(), r.clickedAt())).orElse(null);
        return Optional.of(new DecisionView(decision.getRequestId(), decision.getSlot(), decision.getScope(),
                decision.getTimestamp(), apprentice == null ? "online" : "apprentice",
                decision.getCandidates().stream().map(io.vitrine.avro.Candidate::getId).toList(), decision.getK(),
                chosen(decision.getChosen()), apprentice == null ? null : chosen(apprentice.getWouldChoose()),
                apprentice == null ? null : apprentice.getIncumbentPropensity(), decision.getEncoderVersion(),
                decision.getPosteriorVersion(), Long.toString(decision.getSeed()), reward, source));
    }

    private static List<ChosenView> chosen(List<ChosenCandidate> chosen) {
        return chosen.stream().map(c -> new ChosenView(c.getCandidateId(), c.getRank(), c.getSampledScore(),
                c.getMeanScore(), c.getPropensity())).toList();
    }

    /** The scope's posterior from this instance's store; empty when another instance holds it or none exists. */
    private Optional<PosteriorSnapshot> posterior(String scope) {
        KafkaStreams owner = versions.streams(Scopes.encoderVersion(scope)).orElse(streams);
        try {
            ReadOnlyKeyValueStore<String, PosteriorStatistics> store = owner.store(StoreQueryParameters
                    .fromNameAndType(PosteriorUpdater.STATISTICS_STORE, QueryableStoreTypes.keyValueStore()));
            return Optional.ofNullable(store.get(scope)).map(stored -> PosteriorUpdater.snapshot(stored, prior));
        } catch (InvalidStateStoreException e) {
            return Optional.empty(); // restoring or rebalancing: the next update has it
        }
    }

    private static NormalInverseGammaPosterior nig(PosteriorSnapshot s) {
        return NormalInverseGammaPosterior.of(s.getDimension(), toArray(s.getMu()), toArray(s.getCholeskyLower()),
                s.getA(), s.getBn(), s.getVersion());
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private Map<String, Double> counters(String name, String tag) {
        Map<String, Double> byTag = new TreeMap<>();
        for (Counter counter : registry.find(name).counters()) {
            byTag.merge(counter.getId().getTag(tag), counter.count(), Double::sum);
        }
        return byTag;
    }
}
