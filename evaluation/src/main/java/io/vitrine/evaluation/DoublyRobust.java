package io.vitrine.evaluation;

/**
 * Doubly robust (Dudík, Langford and Li, "Doubly robust policy evaluation and learning", ICML 2011): the direct
 * method plus an importance-weighted correction of the model's error on the logged action,
 * <pre>
 *   V_DR = (1/n) sum_t [ sum_a pi(a | x_t) r^(x_t, a) + w_t (r_t - r^(x_t, a_t)) ]
 * </pre>
 * Unbiased when the propensities are right (whatever the model), and with less variance than IPS when the
 * model is good. The model is cross-fitted ({@link RewardModels}): each round is predicted by the model fitted
 * without its fold, as the direct method's is, and its term ({@link ScoredRound#doublyRobust}) is computed once
 * when the round is scored.
 */
public final class DoublyRobust implements Estimator {

    @Override
    public String name() {
        return "doubly robust";
    }

    @Override
    public double estimate(ScoredRound[] rounds, int[] sample) {
        if (sample.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i : sample) {
            sum += rounds[i].doublyRobust();
        }
        return sum / sample.length;
    }

    @Override
    public double[] estimateWithError(ScoredRound[] rounds, int[] sample) {
        return new double[] {estimate(rounds, sample), Estimator.doublyRobustError(rounds, sample)};
    }

    @Override
    public Terms terms(ScoredRound[] rounds) {
        double[] a = new double[rounds.length];
        for (int t = 0; t < a.length; t++) {
            a[t] = rounds[t].doublyRobust();
        }
        return Terms.ratio(a, null);
    }
}
