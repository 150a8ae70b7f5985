package io.vitrine.evaluation;

import io.vitrine.avro.ApprenticeChoice;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.core.policy.ApprenticeComparison;
import io.vitrine.schemas.AvroArrays;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Vitrine's own logs as logged rounds: each reward of the {@code rewards} topic joined with its decision of the
 * {@code decisions} topic by request id. The round's actions are the decision's candidates (with their
 * features, so that a target can score them like the selector), the action is the rewarded candidate, and the
 * propensity is the one the selector logged. A decision becomes a round only once its reward is known; rounds
 * are ordered by decision time, so learning targets replay them in the order they were decided.
 *
 * <p>Rewards that cannot become a round are counted by reason rather than failing the whole log: a reward whose
 * decision is not in the input (outside the time range read), a reward of a slate decision (k &gt; 1, whose
 * propensities are of being anywhere in the top k, not of one action), a candidate the decision did not offer,
 * a propensity outside (0, 1].
 */
public final class VitrineLog {

    /**
     * The joined rounds, and how many rewards were left out, by reason. {@code apprentice} is aligned with
     * {@code rounds}: for a round decided in apprentice mode, Vitrine's would-be choice and the comparison's round;
     * null for a round Vitrine chose itself.
     */
    public record Result(List<LoggedRound> rounds, Map<String, Integer> skipped, List<ApprenticeRound> apprentice) {
        public int skippedTotal() {
            return skipped.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** The rounds decided in apprentice mode, in log order. */
        public List<ApprenticeComparison.Round> apprenticeRounds() {
            return apprentice.stream().filter(java.util.Objects::nonNull).map(ApprenticeRound::round).toList();
        }
    }

    /**
     * A round decided in apprentice mode: the index of Vitrine's would-be choice among the round's actions (the
     * logged action is the incumbent's, which was served), and the round as {@link ApprenticeComparison} sees it.
     */
    public record ApprenticeRound(int wouldChoose, ApprenticeComparison.Round round) {
    }

    private VitrineLog() {
    }

    public static Result join(List<Decision> decisions, List<Reward> rewards) {
        Map<String, Decision> byRequest = new HashMap<>();
        for (Decision decision : decisions) {
            byRequest.put(decision.getRequestId(), decision);
        }
        Map<String, Integer> skipped = new LinkedHashMap<>();
        record Joined(long time, String requestId, LoggedRound round, ApprenticeRound apprentice) {
        }
        List<Joined> joined = new ArrayList<>();
        for (Reward reward : rewards) {
            Decision decision = byRequest.get(reward.getRequestId());
            if (decision == null) {
                skipped.merge("reward without its decision in the input", 1, Integer::sum);
                continue;
            }
            if (decision.getK() != 1) {
                skipped.merge("reward of a slate decision (k > 1)", 1, Integer::sum);
                continue;
            }
            List<Candidate> candidates = decision.getCandidates();
            int action = -1;
            for (int a = 0; a < candidates.size(); a++) {
                if (candidates.get(a).getId().equals(reward.getCandidateId())) {
                    action = a;
                    break;
                }
            }
            if (action < 0) {
                skipped.merge("candidate not offered by its decision", 1, Integer::sum);
                continue;
            }
            double propensity = reward.getPropensity();
            if (!(propensity > 0 && propensity <= 1) || !Double.isFinite(reward.getReward())) {
                skipped.merge("propensity outside (0, 1] or reward not finite", 1, Integer::sum);
                continue;
            }
            float[][] features = new float[candidates.size()][];
            for (int a = 0; a < features.length; a++) {
                features[a] = AvroArrays.floats(candidates.get(a).getFeatures());
            }
            joined.add(new Joined(decision.getTimestamp().toEpochMilli(), decision.getRequestId(),
                    new LoggedRound(AvroArrays.floats(decision.getContext()), candidates.size(), action,
                            reward.getReward(), propensity, decision.getSlot(), features),
                    apprentice(decision, action, reward.getReward())));
        }
        joined.sort(Comparator.comparingLong(Joined::time).thenComparing(Joined::requestId));
        return new Result(joined.stream().map(Joined::round).toList(), skipped,
                joined.stream().map(Joined::apprentice).toList());
    }

    /** The apprentice side of a decision's round, or null for a decision Vitrine served itself. */
    private static ApprenticeRound apprentice(Decision decision, int served, double reward) {
        ApprenticeChoice apprentice = decision.getApprentice();
        if (apprentice == null || apprentice.getWouldChoose().isEmpty()) {
            return null;
        }
        String would = apprentice.getWouldChoose().get(0).getCandidateId();
        int wouldChoose = -1;
        for (int a = 0; a < decision.getCandidates().size(); a++) {
            if (decision.getCandidates().get(a).getId().equals(would)) {
                wouldChoose = a;
            }
        }
        if (wouldChoose < 0) {
            return null; // the selector only logs would-be choices among the request's candidates
        }
        return new ApprenticeRound(wouldChoose, new ApprenticeComparison.Round(reward, wouldChoose == served,
                apprentice.getIncumbentPropensity()));
    }
}
