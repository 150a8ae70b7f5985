package io.vitrine.learner.console;

import io.vitrine.avro.ApprenticeChoice;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.policy.ApprenticeComparison;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decisions and rewards the console read, by request id: one decision shown with its reward, and per slot in
 * apprentice mode the comparison of Vitrine with the incumbent ({@link ApprenticeComparison}) over every rewarded
 * round whose decision and reward are both held. Bounded: the oldest entries go first, at most
 * {@value #MAX_DECISIONS} whole decisions and {@value #MAX_ROUNDS} rounds of the comparison.
 */
public final class RecentDecisions {

    /** Whole decisions kept for the explanation view (a decision of 20 candidates is a few kilobytes). */
    static final int MAX_DECISIONS = 20_000;
    /** Apprentice decisions and rewards kept for the comparison (about a hundred bytes each). */
    static final int MAX_ROUNDS = 200_000;

    /** What the comparison needs of an apprentice decision. */
    private record Shadow(String slot, String wouldChoose, Double incumbentPropensity) {
    }

    /** What the comparison and the explanation need of a reward. */
    record Rewarded(String slot, String candidateId, double reward, RewardKind kind, Instant decidedAt,
                    Instant clickedAt) {
    }

    private final Map<String, Decision> decisions = bounded(MAX_DECISIONS);
    private final Map<String, Shadow> shadows = bounded(MAX_ROUNDS);
    private final Map<String, Rewarded> rewards = bounded(MAX_ROUNDS);

    private static <V> Map<String, V> bounded(int max) {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }

    public synchronized void decided(Decision decision) {
        decisions.put(decision.getRequestId(), decision);
        ApprenticeChoice apprentice = decision.getApprentice();
        if (apprentice != null && !apprentice.getWouldChoose().isEmpty()) {
            shadows.put(decision.getRequestId(), new Shadow(decision.getSlot(),
                    apprentice.getWouldChoose().get(0).getCandidateId(), apprentice.getIncumbentPropensity()));
        }
    }

    public synchronized void rewarded(Reward reward) {
        rewards.put(reward.getRequestId(), new Rewarded(reward.getSlot(), reward.getCandidateId(), reward.getReward(),
                reward.getKind(), reward.getDecisionTimestamp(), reward.getClickTimestamp()));
    }

    /** The decision of a request id, if the console read it and still holds it. */
    public synchronized Optional<Decision> decision(String requestId) {
        return Optional.ofNullable(decisions.get(requestId));
    }

    /** The reward of a request id, if the console read it and still holds it. */
    synchronized Optional<Rewarded> reward(String requestId) {
        return Optional.ofNullable(rewards.get(requestId));
    }

    /**
     * Per slot with rewarded apprentice rounds, Vitrine beside the incumbent. Rounds are taken in the order
     * {@code vitrine evaluate} takes them (decision time, then request id), so that both sum alike.
     */
    public Map<String, ApprenticeComparison.Report> comparisons() {
        record Joined(String slot, Instant decidedAt, String requestId, ApprenticeComparison.Round round) {
        }
        List<Joined> joined = new ArrayList<>();
        synchronized (this) {
            rewards.forEach((requestId, reward) -> {
                Shadow shadow = shadows.get(requestId);
                if (shadow != null) {
                    joined.add(new Joined(shadow.slot(), reward.decidedAt(), requestId, new ApprenticeComparison.Round(
                            reward.reward(), shadow.wouldChoose().equals(reward.candidateId()),
                            shadow.incumbentPropensity())));
                }
            });
        }
        joined.sort(Comparator.comparing(Joined::decidedAt).thenComparing(Joined::requestId));
        Map<String, List<ApprenticeComparison.Round>> bySlot = new HashMap<>();
        for (Joined j : joined) {
            bySlot.computeIfAbsent(j.slot(), s -> new ArrayList<>()).add(j.round());
        }
        Map<String, ApprenticeComparison.Report> reports = new HashMap<>();
        bySlot.forEach((slot, rounds) -> reports.put(slot, ApprenticeComparison.of(rounds)));
        return reports;
    }
}
