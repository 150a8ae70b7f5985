package io.vitrine.evaluation;

/**
 * Inverse propensity scoring (Horvitz and Thompson 1952; for bandits e.g. Dudík, Langford and Li 2011):
 * <pre>
 *   V_IPS = (1/n) sum_t  w_t r_t,   w_t = pi(a_t | x_t) / mu(a_t | x_t)
 * </pre>
 * Unbiased when the logged propensities mu are right and mu &gt; 0 wherever pi &gt; 0; its variance grows with
 * the weights. With a clip M (Ionides 2008; Bottou et al. 2013, "clipped IPS") the weights are min(w_t, M):
 * less variance, a downward bias where the weights exceed M.
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
