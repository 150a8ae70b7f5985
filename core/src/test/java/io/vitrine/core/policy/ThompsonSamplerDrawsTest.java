package io.vitrine.core.policy;

import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ContinuousSampler;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

import static io.vitrine.core.policy.ThompsonSamplerTest.posteriorFromData;
import static io.vitrine.core.policy.ThompsonSamplerTest.randomEmbeddings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batched score arithmetic and the K-dimensional propensity draws against plain references. */
class ThompsonSamplerDrawsTest {

    @Test
    void decisionIsBitwiseThatOfThePlainDotProducts() {
        // K < d (the propensity draws use the K x K factor) and K > d (they stay in d dimensions).
        int[][] shapes = {{20, 32}, {3, 8}, {12, 5}, {1, 4}};
        for (int[] shape : shapes) {
            int K = shape[0];
            int d = shape[1];
            for (long seed = 1; seed <= 5; seed++) {
                NormalInverseGammaPosterior p = posteriorFromData(d, 40 + 10 * (int) seed, seed);
                float[][] z = randomEmbeddings(K, d, seed + 50);
                int k = Math.min(3, K);
                double[] reference = referenceDecisionScores(p, z, 1000 + seed);
                int[] topIndex = new int[k];
                double[] topScore = new double[k];
                ThompsonSampler.topK(reference, k, topIndex, topScore);

                Choice c = new ThompsonSampler(16).choose(p, z, k, 1000 + seed);
                String where = "K = " + K + ", d = " + d + ", seed " + seed;
                assertArrayEquals(topIndex, c.chosen(), where);
                assertArrayEquals(topScore, c.sampledScores(), 0.0, where);
                for (int j = 0; j < k; j++) {
                    assertEquals(p.meanScore(z[c.chosen()[j]]), c.meanScores()[j], 0.0, where);
                }
                assertArrayEquals(topIndex, new ThompsonSampler(1).chooseIndices(p, z, k, 1000 + seed), where);
            }
        }
    }

    @Test
    void propensitiesRecomputeThoseOfTheDecision() {
        NormalInverseGammaPosterior p = posteriorFromData(8, 30, 6L);
        for (int K : new int[]{4, 8, 11}) {
            float[][] z = randomEmbeddings(K, 8, K);
            ThompsonSampler sampler = new ThompsonSampler(300);
            Choice c = sampler.choose(p, z, 2, 99L);
            assertArrayEquals(c.propensities(), sampler.propensities(p, z, c.chosen(), 99L), 0.0, "K = " + K);
        }
    }

    @Test
    void kDimensionalDrawsMatchTheStudentTProbabilityInThirtyTwoDimensions() {
        // Two candidates in d = 32: the draws run in 2 dimensions. P(candidate 0 wins) is a Student t probability.
        int d = 32;
        int M = 200_000;
        ThompsonSampler sampler = new ThompsonSampler(M);
        for (long dataSeed = 1; dataSeed <= 3; dataSeed++) {
            NormalInverseGammaPosterior p = posteriorFromData(d, 60, dataSeed);
            float[][] z = randomEmbeddings(2, d, dataSeed + 7);
            double[] wDelta = new double[d];
            double[] w1 = new double[d];
            p.whiten(z[0], wDelta);
            p.whiten(z[1], w1);
            double location = p.meanScore(z[0]) - p.meanScore(z[1]);
            double ww = 0;
            for (int i = 0; i < d; i++) {
                wDelta[i] -= w1[i];
                ww += wDelta[i] * wDelta[i];
            }
            double p0 = new TDistribution(null, 2 * p.a()).cumulativeProbability(location / Math.sqrt(p.bn() / p.a() * ww));
            Choice c = sampler.choose(p, z, 1, 5 + dataSeed);
            double pChosen = c.best() == 0 ? p0 : 1 - p0;
            double se = Math.sqrt(pChosen * (1 - pChosen) / M);
            assertEquals((1 + M * pChosen) / (1 + M), c.propensities()[0], 5 * se + 1e-9, "posterior " + dataSeed);
        }
    }

