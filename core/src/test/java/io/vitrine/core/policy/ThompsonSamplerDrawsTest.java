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
import static org.junit.jupiter.api.Assertions.assertNull;
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
        assertNull(ScoreFactor.of(CandidateScores.of(p, z)), "W W^T has rank 1");
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
        CandidateScores candidates = CandidateScores.of(p, z);
        ScoreFactor factor = ScoreFactor.of(candidates);
        assertNotNull(factor);
        // Column b of C is C e_b: scores with m = 0, sqrt(s2) = 1 and u = e_b.
        double[][] C = new double[K][K];
        double[] u = new double[K];
        double[] acc = new double[K];
        double[] column = new double[K];
        for (int b = 0; b < K; b++) {
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
        for (int a = 0; a < K; a++) {
            for (int b = 0; b < K; b++) {
                double gram = 0;
                double product = 0;
                for (int i = 0; i < d; i++) {
                    gram += w[a][i] * w[b][i];
                }
                for (int j = 0; j < K; j++) {
                    product += C[a][j] * C[b][j];
                }
                assertEquals(gram, product, 1e-12 * Math.max(1, Math.abs(gram)), "(" + a + "," + b + ")");
                if (b > a) {
                    assertEquals(0, C[a][b], 0.0, "C is lower triangular");
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
