package io.vitrine.core.policy;

import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThompsonSamplerTest {

    private static final int M = 200_000;

    @Test
    void twoCandidatePropensityMatchesTheStudentTProbability() {
        ThompsonSampler sampler = new ThompsonSampler(M);
        int checked = 0;
        for (long dataSeed = 1; dataSeed <= 4; dataSeed++) {
            NormalInverseGammaPosterior p = posteriorFromData(3, 4 + 3 * (int) dataSeed, dataSeed);
            float[][] z = randomEmbeddings(2, 3, dataSeed + 100);

            // beta is multivariate t_{2a}(mu, (bn / a) Lambda^-1), so (z0 - z1) . beta is univariate t and
            // P(candidate 0 wins) = T_{2a}(delta . mu / sqrt((bn / a) delta^T Lambda^-1 delta)).
            double[] delta = new double[3];
            for (int i = 0; i < 3; i++) {
                delta[i] = z[0][i] - z[1][i];
            }
            double location = dot(delta, p.mu());
            double scale = Math.sqrt(p.bn() / p.a() * quadraticFormInverse(p, delta));
            double p0 = new TDistribution(null, 2 * p.a()).cumulativeProbability(location / scale);
            assertTrue(p0 > 0.03 && p0 < 0.97, "a non-trivial case, p0 = " + p0);

            Choice c = sampler.choose(p, z, 1, 77 + dataSeed);
            double pChosen = c.best() == 0 ? p0 : 1 - p0;
            // E[(1 + wins) / (1 + M)] = (1 + M p) / (1 + M); Monte Carlo standard error sqrt(p (1 - p) / M).
            double expected = (1 + M * pChosen) / (1 + M);
            double se = Math.sqrt(pChosen * (1 - pChosen) / M);
            assertEquals(expected, c.propensities()[0], 5 * se,
                    "posterior " + dataSeed + ": P(candidate " + c.best() + " wins)");
            checked++;
        }
        assertEquals(4, checked);
    }

    @Test
    void symmetricCandidatesEachHavePropensityKOverK() {
        int K = 5;
        NormalInverseGammaPosterior prior = NormalInverseGammaPosterior.prior(K, NigPrior.DEFAULT);
        float[][] z = new float[K][K];
        for (int a = 0; a < K; a++) {
            z[a][a] = 1; // orthonormal, and mu = 0, Lambda = lambda I: no candidate is favoured
        }
        ThompsonSampler sampler = new ThompsonSampler(M);
        for (int k = 1; k <= 3; k++) {
            double p = (double) k / K;
            double se = Math.sqrt(p * (1 - p) / M);
            Choice c = sampler.choose(prior, z, k, 1000 + k);
            assertEquals(k, c.k());
            for (int j = 0; j < k; j++) {
                assertEquals((1 + M * p) / (1 + M), c.propensities()[j], 5 * se, "k = " + k + ", rank " + j);
            }
        }
    }

    @Test
    void degeneratePosteriorChoosesTheClearTopKWithPropensityOne() {
        int d = 4;
        // Lambda = 1e8 I and E[s2] about 0.01: score standard deviation about 1e-5, gaps between means 0.1 or more.
        double[] L = new double[d * d];
        for (int i = 0; i < d; i++) {
            L[i * d + i] = 1e4;
        }
        double[] mu = {0.3, -0.1, 0.7, 0.2};
        NormalInverseGammaPosterior p = NormalInverseGammaPosterior.of(d, mu, L, 100, 1, 9);
        float[][] z = new float[6][];
        for (int a = 0; a < d; a++) {
            z[a] = new float[d];
            z[a][a] = 1;
        }
        z[4] = new float[]{0.5f, 0, 0, 0}; // mean 0.15
        z[5] = new float[]{0, 0, 0.5f, 0.5f}; // mean 0.45
        Choice c = new ThompsonSampler(2000).choose(p, z, 3, 3L);
        assertArrayEquals(new int[]{2, 5, 0}, c.chosen());
        assertArrayEquals(new double[]{0.7, 0.45, 0.3}, c.meanScores(), 1e-6);
        assertArrayEquals(new double[]{0.7, 0.45, 0.3}, c.sampledScores(), 1e-3);
        assertArrayEquals(new double[]{1, 1, 1}, c.propensities(), 0.0);
    }

    @Test
    void choosingAllCandidatesGivesPropensityExactlyOne() {
        NormalInverseGammaPosterior p = posteriorFromData(3, 5, 1L);
        Choice c = new ThompsonSampler(10).choose(p, randomEmbeddings(4, 3, 8L), 4, 42L);
        assertEquals(4, new HashSet<>(Arrays.stream(c.chosen()).boxed().toList()).size());
        assertArrayEquals(new double[]{1, 1, 1, 1}, c.propensities(), 0.0);
        for (int j = 1; j < 4; j++) {
            assertTrue(c.sampledScores()[j - 1] >= c.sampledScores()[j], "ranked best first");
        }
    }

    @Test
    void equalScoresAreBrokenByTheLowerIndex() {
        int[] topIndex = new int[3];
        double[] topScore = new double[3];
        ThompsonSampler.topK(new double[]{1, 3, 3, 2, 3, 0}, 3, topIndex, topScore);
        assertArrayEquals(new int[]{1, 2, 4}, topIndex);
        ThompsonSampler.topK(new double[]{5, 1, 4, 2, 3}, 2, topIndex, topScore);
        assertArrayEquals(new int[]{0, 2}, new int[]{topIndex[0], topIndex[1]});

        // Identical embeddings score identically in every draw: the first k always win.
        NormalInverseGammaPosterior p = posteriorFromData(2, 4, 3L);
        float[][] same = {{1, 2}, {1, 2}, {1, 2}, {1, 2}};
        Choice c = new ThompsonSampler(100).choose(p, same, 2, 9L);
        assertArrayEquals(new int[]{0, 1}, c.chosen());
        assertArrayEquals(new double[]{1, 1}, c.propensities(), 0.0);
    }

    @Test
    void sameSeedGivesTheSameChoice() {
        NormalInverseGammaPosterior p = posteriorFromData(4, 6, 2L);
        float[][] z = randomEmbeddings(10, 4, 5L);
        ThompsonSampler sampler = new ThompsonSampler(500);
        Choice first = sampler.choose(p, z, 3, 123456789L);
        Choice again = sampler.choose(p, z, 3, 123456789L);
        assertEquals(first, again);
        // A posterior rebuilt from its snapshot decides the same way.
        NormalInverseGammaPosterior rebuilt = NormalInverseGammaPosterior.of(4, p.mu(), p.choleskyLower(), p.a(),
                p.bn(), p.version());
        assertEquals(first, sampler.choose(rebuilt, z, 3, 123456789L));
        // The decision does not depend on how many propensity samples follow it.
        Choice fewer = new ThompsonSampler(7).choose(p, z, 3, 123456789L);
        assertArrayEquals(first.chosen(), fewer.chosen());
        assertArrayEquals(first.sampledScores(), fewer.sampledScores(), 0.0);
    }

    @Test
    void differentSeedsGiveDifferentChoices() {
        NormalInverseGammaPosterior p = NormalInverseGammaPosterior.prior(4, NigPrior.DEFAULT);
        float[][] z = randomEmbeddings(6, 4, 5L);
        ThompsonSampler sampler = new ThompsonSampler(10);
        Set<Integer> best = new HashSet<>();
        Set<Double> scores = new HashSet<>();
        for (long seed = 0; seed < 50; seed++) {
            Choice c = sampler.choose(p, z, 1, seed);
            best.add(c.best());
            scores.add(c.sampledScores()[0]);
        }
        assertTrue(best.size() >= 3, "under the prior several candidates win: " + best);
        assertEquals(50, scores.size());
        assertNotEquals(sampler.choose(p, z, 1, 1L), sampler.choose(p, z, 1, 2L));
    }

    @Test
    void sampledScoresAreEmbeddingsTimesTheSampledBeta() {
        NormalInverseGammaPosterior p = posteriorFromData(5, 9, 4L);
        float[][] z = randomEmbeddings(7, 5, 6L);
        Choice c = new ThompsonSampler(3).choose(p, z, 7, 31L);
        double[] beta = new double[5];
        p.sampleBeta(RandomSource.XO_RO_SHI_RO_128_PP.create(31L), beta);
        for (int j = 0; j < 7; j++) {
            float[] za = z[c.chosen()[j]];
            double score = 0;
            for (int i = 0; i < 5; i++) {
                score += za[i] * beta[i];
            }
            assertEquals(score, c.sampledScores()[j], 1e-9 * Math.max(1, Math.abs(score)));
            assertEquals(p.meanScore(za), c.meanScores()[j], 1e-12);
        }
    }

    @Test
    void invalidArgumentsAreRejectedWithTheReason() {
        NormalInverseGammaPosterior p = NormalInverseGammaPosterior.prior(2, NigPrior.DEFAULT);
        ThompsonSampler sampler = new ThompsonSampler(1);
        float[][] z = {{1, 0}, {0, 1}};
        assertMessage(() -> new ThompsonSampler(0), "propensitySamples");
        assertMessage(() -> sampler.choose(p, z, 0, 1), "k must be between 1 and");
        assertMessage(() -> sampler.choose(p, z, 3, 1), "k must be between 1 and");
        assertMessage(() -> sampler.choose(p, new float[0][], 1, 1), "at least one candidate");
        assertMessage(() -> sampler.choose(p, new float[][]{{1, 0}, {1}}, 1, 1), "candidate 1 must have length d = 2");
        assertMessage(() -> sampler.choose(p, new float[][]{{1, 0}, {Float.NaN, 0}}, 1, 1),
                "candidate 1 has a non-finite value at index 0");
    }

    static NormalInverseGammaPosterior posteriorFromData(int d, int n, long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);
        SufficientStatistics s = SufficientStatistics.empty(d);
        for (int t = 0; t < n; t++) {
            float[] z = new float[d];
            for (int i = 0; i < d; i++) {
                z[i] = (float) gauss.sample();
            }
            s.update(z, rng.nextDouble() < 0.3 ? 1 : 0);
        }
        return NormalInverseGammaPosterior.fromStatistics(s, NigPrior.DEFAULT);
    }

    static float[][] randomEmbeddings(int K, int d, long seed) {
        ZigguratSampler.NormalizedGaussian gauss =
                ZigguratSampler.NormalizedGaussian.of(RandomSource.XO_RO_SHI_RO_128_PP.create(seed));
        float[][] z = new float[K][d];
        for (int a = 0; a < K; a++) {
            for (int i = 0; i < d; i++) {
                z[a][i] = (float) gauss.sample();
            }
        }
        return z;
    }

    /** delta^T Lambda^-1 delta with Lambda = L L^T, computed with a general inverse. */
    private static double quadraticFormInverse(NormalInverseGammaPosterior p, double[] delta) {
        int d = p.dimension();
        DMatrixRMaj L = DMatrixRMaj.wrap(d, d, p.choleskyLower());
        DMatrixRMaj Lambda = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransB(L, L, Lambda);
        DMatrixRMaj x = new DMatrixRMaj(d, 1);
        assertTrue(CommonOps_DDRM.solve(Lambda, DMatrixRMaj.wrap(d, 1, delta.clone()), x));
        return dot(delta, x.data);
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    private static void assertMessage(Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should mention '" + fragment + "'");
    }
}
