package io.vitrine.cli.sim;

/**
 * Click-through figures over a set of decisions. Expected CTR is the mean hidden click probability of
 * what Vitrine chose: the same quantity as the realized CTR but without the coin flips, so it shows
 * learning with far fewer decisions.
 *
 * @param decisions   decisions counted
 * @param expectedCtr mean hidden click probability of the chosen candidates
 * @param realizedCtr clicks per decision
 * @param uniformCtr  mean over the same visitors of the mean click probability (a uniformly random policy)
 * @param oracleCtr   mean over the same visitors of the largest click probability
 * @param bestShare   share of decisions that chose the visitor's best candidate
 * @param gapClosed   {@code (expected - uniform) / (oracle - uniform)}: 0 is uniform, 1 is the oracle
 */
public record WindowStats(long decisions, double expectedCtr, double realizedCtr, double uniformCtr,
                          double oracleCtr, double bestShare, double gapClosed) {

    /** Figures from sums; all zero when there is no decision. */
    static WindowStats of(long decisions, double expected, long clicks, double uniform, double oracle, long best) {
        if (decisions == 0) {
            return new WindowStats(0, 0, 0, 0, 0, 0, 0);
        }
        double n = decisions;
        double gap = oracle - uniform;
        double closed = gap > 1e-12 ? (expected - uniform) / gap : 0;
        return new WindowStats(decisions, expected / n, clicks / n, uniform / n, oracle / n, best / n, closed);
    }
}
