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
        return estimate(rounds, sample, false);
    }

    /** With {@code corrected}, adds doubly robust's weighted correction of the model's error ({@link DoublyRobust}). */
    double estimate(ScoredRound[] rounds, int[] sample, boolean corrected) {
        if (sample.length == 0) {
            return Double.NaN;
        }
        RidgeRewardModel model = RidgeRewardModel.fit(rounds, sample, lambda);
        double sum = 0;
        for (int i : sample) {
            ScoredRound r = rounds[i];
            double[] predicted = model.predict(r.round());
            double[] target = r.target();
            for (int a = 0; a < predicted.length; a++) {
                sum += target[a] * predicted[a];
            }
            if (corrected) {
                sum += r.weight() * (r.round().reward() - predicted[r.round().action()]);
            }
        }
        return sum / sample.length;
    }
}
