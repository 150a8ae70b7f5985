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
 * Its interval is doubly robust's, stretched to hold the direct method's own estimate where that lies outside. A
 * model-based estimate has no honest interval of its own short of refitting the model on every resample: its own
 * terms, the model held fixed, leave out the model's estimation error and its bias, and both are what doubly
 * robust's correction d = (1/n) sum_t w_t (r_t - r^(x_t, a_t)) carries (the estimate plus d is doubly robust's,
 * which is unbiased). So the bootstrap studentizes the direct method by doubly robust's terms, and
 * {@link #reported} moves that interval by d, onto doubly robust's, and stretches it to the direct method's value.
 * The estimate outside the rest of its interval is the model's bias showing, which {@link Trust} reports.
 * Why not the hull of the interval around each (the direct method's value and doubly robust's, each with doubly
 * robust's width), as before: it held the truth in 98.3% to 98.6% of the coverage study's logs where 95% was asked
 * (docs/evaluation.md). The model is regularised, and its shrinkage towards the average action, which keeps it
 * from crediting a target with clicks it learned from, also biases the direct method of a target that exploits
 * real differences between actions when the log is small (about -0.025 at 400 rounds and -0.009 at 2,000 of 20%
 * clicks, 4 actions, a softmax target of true value 0.234: {@code RewardModelsTest}), which is why an interval
 * around the direct method's own value alone would not do.
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

    /** Doubly robust's interval (the bootstrap's, moved by d), stretched to hold the direct method's estimate. */
    @Override
    public double[] reported(double[] interval, ScoredRound[] rounds) {
        if (rounds.length == 0) {
            return interval;
        }
        double d = correction(rounds);
        double value = estimate(rounds, Evaluator.everyRound(rounds.length));
        return new double[] {Math.min(interval[0] + d, value), Math.max(interval[1] + d, value)};
    }

    /** d, doubly robust's mean correction of the model: doubly robust's estimate minus the direct method's. */
    static double correction(ScoredRound[] rounds) {
        double d = 0;
        for (ScoredRound r : rounds) {
            d += r.doublyRobust() - r.modelled();
        }
        return d / rounds.length;
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
