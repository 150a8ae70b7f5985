package io.vitrine.core.policy;

import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ContinuousSampler;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

import java.util.Arrays;

/**
 * Thompson sampling over K candidates with embeddings z_a (the rows of a K x d matrix): draw one
 * {@code beta ~ posterior}, score {@code z_a . beta}, keep the k best (ties go to the lower index).
 * <p>
 * <b>Draws.</b> With {@code Lambda = L L^T}, a draw is {@code beta = mu + sqrt(s2) L^-T eps},
 * {@code s2 ~ InvGamma(a, bn)}, {@code eps ~ N(0, I)}, and its scores are
 * <pre>
 *   z_a . beta = m_a + sqrt(s2) (w_a . eps),   m_a = z_a . mu,   w_a = L^-1 z_a.
 * </pre>
 * m_a and w_a are computed once per call (K forward substitutions, O(K d^2), see {@link CandidateScores}); each
 * draw then costs one gamma variate, d normals and K d multiply-adds, with no allocation. When K &lt; d the
 * propensity draws use a K x r factor C of {@code W W^T} instead, r the rank of W ({@link ScoreFactor}):
 * {@code scores = m + sqrt(s2) C u}, u ~ N(0, I_r), which has exactly the distribution of
 * {@code m + sqrt(s2) W eps} for r normals and at most K r multiply-adds per draw.
 * <p>
 * <b>Reproducibility.</b> The generator is {@code RandomSource.XO_RO_SHI_RO_128_PP.create(seed)}. The decision
 * uses its first draw, consuming it like {@link NormalInverseGammaPosterior#sampleBeta} (s2, then eps), so the
 * same seed and the same posterior give the same choice, whatever M is. The propensity draws continue the same
 * generator, so the whole {@link Choice} is reproducible from the seed; {@link #propensities} recomputes them.
 * <p>
 * <b>Propensities.</b> For off-policy evaluation each chosen candidate gets an estimate of
 * {@code p = P(candidate is in the top-k set)} under this policy. The same generator continues with M further
 * independent draws; counting the decision's own draw too (where the candidate was in the top k by definition),
 * <pre>
 *   p_hat = (1 + wins) / (1 + M).
 * </pre>
 * p_hat is never 0, so an inverse-propensity weight 1 / p_hat stays at most 1 + M. Its bias is
 * {@code (1 - p) / (1 + M) <= 1 / (1 + M)} and its Monte Carlo standard error is about
 * {@code sqrt(p (1 - p) / M)}: M = 1000 gives at most 0.016, M = 10000 at most 0.005. When k = K every
 * candidate is always chosen and the propensities are exactly 1 without any extra draw.
 * <p>
 * <b>Exploration.</b> With a {@link UniformExploration} share, that share of decisions shows k candidates drawn
 * uniformly instead (still ranked by the decision's sampled scores), and every propensity is the mixture's
 * {@code share k / K + (1 - share) p_hat}, where p_hat counts the decision's own draw only for candidates that
 * were in its Thompson top k.
 * <p>
 * Thread-safe: holds no mutable state; every call allocates its own O(K d + K^2) work arrays.
 */
public final class ThompsonSampler {

    private final int propensitySamples;
    private final UniformExploration exploration;

    /** @param propensitySamples M &gt;= 1, the number of extra posterior draws behind each propensity */
    public ThompsonSampler(int propensitySamples) {
        this(propensitySamples, UniformExploration.NONE);
    }

    /**
     * @param propensitySamples M &gt;= 1, the number of extra posterior draws behind each propensity
     * @param exploration       the share of decisions taken uniformly at random
     */
    public ThompsonSampler(int propensitySamples, UniformExploration exploration) {
        if (propensitySamples < 1) {
            throw new IllegalArgumentException("propensitySamples must be >= 1, got " + propensitySamples);
        }
        if (exploration == null) {
            throw new IllegalArgumentException("exploration must not be null (UniformExploration.NONE for none)");
        }
        this.propensitySamples = propensitySamples;
        this.exploration = exploration;
    }

    public int propensitySamples() {
        return propensitySamples;
    }

