package io.vitrine.core.policy;

import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ContinuousSampler;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Thompson sampling with one posterior per candidate, as in Riquelme et al. (2018): candidate a has its own
 * {@code beta_a ~ NIG(mu_a, Lambda_a, a_a, b_a)}, drawn independently, and scores {@code z_a . beta_a}.
 * <p>
 * Only the score matters, and for one candidate {@code z . beta = m + sqrt(s2) (w . eps)} with
 * {@code m = z . mu}, {@code w = L^-1 z}, {@code eps ~ N(0, I)}; {@code w . eps} is N(0, |w|^2), so a draw is
 * {@code m_a + sqrt(s2_a) |w_a| g_a} with one gamma and one normal variate per candidate: O(K) per draw after
 * O(K d^2) set-up, exactly the distribution of drawing every beta_a.
 * <p>
 * Propensities are estimated as in {@link ThompsonSampler}: the decision's own draw plus M further draws of
 * the same generator, {@code (1 + wins) / (1 + M)}, and mixed with a {@link UniformExploration} share the same
 * way. Thread-safe: no mutable state.
 */
public final class PerCandidateThompsonSampler {

    private final int propensitySamples;
    private final UniformExploration exploration;

    /** @param propensitySamples M &gt;= 1, the number of extra draws behind each propensity */
    public PerCandidateThompsonSampler(int propensitySamples) {
        this(propensitySamples, UniformExploration.NONE);
    }

    /**
     * @param propensitySamples M &gt;= 1, the number of extra draws behind each propensity
     * @param exploration       the share of decisions taken uniformly at random
     */
    public PerCandidateThompsonSampler(int propensitySamples, UniformExploration exploration) {
        if (propensitySamples < 1) {
            throw new IllegalArgumentException("propensitySamples must be >= 1, got " + propensitySamples);
        }
        if (exploration == null) {
            throw new IllegalArgumentException("exploration must not be null (UniformExploration.NONE for none)");
        }
        this.propensitySamples = propensitySamples;
        this.exploration = exploration;
    }

    /**
     * Chooses the top k of K candidates, candidate a scored by {@code posteriors[a]}.
     *
     * @param posteriors one per candidate, all of the embeddings' dimension
     * @param embeddings K x d
     */
    public Choice choose(NormalInverseGammaPosterior[] posteriors, float[][] embeddings, int k, long seed) {
        int K = requireCandidates(posteriors, embeddings, k);
        double[] m = new double[K];
        double[] spread = new double[K];
        for (int a = 0; a < K; a++) {
            NormalInverseGammaPosterior posterior = posteriors[a];
            double[] w = new double[posterior.dimension()];
            posterior.whiten(embeddings[a], w);
            double norm2 = 0;
            for (double wi : w) {
                norm2 += wi * wi;
            }
            m[a] = posterior.meanScore(embeddings[a]);
            spread[a] = Math.sqrt(norm2);
        }
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ContinuousSampler[] gammas = new ContinuousSampler[K];
        for (int a = 0; a < K; a++) {
            gammas[a] = posteriors[a].gammaSampler(rng);
        }
        ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(rng);
        double[] scores = new double[K];
        int[] chosen = new int[k];
        double[] sampledScores = new double[k];
        draw(m, spread, gammas, gaussian, scores);
        ThompsonSampler.topK(scores, k, chosen, sampledScores);
        int[] thompsonTop = chosen;
        int[] explored = exploration.explored(K, k, seed);
        if (explored != null) {
            chosen = ThompsonSampler.rankedByScore(explored, scores);
        }
        double[] meanScores = new double[k];
        for (int j = 0; j < k; j++) {
            meanScores[j] = m[chosen[j]];
            sampledScores[j] = scores[chosen[j]];
        }

        double[] propensities = new double[k];
        if (k == K) {
            Arrays.fill(propensities, 1.0);
        } else {
            int[] wins = new int[k];
            int[] topIndex = new int[k];
            double[] topScore = new double[k];
            int[] inTopAt = new int[K];
            for (int j = 0; j < k; j++) {
                // The decision's own draw counts for the candidates in its Thompson top k.
                wins[j] = isIn(thompsonTop, chosen[j]) ? 1 : 0;
            }
            for (int t = 1; t <= propensitySamples; t++) {
                draw(m, spread, gammas, gaussian, scores);
                ThompsonSampler.topK(scores, k, topIndex, topScore);
                for (int j = 0; j < k; j++) {
                    inTopAt[topIndex[j]] = t;
                }
                for (int j = 0; j < k; j++) {
                    if (inTopAt[chosen[j]] == t) {
                        wins[j]++;
                    }
                }
            }
            for (int j = 0; j < k; j++) {
                propensities[j] = exploration.propensity(wins[j] / (1.0 + propensitySamples), k, K);
            }
        }
        return new Choice(chosen, sampledScores, meanScores, propensities, seed, propensitySamples);
    }

    private static boolean isIn(int[] indices, int a) {
        for (int i : indices) {
            if (i == a) {
                return true;
            }
        }
        return false;
    }

    /** scores_a = m_a + sqrt(s2_a) |w_a| g_a, each candidate with its own noise variance. */
    private static void draw(double[] m, double[] spread, ContinuousSampler[] gammas,
                             ZigguratSampler.NormalizedGaussian gaussian, double[] scores) {
        for (int a = 0; a < m.length; a++) {
            double s2 = NormalInverseGammaPosterior.sampleNoiseVariance(gammas[a]);
            scores[a] = m[a] + Math.sqrt(s2) * spread[a] * gaussian.sample();
        }
    }

    private static int requireCandidates(NormalInverseGammaPosterior[] posteriors, float[][] embeddings, int k) {
        if (posteriors == null || embeddings == null || embeddings.length == 0) {
            throw new IllegalArgumentException("at least one candidate with its posterior is required");
        }
        int K = embeddings.length;
        if (posteriors.length != K) {
            throw new IllegalArgumentException("one posterior per candidate: " + posteriors.length + " posteriors for "
                    + K + " candidates");
        }
        if (k < 1 || k > K) {
            throw new IllegalArgumentException("k must be between 1 and the number of candidates " + K + ", got " + k);
        }
        for (int a = 0; a < K; a++) {
            if (posteriors[a] == null) {
                throw new IllegalArgumentException("posterior of candidate " + a + " is null");
            }
            float[] z = embeddings[a];
            if (z == null || z.length != posteriors[a].dimension()) {
                throw new IllegalArgumentException("embedding of candidate " + a + " must have length "
                        + posteriors[a].dimension());
            }
            for (float v : z) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("embedding of candidate " + a + " has a non-finite value");
                }
            }
        }
        return K;
    }
}
