package io.vitrine.evaluation;

import java.util.List;

/**
 * Vitrine's policy as its log shows it: in a round decided in apprentice mode, its would-be choice (a draw from its
 * Thompson policy, logged beside the incumbent's served choice) with probability 1; in a round Vitrine served
 * itself, the logged action. Evaluated off-policy with the incumbent's propensities, its IPS estimate is
 * {@code (1/n) sum_t 1[would_t = served_t] r_t / p_t}, the value of Vitrine's sampling policy (the would-be choice
 * is one draw of it, so averaging over rounds averages over its randomness too).
 */
final class WouldChooseTarget implements TargetPolicy {

    private final List<VitrineLog.ApprenticeRound> apprentice;

    /** @param apprentice aligned with the evaluated rounds, null entries for rounds Vitrine served */
    WouldChooseTarget(List<VitrineLog.ApprenticeRound> apprentice) {
        this.apprentice = apprentice;
    }

    @Override
    public String name() {
        return "vitrine (would-be choice)";
    }

    @Override
    public double[] probabilities(LoggedRound round) {
        throw new UnsupportedOperationException("the would-be choice is read per round: probabilities(t, round)");
    }

    @Override
    public double[] probabilities(int t, LoggedRound round) {
        VitrineLog.ApprenticeRound shadow = apprentice.get(t);
        double[] p = new double[round.actions()];
        p[shadow == null ? round.action() : shadow.wouldChoose()] = 1;
        return p;
    }
}
