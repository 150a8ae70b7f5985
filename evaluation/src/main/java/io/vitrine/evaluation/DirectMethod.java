package io.vitrine.evaluation;

/**
 * The direct method (e.g. Dudík, Langford and Li, "Doubly robust policy evaluation and learning", ICML 2011):
 * fit a reward model r^ on the log, then average the target policy's expected modelled reward,
 * <pre>
 *   V_DM = (1/n) sum_t sum_a pi(a | x_t) r^(x_t, a)
 * </pre>
 * Low variance, no propensities needed, but biased as far as the model is wrong. The model
 * ({@link LogisticRewardModel} for clicks, {@link RidgeRewardModel} otherwise, cross-fitted by {@link RewardModels}
 * so that a round's term comes from a model that did not see it) gives each round its term when the round is
 * scored ({@link ScoredRound#modelled}); the bootstrap resamples these terms.
 * <p>
 * Its interval is studentized by doubly robust's terms ({@link ScoredRound#doublyRobust}): the direct method's
 * own terms leave out the model's estimation error, which is what doubly robust's correction carries. Resampling
 * its own terms with the model held fixed would measure only how the contexts vary and give an interval far
 * too narrow wherever the model is wrong.
 * <p>
 * The interval is then widened by the model's bias as the log measures it, doubly robust's mean correction
 * d = (1/n) sum_t w_t (r_t - r^(x_t, a_t)) (an outer interval, as clipped IPS's): the estimate plus d is doubly
 * robust's, which is unbiased, so the truth is as likely on that side. Why: the reward model is regularised, and
 * its shrinkage towards the average action, which keeps it from crediting a target with clicks it learned from,
 * also biases the direct method of a target that exploits real differences between actions when the log is
 * small (about -0.025 at 400 rounds and -0.009 at 2,000 of 20% clicks, 4 actions, a softmax target of true value
 * 0.234: {@code RewardModelsTest}).
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

    /** {min(0, d), max(0, d)}, d doubly robust's mean correction of the model. */
    @Override
    public double[] biasBounds(ScoredRound[] rounds) {
        if (rounds.length == 0) {
            return new double[] {0, 0};
        }
        double d = 0;
        for (ScoredRound r : rounds) {
            d += r.doublyRobust() - r.modelled();
        }
        d /= rounds.length;
        return new double[] {Math.min(0, d), Math.max(0, d)};
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
