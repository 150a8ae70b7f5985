package io.vitrine.evaluation;

/**
 * The direct method (e.g. Dudík, Langford and Li, "Doubly robust policy evaluation and learning", ICML 2011):
 * fit a reward model r^ on the log, then average the target policy's expected modelled reward,
 * <pre>
 *   V_DM = (1/n) sum_t sum_a pi(a | x_t) r^(x_t, a)
 * </pre>
 * Low variance, no propensities needed, but biased as far as the model is wrong. The model
 * ({@link RidgeRewardModel}) is refitted on every sample, so the bootstrap interval includes its uncertainty.
 */
public final class DirectMethod implements Estimator {

    private final double lambda;

    public DirectMethod(double lambda) {
        this.lambda = lambda;
    }

    @Override
    public String name() {
        return "direct method";
    }

    @Override
    public double estimate(ScoredRound[] rounds, int[] sample) {
        return estimateWithError(rounds, sample, false)[0];
    }

    @Override
    public double[] estimateWithError(ScoredRound[] rounds, int[] sample) {
        return estimateWithError(rounds, sample, false);
    }

    /**
     * With {@code corrected}, adds doubly robust's weighted correction of the model's error ({@link DoublyRobust}).
     * The standard error of both comes from doubly robust's terms,
     * {@code sum_a pi(a | x_t) r^(x_t, a) + w_t (r_t - r^(x_t, a_t))}: the direct method's own terms leave out
     * the model's estimation error, which is what the correction term carries (for a model fitted with
     * inverse-propensity weights the two estimators coincide whenever pi is constant).
     */
    double[] estimateWithError(ScoredRound[] rounds, int[] sample, boolean corrected) {
        if (sample.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        RidgeRewardModel model = RidgeRewardModel.fit(rounds, sample, lambda);
        double sum = 0;
        double[] terms = new double[sample.length];
        for (int j = 0; j < sample.length; j++) {
            ScoredRound r = rounds[sample[j]];
            double[] predicted = model.predict(r.round());
            double[] target = r.target();
            double modelled = 0;
            for (int a = 0; a < predicted.length; a++) {
                modelled += target[a] * predicted[a];
            }
            double correction = r.weight() * (r.round().reward() - predicted[r.round().action()]);
            sum += corrected ? modelled + correction : modelled;
            terms[j] = modelled + correction;
        }
        return new double[] {sum / sample.length, Estimator.standardError(terms, terms.length)};
    }
}