    @Test
    void kDimensionalDrawsAgreeWithDrawsInDDimensions() {
        // Top-2 propensities of 6 candidates in d = 10, against the d-dimensional Monte Carlo of the reference.
        int M = 100_000;
        NormalInverseGammaPosterior p = posteriorFromData(10, 25, 12L);
        float[][] z = randomEmbeddings(6, 10, 13L);
        Choice c = new ThompsonSampler(M).choose(p, z, 2, 21L);
        double[] reference = referencePropensities(p, z, c.chosen(), M, 777L);
        for (int j = 0; j < 2; j++) {
            double q = reference[j];
            double se = Math.sqrt(q * (1 - q) / M);
            assertEquals(q, c.propensities()[j], 5 * Math.sqrt(2) * se + 1e-9, "rank " + j);
        }
    }

    @Test
    void identicalCandidatesKeepTheirTiesWhenThereAreFewerCandidatesThanDimensions() {
        NormalInverseGammaPosterior p = posteriorFromData(6, 20, 4L);
        float[] same = {0.3f, -1f, 2f, 0.5f, 0f, 1f};
        float[][] z = {same, same.clone(), same.clone()};
        assertEquals(1, ScoreFactor.of(CandidateScores.of(p, z)).rank(), "W W^T has rank 1");
        Choice c = new ThompsonSampler(500).choose(p, z, 1, 3L);
        assertEquals(0, c.best());
        assertArrayEquals(new double[]{1}, c.propensities(), 0.0);
    }

    @Test
    void factorTimesItsTransposeIsTheGramMatrixOfTheWhitenedEmbeddings() {
        int K = 7;
        int d = 12;
        NormalInverseGammaPosterior p = posteriorFromData(d, 50, 8L);
        float[][] z = randomEmbeddings(K, d, 9L);
        assertFactorGivesGram(p, z, K);
    }

    @Test
    void dependentEmbeddingsGetAFactorOfTheirRankWhoseProductIsTheGramMatrix() {
        // 9 candidates in d = 12 spanning 4 dimensions: 4 random ones, their sums and differences, and a repeat.
        int d = 12;
        NormalInverseGammaPosterior p = posteriorFromData(d, 50, 8L);
        float[][] base = randomEmbeddings(4, d, 10L);
        float[][] z = new float[9][d];
        for (int i = 0; i < d; i++) {
            z[0][i] = base[0][i];
            z[1][i] = base[1][i];
            z[2][i] = base[0][i] + base[1][i];
            z[3][i] = base[2][i];
            z[4][i] = base[2][i] - 0.5f * base[0][i];
            z[5][i] = base[3][i];
            z[6][i] = base[1][i];
            z[7][i] = base[3][i] + base[1][i];
            z[8][i] = base[0][i] + base[3][i];
        }
        assertFactorGivesGram(p, z, 4);
    }

    @Test
    void dependentEmbeddingsDrawnInTheirRankAgreeWithDrawsInDDimensions() {
        // Top-1 and top-2 propensities of 7 candidates of rank 3 in d = 10, against the d-dimensional reference.
        int M = 100_000;
        int d = 10;
        NormalInverseGammaPosterior p = posteriorFromData(d, 25, 12L);
        float[][] base = randomEmbeddings(3, d, 14L);
        float[][] z = new float[7][d];
        for (int i = 0; i < d; i++) {
            z[0][i] = base[0][i];
            z[1][i] = base[1][i];
            z[2][i] = base[2][i];
            z[3][i] = 0.5f * (base[0][i] + base[1][i]);
            z[4][i] = base[0][i] - 0.25f * base[2][i];
            z[5][i] = 0.7f * base[1][i] + 0.3f * base[2][i];
            z[6][i] = base[2][i];
        }
        assertEquals(3, ScoreFactor.of(CandidateScores.of(p, z)).rank());
        for (int k = 1; k <= 2; k++) {
            Choice c = new ThompsonSampler(M).choose(p, z, k, 23L);
            double[] reference = referencePropensities(p, z, c.chosen(), M, 779L);
            for (int j = 0; j < k; j++) {
                double q = reference[j];
                double se = Math.sqrt(q * (1 - q) / M);
                assertEquals(q, c.propensities()[j], 5 * Math.sqrt(2) * se + 1e-9, "k = " + k + ", rank " + j);
            }
        }
    }