    /**
     * Chooses the top k of K candidates.
     *
     * @param embeddings K x d, one row z_a per candidate, finite values
     * @param k          1 &lt;= k &lt;= K
     * @param seed       seed of the decision; log it with the posterior version to reproduce the decision
     */
    public Choice choose(NormalInverseGammaPosterior posterior, float[][] embeddings, int k, long seed) {
        requireCandidates(posterior, embeddings, k);
        Draws draws = Draws.of(posterior, embeddings, seed);
        CandidateScores candidates = draws.candidates();
        ContinuousSampler gamma = draws.gamma();
        ZigguratSampler.NormalizedGaussian gaussian = draws.gaussian();
        int K = candidates.K;
        double[] scores = new double[K];
        int[] chosen = draws.thompsonTop(k, scores);
        double[] sampledScores = new double[k];
        int[] shown = shown(K, k, seed, chosen, scores);
        double[] meanScores = new double[k];
        for (int j = 0; j < k; j++) {
            meanScores[j] = candidates.m[shown[j]];
            sampledScores[j] = scores[shown[j]];
        }
        double[] propensities = mixed(estimatePropensities(candidates, gamma, gaussian, k, chosen, shown), k, K);
        return new Choice(shown, sampledScores, meanScores, propensities, seed, propensitySamples);
    }

    /**
     * The decision of {@link #choose} with every candidate explained: posterior-mean score, the score the
     * decision's draw gave it, and its propensity of being in the top k. The generator makes the same draws as
     * {@code choose}, so {@code explanation.choice()} equals {@code choose(posterior, embeddings, k, seed)}.
     */
    public Explanation explain(NormalInverseGammaPosterior posterior, float[][] embeddings, int k, long seed) {
        requireCandidates(posterior, embeddings, k);
        Draws draws = Draws.of(posterior, embeddings, seed);
        CandidateScores candidates = draws.candidates();
        ContinuousSampler gamma = draws.gamma();
        ZigguratSampler.NormalizedGaussian gaussian = draws.gaussian();
        int K = candidates.K;
        double[] sampledScores = new double[K];
        int[] chosen = draws.thompsonTop(k, sampledScores);
        double[] chosenScores = new double[k];
        int[] shown = shown(K, k, seed, chosen, sampledScores);
        int[] every = new int[K];
        for (int a = 0; a < K; a++) {
            every[a] = a;
        }
        double[] propensities = mixed(estimatePropensities(candidates, gamma, gaussian, k, chosen, every), k, K);
        double[] chosenMeans = new double[k];
        double[] chosenPropensities = new double[k];
        for (int j = 0; j < k; j++) {
            chosenScores[j] = sampledScores[shown[j]];
            chosenMeans[j] = candidates.m[shown[j]];
            chosenPropensities[j] = propensities[shown[j]];
        }
        Choice choice = new Choice(shown, chosenScores, chosenMeans, chosenPropensities, seed, propensitySamples);
        return new Explanation(choice, candidates.m.clone(), sampledScores, propensities);
    }

    /**
     * Only the decision of {@link #choose}: the same chosen candidates for the same seed, best first, without
     * the propensity draws. For callers that do not log propensities (simulations, benchmarks).
     */
    public int[] chooseIndices(NormalInverseGammaPosterior posterior, float[][] embeddings, int k, long seed) {
        requireCandidates(posterior, embeddings, k);
        Draws draws = Draws.of(posterior, embeddings, seed);
        double[] scores = new double[draws.candidates().K];
        int[] chosen = draws.thompsonTop(k, scores);
        return shown(scores.length, k, seed, chosen, scores);
    }

    /**
     * The propensities of {@link #choose} for a decision made with {@code seed}:
     * {@code propensities(p, z, choose(p, z, k, seed).chosen(), seed)} equals
     * {@code choose(p, z, k, seed).propensities()}. The generator first makes the decision's draw again (its
     * Thompson top k, which an exploring decision need not have shown), then the M propensity draws; k is
     * {@code chosen.length}.
     *
     * @param chosen the candidates a decision chose, distinct indices into embeddings, best first
     */
    public double[] propensities(NormalInverseGammaPosterior posterior, float[][] embeddings, int[] chosen,
                                 long seed) {
        if (chosen == null) {
            throw new IllegalArgumentException("chosen must not be null");
        }
        int K = requireCandidates(posterior, embeddings, chosen.length);
        requireChosen(chosen, K);
        Draws draws = Draws.of(posterior, embeddings, seed);
        CandidateScores candidates = draws.candidates();
        ContinuousSampler gamma = draws.gamma();
        ZigguratSampler.NormalizedGaussian gaussian = draws.gaussian();
        int k = chosen.length;
        int[] top = draws.thompsonTop(k, new double[K]);
        return mixed(estimatePropensities(candidates, gamma, gaussian, k, top, chosen), k, K);
    }

