package io.vitrine.core.policy;

import java.util.Arrays;

/**
 * The outcome of one Thompson-sampling decision. All arrays have length k and are aligned with {@code chosen}.
 * The arrays are not copied (the hot path avoids it): treat them as read-only.
 *
 * @param chosen            candidate indices (rows of the embedding matrix), best first
 * @param sampledScores     {@code z_a . beta} for the one beta drawn for this decision
 * @param meanScores        {@code z_a . mu}, the posterior mean score
 * @param propensities      Monte Carlo estimate of P(candidate is in the top k) under the sampling policy,
 *                          in (0, 1]; see {@link ThompsonSampler}
 * @param seed              seed of the decision's random generator: with the posterior version it reproduces
 *                          the decision
 * @param propensitySamples number M of extra posterior draws behind the propensities
 */
public record Choice(int[] chosen, double[] sampledScores, double[] meanScores, double[] propensities, long seed,
                     int propensitySamples) {

    public Choice {
        if (chosen == null || sampledScores == null || meanScores == null || propensities == null) {
            throw new IllegalArgumentException("choice arrays must not be null");
        }
        int k = chosen.length;
        if (k < 1 || sampledScores.length != k || meanScores.length != k || propensities.length != k) {
            throw new IllegalArgumentException("choice arrays must all have the same length k >= 1, got chosen="
                    + k + ", sampledScores=" + sampledScores.length + ", meanScores=" + meanScores.length
                    + ", propensities=" + propensities.length);
        }
    }

    /** Number of chosen candidates. */
    public int k() {
        return chosen.length;
    }

    /** Index of the best candidate, {@code chosen[0]}. */
    public int best() {
        return chosen[0];
    }

    // Records compare arrays by reference; a decision is a value, so compare contents.
    @Override
    public boolean equals(Object o) {
        return o instanceof Choice c
                && seed == c.seed
                && propensitySamples == c.propensitySamples
                && Arrays.equals(chosen, c.chosen)
                && Arrays.equals(sampledScores, c.sampledScores)
                && Arrays.equals(meanScores, c.meanScores)
                && Arrays.equals(propensities, c.propensities);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(chosen);
        h = 31 * h + Arrays.hashCode(sampledScores);
        h = 31 * h + Arrays.hashCode(meanScores);
        h = 31 * h + Arrays.hashCode(propensities);
        h = 31 * h + Long.hashCode(seed);
        return 31 * h + propensitySamples;
    }

    @Override
    public String toString() {
        return "Choice{chosen=" + Arrays.toString(chosen)
                + ", sampledScores=" + Arrays.toString(sampledScores)
                + ", meanScores=" + Arrays.toString(meanScores)
                + ", propensities=" + Arrays.toString(propensities)
                + ", seed=" + seed + ", propensitySamples=" + propensitySamples + "}";
    }
}
