package io.vitrine.core.policy;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * A share of decisions taken uniformly at random instead of by Thompson sampling: with probability
 * {@code share} a decision shows k candidates drawn uniformly without replacement, otherwise the Thompson
 * choice stands. The logged propensity of a shown candidate is then the mixture's
 * <pre>
 *   P(shown) = share k / K + (1 - share) p_TS,
 * </pre>
 * which is never below {@code share k / K}. That floor is what makes the logs usable for off-policy evaluation:
 * a learning Thompson policy soon gives poor candidates propensities so small that inverse-propensity weights
 * explode and their Monte Carlo estimates are mostly noise (docs/evaluation.md measures both).
 * <p>
 * The coin and the uniform draw come from a generator of their own, seeded from the decision's seed, so the
 * seed still reproduces the whole decision and the Thompson draws are the same as without exploration.
 */
public final class UniformExploration {

    /** No exploration: every decision is Thompson's. */
    public static final UniformExploration NONE = new UniformExploration(0);

    // Separates the exploration stream from the Thompson draws made with the same seed.
    private static final long STREAM = 0x9E3779B97F4A7C15L;

    private final double share;

    /** @param share probability in [0, 1) that a decision explores */
    public UniformExploration(double share) {
        if (!(share >= 0 && share < 1)) {
            throw new IllegalArgumentException("exploration share must be in [0, 1), got " + share);
        }
        this.share = share;
    }

    public double share() {
        return share;
    }

    /**
     * The k candidates an exploring decision shows, distinct indices in [0, K) in the order drawn, or null
     * when this decision follows Thompson sampling.
     */
    public int[] explored(int K, int k, long seed) {
        if (share == 0 || k == K) {
            return null; // with k = K every candidate is shown either way
        }
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed ^ STREAM);
        if (rng.nextDouble() >= share) {
            return null;
        }
        // Partial Fisher-Yates: the first k of a uniform permutation.
        int[] order = new int[K];
        for (int a = 0; a < K; a++) {
            order[a] = a;
        }
        for (int j = 0; j < k; j++) {
            int pick = j + rng.nextInt(K - j);
            int swap = order[j];
            order[j] = order[pick];
            order[pick] = swap;
        }
        int[] shown = new int[k];
        System.arraycopy(order, 0, shown, 0, k);
        return shown;
    }

    /** The probability that a candidate is shown, given its Thompson probability of being in the top k. */
    public double propensity(double thompson, int k, int K) {
        return share * k / K + (1 - share) * thompson;
    }
}