    /**
     * The candidates a decision shows: its Thompson top k, or, when the decision explores, k uniformly drawn
     * candidates ranked by the decision's sampled scores (best first, as every {@link Choice} is).
     */
    private int[] shown(int K, int k, long seed, int[] thompsonTop, double[] scores) {
        int[] explored = exploration.explored(K, k, seed);
        return explored == null ? thompsonTop : rankedByScore(explored, scores);
    }

    static int[] rankedByScore(int[] candidates, double[] scores) {
        return java.util.stream.IntStream.of(candidates).boxed()
                .sorted((a, b) -> Double.compare(scores[b], scores[a]))
                .mapToInt(Integer::intValue).toArray();
    }

    /** Thompson's propensities turned into the exploring mixture's, in place. */
    private double[] mixed(double[] thompson, int k, int K) {
        for (int j = 0; j < thompson.length; j++) {
            thompson[j] = exploration.propensity(thompson[j], k, K);
        }
        return thompson;
    }

    /**
     * What every draw of a decision uses: the candidates' set-up and the samplers of the decision's generator,
     * seeded with the decision's seed (one generator, so that a seed reproduces the whole decision).
     */
    private record Draws(CandidateScores candidates, ContinuousSampler gamma,
                         ZigguratSampler.NormalizedGaussian gaussian) {

        static Draws of(NormalInverseGammaPosterior posterior, float[][] embeddings, long seed) {
            CandidateScores candidates = CandidateScores.of(posterior, embeddings);
            UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
            return new Draws(candidates, posterior.gammaSampler(rng), ZigguratSampler.NormalizedGaussian.of(rng));
        }

        /** The decision's own draw into {@code scores} (length K), and its Thompson top k, best first. */
        int[] thompsonTop(int k, double[] scores) {
            decisionDraw(candidates, gamma, gaussian, new double[candidates.d], scores);
            int[] top = new int[k];
            topK(scores, k, top, new double[k]);
            return top;
        }
    }

    /**
     * The decision's draw, consuming the generator like {@link NormalInverseGammaPosterior#sampleBeta}: s2, then
     * eps[0..d-1]; scores_a = m_a + sqrt(s2) (w_a . eps).
     */
    private static void decisionDraw(CandidateScores candidates, ContinuousSampler gamma,
                                     ZigguratSampler.NormalizedGaussian gaussian, double[] eps,
                                     double[] scores) {
        double sqrtS2 = Math.sqrt(NormalInverseGammaPosterior.sampleNoiseVariance(gamma));
        for (int i = 0; i < eps.length; i++) {
            eps[i] = gaussian.sample();
        }
        candidates.scores(sqrtS2, eps, scores);
    }

