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

    @Override
    public Terms terms(ScoredRound[] rounds) {
        double[] a = new double[rounds.length];
        double[] b = new double[rounds.length];
        for (int t = 0; t < a.length; t++) {
            b[t] = rounds[t].weight();
            a[t] = b[t] * rounds[t].round().reward();
        }
        return Terms.ratio(a, b);
    }

    /** Delta method: the terms are w_t (r_t - V) / mean(w). */
    @Override
    public double[] estimateWithError(ScoredRound[] rounds, int[] sample) {
        double value = estimate(rounds, sample);
        if (!Double.isFinite(value)) {
            return new double[] {value, Double.NaN};
        }
        double meanWeight = 0;
        for (int i : sample) {
            meanWeight += rounds[i].weight();
        }
        meanWeight /= sample.length;
        double[] terms = new double[sample.length];
        for (int j = 0; j < sample.length; j++) {
            ScoredRound r = rounds[sample[j]];
            terms[j] = r.weight() * (r.round().reward() - value) / meanWeight;
        }
        return new double[] {value, Estimator.standardError(terms, terms.length)};
    }
}