    /** C C^T equals W W^T, C has the given rank, and identical embeddings get identical rows. */
    private static void assertFactorGivesGram(NormalInverseGammaPosterior p, float[][] z, int rank) {
        int K = z.length;
        int d = p.dimension();
        CandidateScores candidates = CandidateScores.of(p, z);
        ScoreFactor factor = ScoreFactor.of(candidates);
        assertNotNull(factor);
        assertEquals(rank, factor.rank());
        // Column b of C is C e_b: scores with m = 0, sqrt(s2) = 1 and u = e_b.
        double[][] C = new double[K][rank];
        double[] u = new double[rank];
        double[] column = new double[K];
        for (int b = 0; b < rank; b++) {
            u[b] = 1;
            factor.scores(new double[K], 1, u, column);
            u[b] = 0;
            for (int a = 0; a < K; a++) {
                C[a][b] = column[a];
            }
        }
        double[][] w = new double[K][d];
        for (int a = 0; a < K; a++) {
            p.whiten(z[a], w[a]);
        }
        double[] norm = new double[K];
        for (int a = 0; a < K; a++) {
            for (int i = 0; i < d; i++) {
                norm[a] += w[a][i] * w[a][i];
            }
            norm[a] = Math.sqrt(norm[a]);
        }
        // Full rank: rounding only. Dependent rows: their part outside the earlier rows' span is dropped when below
        // RANK_TOLERANCE of their variance, so each row of C may miss up to sqrt(1e-10) = 1e-5 of its norm (here the
        // float rounding of the combined embeddings, about 1e-8).
        double relative = rank == K ? 1e-12 : Math.sqrt(ScoreFactor.RANK_TOLERANCE);
        for (int a = 0; a < K; a++) {
            for (int b = 0; b < K; b++) {
                double gram = 0;
                double product = 0;
                for (int i = 0; i < d; i++) {
                    gram += w[a][i] * w[b][i];
                }
                for (int j = 0; j < rank; j++) {
                    product += C[a][j] * C[b][j];
                }
                assertEquals(gram, product, relative * Math.max(1, norm[a] * norm[b]), "(" + a + "," + b + ")");
                if (b > a && b < rank && rank == K) {
                    assertEquals(0, C[a][b], 0.0, "C is lower triangular");
                }
                if (java.util.Arrays.equals(z[a], z[b])) {
                    assertArrayEquals(C[a], C[b], 0.0, "identical candidates " + a + ", " + b);
                }
            }
        }
    }

    /** The decision's scores computed the plain way: one dot product per candidate, as before batching. */
    private static double[] referenceDecisionScores(NormalInverseGammaPosterior p, float[][] z, long seed) {
        int d = p.dimension();
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ContinuousSampler gamma = p.gammaSampler(rng);
        ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(rng);
        double sqrtS2 = Math.sqrt(NormalInverseGammaPosterior.sampleNoiseVariance(gamma));
        double[] eps = new double[d];
        for (int i = 0; i < d; i++) {
            eps[i] = gaussian.sample();
        }
        double[] scores = new double[z.length];
        double[] w = new double[d];
        for (int a = 0; a < z.length; a++) {
            p.whiten(z[a], w);
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += w[i] * eps[i];
            }
            scores[a] = p.meanScore(z[a]) + sqrtS2 * dot;
        }
        return scores;
    }

    /** P(each chosen candidate is in the top k) by M draws of beta itself (sampleBeta), without the +1. */
    private static double[] referencePropensities(NormalInverseGammaPosterior p, float[][] z, int[] chosen, int M,
                                                  long seed) {
        int d = p.dimension();
        int k = chosen.length;
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        double[] beta = new double[d];
        double[] scores = new double[z.length];
        int[] topIndex = new int[k];
        double[] topScore = new double[k];
        int[] wins = new int[k];
        for (int t = 0; t < M; t++) {
            p.sampleBeta(rng, beta);
            for (int a = 0; a < z.length; a++) {
                double s = 0;
                for (int i = 0; i < d; i++) {
                    s += z[a][i] * beta[i];
                }
                scores[a] = s;
            }
            ThompsonSampler.topK(scores, k, topIndex, topScore);
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < k; i++) {
                    if (topIndex[i] == chosen[j]) {
                        wins[j]++;
                    }
                }
            }
        }
        double[] q = new double[k];
        for (int j = 0; j < k; j++) {
            q[j] = (double) wins[j] / M;
        }
        assertTrue(q[0] > 0.05 && q[0] < 0.95, "a non-trivial case, q = " + q[0]);
        return q;
    }
}