    /**
     * For each tracked candidate, (in the decision's top k ? 1 : 0) + wins, over 1 + M: the decision's own draw
     * counts, then M further draws of the generator. For a chosen candidate this is (1 + wins) / (1 + M). When
     * there are fewer candidates than dimensions the draws are made in r &lt;= K dimensions, r the rank of the
     * embeddings ({@link ScoreFactor}), which has the same distribution of scores for fewer normals and
     * multiply-adds; otherwise in d dimensions like the decision's draw.
     *
     * @param chosen  the decision's top k, best first
     * @param tracked the candidates to estimate, distinct indices
     */
    private double[] estimatePropensities(CandidateScores candidates, ContinuousSampler gamma,
                                          ZigguratSampler.NormalizedGaussian gaussian, int k, int[] chosen,
                                          int[] tracked) {
        int K = candidates.K;
        double[] propensities = new double[tracked.length];
        if (k == K) {
            Arrays.fill(propensities, 1.0);
            return propensities;
        }
        int[] wins = new int[tracked.length];
        // inTopAt[a] == t marks candidate a as in the top k of draw t (t = 0: the decision's own draw); avoids
        // clearing an array per draw.
        int[] inTopAt = new int[K];
        Arrays.fill(inTopAt, -1);
        for (int j = 0; j < k; j++) {
            inTopAt[chosen[j]] = 0;
        }
        countWins(inTopAt, 0, tracked, wins);
        ScoreFactor factor = K < candidates.d ? ScoreFactor.of(candidates) : null;
        int M = propensitySamples;
        double[] normals = new double[factor != null ? factor.rank() : candidates.d];
        double[] scores = new double[K];
        int[] topIndex = new int[k];
        double[] topScore = new double[k];
        for (int t = 1; t <= M; t++) {
            double sqrtS2 = Math.sqrt(NormalInverseGammaPosterior.sampleNoiseVariance(gamma));
            for (int i = 0; i < normals.length; i++) {
                normals[i] = gaussian.sample();
            }
            if (factor != null) {
                factor.scores(candidates.m, sqrtS2, normals, scores);
            } else {
                candidates.scores(sqrtS2, normals, scores);
            }
            topK(scores, k, topIndex, topScore);
            for (int j = 0; j < k; j++) {
                inTopAt[topIndex[j]] = t;
            }
            countWins(inTopAt, t, tracked, wins);
        }
        for (int j = 0; j < tracked.length; j++) {
            propensities[j] = wins[j] / (1.0 + M);
        }
        return propensities;
    }

    private static void countWins(int[] inTopAt, int draw, int[] tracked, int[] wins) {
        for (int j = 0; j < tracked.length; j++) {
            if (inTopAt[tracked[j]] == draw) {
                wins[j]++;
            }
        }
    }

    /** Checks the arguments common to every call and returns K. */
    private static int requireCandidates(NormalInverseGammaPosterior posterior, float[][] embeddings, int k) {
        if (posterior == null) {
            throw new IllegalArgumentException("posterior must not be null");
        }
        if (embeddings == null || embeddings.length == 0) {
            throw new IllegalArgumentException("at least one candidate embedding is required");
        }
        int K = embeddings.length;
        if (k < 1 || k > K) {
            throw new IllegalArgumentException("k must be between 1 and the number of candidates " + K + ", got " + k);
        }
        int d = posterior.dimension();
        for (int a = 0; a < K; a++) {
            requireEmbedding(embeddings[a], a, d);
        }
        return K;
    }

    private static void requireChosen(int[] chosen, int K) {
        boolean[] seen = new boolean[K];
        for (int j = 0; j < chosen.length; j++) {
            int a = chosen[j];
            if (a < 0 || a >= K || seen[a]) {
                throw new IllegalArgumentException("chosen must hold distinct candidate indices in [0, " + K
                        + "), got " + Arrays.toString(chosen));
            }
            seen[a] = true;
        }
    }

    /**
     * The k best scores, best first, by insertion into a sorted buffer: O(K k) at worst, O(K) typically.
     * Candidates are visited in index order and only a strictly greater score moves ahead, so ties go to the
     * lower index.
     */
    static void topK(double[] scores, int k, int[] topIndex, double[] topScore) {
        int count = 0;
        for (int a = 0; a < scores.length; a++) {
            double s = scores[a];
            if (count == k) {
                if (!(s > topScore[k - 1])) {
                    continue;
                }
                count--; // the current worst is dropped
            }
            int pos = count;
            while (pos > 0 && s > topScore[pos - 1]) {
                topScore[pos] = topScore[pos - 1];
                topIndex[pos] = topIndex[pos - 1];
                pos--;
            }
            topScore[pos] = s;
            topIndex[pos] = a;
            count++;
        }
    }

    private static void requireEmbedding(float[] z, int a, int d) {
        if (z == null || z.length != d) {
            throw new IllegalArgumentException("embedding of candidate " + a + " must have length d = " + d
                    + ", got " + (z == null ? "null" : z.length));
        }
        for (int i = 0; i < d; i++) {
            if (!Float.isFinite(z[i])) {
                throw new IllegalArgumentException("embedding of candidate " + a + " has a non-finite value at index "
                        + i + ": " + z[i]);
            }
        }
    }
}
