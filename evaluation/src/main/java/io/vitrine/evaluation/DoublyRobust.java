package io.vitrine.evaluation;

/**
 * Doubly robust (Dudík, Langford and Li, "Doubly robust policy evaluation and learning", ICML 2011): the direct
 * method plus an importance-weighted correction of the model's error on the logged action,
 * <pre>
 *   V_DR = (1/n) sum_t [ sum_a pi(a | x_t) r^(x_t, a) + w_t (r_t - r^(x_t, a_t)) ],   w_t = pi(a_t|x_t) / mu(a_t|x_t)
 * </pre>
 * Unbiased when either the propensities or the reward model are right, with less variance than IPS when the
 * model is good. The model ({@link RidgeRewardModel}) is refitted on every sample.
 */
public final class DoublyRobust implements Estimator {

    private final double lambda;

    public DoublyRobust(double lambda) {
        this.lambda = lambda;
    }

    @Override
    public String name() {
        return "doubly robust";
    }

    @Override
    public double estimate(ScoredRound[] rounds, int[] sample) {
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
            int logged = r.round().action();
            sum += r.weight() * (r.round().reward() - predicted[logged]);
        }
        return sum / sample.length;
    }
}
