package io.vitrine.evaluation;

/**
 * Inverse propensity scoring (Horvitz and Thompson 1952; for bandits e.g. Dudík, Langford and Li 2011):
 * <pre>
 *   V_IPS = (1/n) sum_t  w_t r_t,   w_t = pi(a_t | x_t) / mu(a_t | x_t)
 * </pre>
 * Unbiased when the logged propensities mu are right and mu &gt; 0 wherever pi &gt; 0; its variance grows with
 * the weights. With a clip M (Ionides 2008; Bottou et al. 2013, "clipped IPS") the weights are min(w_t, M):
 * less variance, a downward bias where the weights exceed M.
 * <p>
 * Its interval is the outer interval of Bottou et al. ("Counterfactual reasoning and learning systems", JMLR
 * 2013, section 4.4): the clipped estimate's own interval, widened by the bound the log gives of the clipping
 * bias. That bias is (1/n) sum_t (w_t - M)^+ r_t in expectation, so it lies between r_min and r_max times the
 * clipped mass m = (1/n) sum_t (w_t - M)^+ (r_min, r_max: the smallest and largest logged rewards, with 0 in
 * between). When no weight exceeds M the interval is the plain one; when many do, it honestly grows.
 */
public final class InversePropensity implements Estimator {

    private final double clip;

    private InversePropensity(double clip) {
        this.clip = clip;
    }

    /** Plain IPS. */
    public static InversePropensity plain() {
        return new InversePropensity(Double.POSITIVE_INFINITY);
    }

    /** IPS with the weights clipped at {@code clip}. */
    public static InversePropensity clipped(double clip) {
        if (!(clip > 0)) {
            throw new IllegalArgumentException("clip must be > 0, got " + clip);
        }
        return new InversePropensity(clip);
    }

    public double clip() {
        return clip;
    }

    @Override
    public String name() {
        return Double.isInfinite(clip) ? "IPS" : "clipped IPS (M = " + Diagnostics.format(clip) + ")";
    }

    @Override
    public double estimate(ScoredRound[] rounds, int[] sample) {
        if (sample.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i : sample) {
            sum += Math.min(rounds[i].weight(), clip) * rounds[i].round().reward();
        }
        return sum / sample.length;
    }

    @Override
    public double[] biasBounds(ScoredRound[] rounds) {
        if (Double.isInfinite(clip) || rounds.length == 0) {
            return new double[] {0, 0};
        }
        double mass = 0;
        double smallest = 0;
        double largest = 0;
        for (ScoredRound r : rounds) {
            mass += Math.max(0, r.weight() - clip);
            smallest = Math.min(smallest, r.round().reward());
            largest = Math.max(largest, r.round().reward());
        }
        mass /= rounds.length;
        return new double[] {smallest * mass, largest * mass};
    }

    @Override
    public Terms terms(ScoredRound[] rounds) {
        double[] a = new double[rounds.length];
        for (int t = 0; t < a.length; t++) {
            a[t] = Math.min(rounds[t].weight(), clip) * rounds[t].round().reward();
        }
        return Terms.ratio(a, null);
    }

    /** The terms are the weighted rewards themselves. */
    @Override
    public double[] estimateWithError(ScoredRound[] rounds, int[] sample) {
        double[] terms = new double[sample.length];
        for (int j = 0; j < sample.length; j++) {
            terms[j] = Math.min(rounds[sample[j]].weight(), clip) * rounds[sample[j]].round().reward();
        }
        return new double[] {estimate(rounds, sample), Estimator.standardError(terms, terms.length)};
    }
}
