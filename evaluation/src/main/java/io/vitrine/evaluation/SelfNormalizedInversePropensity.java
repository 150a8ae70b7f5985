package io.vitrine.evaluation;

/**
 * Self-normalised IPS (Swaminathan and Joachims, "The self-normalized estimator for counterfactual learning",
 * NeurIPS 2015):
 * <pre>
 *   V_SNIPS = sum_t w_t r_t / sum_t w_t
 * </pre>
 * A ratio estimator: biased of order 1/n but consistent, and invariant to adding a constant to the rewards;
 * usually far less variance than IPS when the weights are large.
 */
public final class SelfNormalizedInversePropensity implements Estimator {

    @Override
    public String name() {
        return "SNIPS";
    }

    @Override
    public double estimate(ScoredRound[] rounds, int[] sample) {
        double weighted = 0;
        double weights = 0;
        for (int i : sample) {
            double w = rounds[i].weight();
            weighted += w * rounds[i].round().reward();
            weights += w;
        }
        return weights > 0 ? weighted / weights : Double.NaN;
    }
}
