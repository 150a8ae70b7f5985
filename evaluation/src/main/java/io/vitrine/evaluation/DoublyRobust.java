package io.vitrine.evaluation;

/**
 * Doubly robust (Dudík, Langford and Li, "Doubly robust policy evaluation and learning", ICML 2011): the direct
 * method plus an importance-weighted correction of the model's error on the logged action,
 * <pre>
 *   V_DR = V_DM + (1/n) sum_t w_t (r_t - r^(x_t, a_t)),   w_t = pi(a_t | x_t) / mu(a_t | x_t)
 * </pre>
 * Unbiased when either the propensities or the reward model are right, with less variance than IPS when the
 * model is good. The model ({@link RidgeRewardModel}) is the direct method's, refitted on every sample.
 */
public final class DoublyRobust implements Estimator {

    private final DirectMethod direct;

    public DoublyRobust(double lambda) {
        this.direct = new DirectMethod(lambda);
    }

    @Override
    public String name() {
        return "doubly robust";
    }

    @Override
    public double estimate(ScoredRound[] rounds, int[] sample) {
        return direct.estimateWithError(rounds, sample, true)[0];
    }

    @Override
    public double[] estimateWithError(ScoredRound[] rounds, int[] sample) {
        return direct.estimateWithError(rounds, sample, true);
    }
}
