package io.vitrine.evaluation;

/**
 * The direct method (e.g. Dudík, Langford and Li, "Doubly robust policy evaluation and learning", ICML 2011):
 * fit a reward model r^ on the log, then average the target policy's expected modelled reward,
 * <pre>
 *   V_DM = (1/n) sum_t sum_a pi(a | x_t) r^(x_t, a)
 * </pre>
 * Low variance, no propensities needed, but biased as far as the model is wrong. The model
 * ({@link RidgeRewardModel}, fitted once on the whole log by {@link RewardModels}) gives each round its term
 * when the round is scored ({@link ScoredRound#modelled}); the bootstrap resamples these terms.
 * <p>
 * Its interval is studentized by doubly robust's terms ({@link ScoredRound#doublyRobust}): the direct method's
 * own terms leave out the model's estimation error, which is what doubly robust's correction carries. Resampling
 * its own terms with the model held fixed would measure only how the contexts vary and give an interval far
 * too narrow wherever the model is wrong.
 */
public final class DirectMethod implements Estimator {

    @Override
    public String name() {
        return "direct method";
    }

    @Override
    public double estimate(ScoredRound[] rounds, int[] sample) {
        if (sample.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i : sample) {
            sum += rounds[i].modelled();
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
        double[] e = new double[rounds.length];
        for (int t = 0; t < a.length; t++) {
            a[t] = rounds[t].modelled();
            e[t] = rounds[t].doublyRobust();
        }
        return new Terms(a, null, e, null, true);
    }
}
