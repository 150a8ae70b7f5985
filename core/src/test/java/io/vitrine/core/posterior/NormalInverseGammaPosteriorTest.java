package io.vitrine.core.posterior;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalInverseGammaPosteriorTest {

    private static final NigPrior PRIOR = new NigPrior(0.5, 3.0, 0.7);

    @Test
    void rankOneUpdatesEqualTheClosedFormBatchPosterior() {
        for (long seed = 1; seed <= 5; seed++) {
            UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
            ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);
            int n = 40 + (int) seed * 17;
            int d = 2 + (int) seed;
            double[] betaTrue = new double[d];
            for (int i = 0; i < d; i++) {
                betaTrue[i] = gauss.sample();
            }
            DMatrixRMaj Z = new DMatrixRMaj(n, d);
            DMatrixRMaj r = new DMatrixRMaj(n, 1);
            SufficientStatistics s = SufficientStatistics.empty(d);
            for (int t = 0; t < n; t++) {
                float[] z = new float[d];
                double mean = 0;
                for (int i = 0; i < d; i++) {
                    z[i] = (float) (3 * gauss.sample());
                    Z.set(t, i, z[i]);
                    mean += z[i] * betaTrue[i];
                }
                double reward = mean + 0.3 * gauss.sample();
                r.set(t, 0, reward);
                s.update(z, reward);
            }
            NormalInverseGammaPosterior p = NormalInverseGammaPosterior.fromStatistics(s, PRIOR);

            // Batch solution: Lambda = Z^T Z + lambda I, mu = Lambda^-1 Z^T r.
            DMatrixRMaj Lambda = new DMatrixRMaj(d, d);
            CommonOps_DDRM.multTransA(Z, Z, Lambda);
            for (int i = 0; i < d; i++) {
                Lambda.add(i, i, PRIOR.lambda());
            }
            DMatrixRMaj Ztr = new DMatrixRMaj(d, 1);
            CommonOps_DDRM.multTransA(Z, r, Ztr);
            DMatrixRMaj mu = new DMatrixRMaj(d, 1);
            assertTrue(CommonOps_DDRM.solve(Lambda.copy(), Ztr, mu));
            DMatrixRMaj LambdaMu = new DMatrixRMaj(d, 1);
            CommonOps_DDRM.mult(Lambda, mu, LambdaMu);
            double muLambdaMu = CommonOps_DDRM.dot(mu, LambdaMu);
            double yy = CommonOps_DDRM.dot(r, r);
            double a = PRIOR.a0() + n / 2.0;
            double bn = PRIOR.b0() + (yy - muLambdaMu) / 2;

            assertEquals(n, s.n());
            assertEquals(n, s.version());
            assertEquals(n, p.version());
            assertRelative(yy, s.yy(), "yy");
            assertRelative(a, p.a(), "a");
            assertRelative(bn, p.bn(), "bn");
            double[] muHat = p.mu();
            double muScale = CommonOps_DDRM.elementMaxAbs(mu);
            for (int i = 0; i < d; i++) {
                assertEquals(mu.get(i), muHat[i], 1e-9 * muScale, "mu[" + i + "]");
            }
            // L L^T reproduces Lambda, and L is lower triangular.
            double[] L = p.choleskyLower();
            double lambdaScale = CommonOps_DDRM.elementMaxAbs(Lambda);
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double v = 0;
                    for (int m = 0; m < d; m++) {
                        v += L[i * d + m] * L[j * d + m];
                    }
                    assertEquals(Lambda.get(i, j), v, 1e-9 * lambdaScale, "Lambda(" + i + "," + j + ")");
                    if (j > i) {
                        assertEquals(0.0, L[i * d + j], "above the diagonal");
                    }
                }
            }
            // The statistics hold A = Z^T Z exactly as accumulated.
            DMatrixRMaj A = new DMatrixRMaj(d, d);
            CommonOps_DDRM.multTransA(Z, Z, A);
            assertArrayEquals(A.data, s.A(), 1e-9 * lambdaScale);
        }
    }

    @Test
    void priorPosteriorIsZeroMeanWithPriorParameters() {
        NormalInverseGammaPosterior p = NormalInverseGammaPosterior.prior(4, NigPrior.WHEEL_PAPER);
        assertArrayEquals(new double[4], p.mu());
        assertEquals(6.0, p.a());
        assertEquals(6.0, p.bn());
        assertEquals(0L, p.version());
        double[] L = p.choleskyLower();
        for (int i = 0; i < 4; i++) {
            assertEquals(Math.sqrt(0.25), L[i * 4 + i], 1e-15);
        }
        // Var(z . beta) = b0 / (a0 - 1) * |z|^2 / lambda for the prior.
        assertEquals(6.0 / 5.0 * 2.0 / 0.25, p.scoreVariance(new float[]{1, 1, 0, 0}), 1e-12);
    }

    @Test
    void sampledBetaHasPosteriorMeanAndCovariance() {
        // A posterior with a non-diagonal Lambda so that a transposed factor would show.
        int d = 3;
        UniformRandomProvider dataRng = RandomSource.XO_RO_SHI_RO_128_PP.create(11L);
        ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(dataRng);
        SufficientStatistics s = SufficientStatistics.empty(d);
        for (int t = 0; t < 16; t++) {
            float[] z = {(float) gauss.sample(), (float) (gauss.sample() + 0.8 * t / 16), 1f};
            s.update(z, 0.5 * z[0] - z[1] + 0.2 * gauss.sample());
        }
        NormalInverseGammaPosterior p = NormalInverseGammaPosterior.fromStatistics(s, NigPrior.DEFAULT);
        assertTrue(p.a() > 2, "finite fourth moments are needed for the covariance check");

        double[] mu = p.mu();
        double[] Sigma = covariance(p); // bn / (a - 1) Lambda^-1
        int N = 400_000;
        double[][] draws = new double[N][d];
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(2024L);
        for (int t = 0; t < N; t++) {
            p.sampleBeta(rng, draws[t]);
        }
        double[] mean = new double[d];
        for (double[] beta : draws) {
            for (int i = 0; i < d; i++) {
                mean[i] += beta[i] / N;
            }
        }
        // Mean: standard error sqrt(Sigma_ii / N), 5 standard errors.
        for (int i = 0; i < d; i++) {
            double se = Math.sqrt(Sigma[i * d + i] / N);
            assertEquals(mu[i], mean[i], 5 * se, "mean of beta[" + i + "]");
        }
        // Covariance: the sample covariance entry is a mean of N products x_i x_j of centred draws; its standard
        // error is the standard deviation of those products over sqrt(N), estimated from the same draws.
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = 0;
                double sumSq = 0;
                for (double[] beta : draws) {
                    double prod = (beta[i] - mean[i]) * (beta[j] - mean[j]);
                    sum += prod;
                    sumSq += prod * prod;
                }
                double cov = sum / N;
                double se = Math.sqrt((sumSq / N - cov * cov) / N);
                assertEquals(Sigma[i * d + j], cov, 5 * se, "Cov(beta[" + i + "], beta[" + j + "])");
            }
        }
        // The check can tell the right scale from a plausible wrong one: bn / a instead of bn / (a - 1).
        double wrong = Sigma[0] * (p.a() - 1) / p.a();
        double sum = 0;
        for (double[] beta : draws) {
            sum += (beta[0] - mean[0]) * (beta[0] - mean[0]);
        }
        assertTrue(Math.abs(sum / N - wrong) > 5 * Math.abs(sum / N - Sigma[0]));
    }

    @Test
    void snapshotRebuildsAnIdenticalPosterior() {
        SufficientStatistics s = SufficientStatistics.empty(3);
        s.update(new float[]{1, 2, 3}, 1);
        s.update(new float[]{-1, 0.5f, 1}, 0);
        NormalInverseGammaPosterior p = NormalInverseGammaPosterior.fromStatistics(s, NigPrior.DEFAULT);
        NormalInverseGammaPosterior q = NormalInverseGammaPosterior.of(3, p.mu(), p.choleskyLower(), p.a(), p.bn(),
                p.version());
        double[] b1 = new double[3];
        double[] b2 = new double[3];
        p.sampleBeta(RandomSource.XO_RO_SHI_RO_128_PP.create(5L), b1);
        q.sampleBeta(RandomSource.XO_RO_SHI_RO_128_PP.create(5L), b2);
        assertArrayEquals(b1, b2, 0.0);
        assertEquals(2L, q.version());
        assertEquals(p.meanScore(new float[]{1, 1, 1}), q.meanScore(new float[]{1, 1, 1}), 0.0);
    }

    @Test
    void snapshotWithInvalidValuesIsRejected() {
        double[] mu = {0, 0};
        double[] L = {1, 0, 0.5, 1};
        assertMessage(() -> NormalInverseGammaPosterior.of(2, new double[3], L, 1, 1, 0), "mu must have length");
        assertMessage(() -> NormalInverseGammaPosterior.of(2, mu, new double[3], 1, 1, 0), "choleskyLower must have");
        assertMessage(() -> NormalInverseGammaPosterior.of(2, mu, new double[]{1, 0.5, 0, 1}, 1, 1, 0),
                "lower triangular");
        assertMessage(() -> NormalInverseGammaPosterior.of(2, mu, new double[]{1, 0, 0, 0}, 1, 1, 0),
                "diagonal entry (1,1)");
        assertMessage(() -> NormalInverseGammaPosterior.of(2, new double[]{Double.NaN, 0}, L, 1, 1, 0),
                "mu[0] is not finite");
        assertMessage(() -> NormalInverseGammaPosterior.of(2, mu, L, 0, 1, 0), "a must be");
        assertMessage(() -> NormalInverseGammaPosterior.of(2, mu, L, 1, -1, 0), "bn must be");
    }

    @Test
    void nearlyPerfectFitKeepsBnPositive() {
        // Huge rewards that the model fits exactly: yy - mu^T Lambda mu cancels to round-off.
        SufficientStatistics s = SufficientStatistics.empty(1);
        for (int t = 0; t < 1000; t++) {
            s.update(new float[]{1e4f}, 1e12);
        }
        NormalInverseGammaPosterior p = NormalInverseGammaPosterior.fromStatistics(s, new NigPrior(1e-12, 1, 1e-6));
        assertTrue(p.bn() >= 1e-6 * 1e-9, "bn = " + p.bn());
        double[] beta = new double[1];
        p.sampleBeta(RandomSource.XO_RO_SHI_RO_128_PP.create(1L), beta);
        assertTrue(Double.isFinite(beta[0]));
    }

    @Test
    void priorRejectsNonPositiveParametersWithTheirName() {
        assertMessage(() -> new NigPrior(0, 1, 1), "lambda");
        assertMessage(() -> new NigPrior(1, -2, 1), "a0");
        assertMessage(() -> new NigPrior(1, 1, Double.NaN), "b0");
        assertEquals(0.25, NigPrior.DEFAULT.b0() / (NigPrior.DEFAULT.a0() - 1), 0.0);
    }

    @Test
    void statisticsRejectWrongLengthsAndNonFiniteValuesWithoutChanging() {
        SufficientStatistics s = SufficientStatistics.empty(2);
        assertMessage(() -> s.update(new float[3], 1), "length 2");
        assertMessage(() -> s.update(new float[]{1, Float.NaN}, 1), "z[1]");
        assertMessage(() -> s.update(new float[]{1, 1}, Double.POSITIVE_INFINITY), "reward");
        assertEquals(0L, s.version());
        assertEquals(0.0, s.n());
        assertMessage(() -> SufficientStatistics.of(1, new double[3], new double[2], 1, 1), "d * d = 4");
        assertMessage(() -> SufficientStatistics.of(-1, new double[4], new double[2], 1, 1), "n must be");
        assertMessage(() -> SufficientStatistics.of(1, new double[]{1, 2, 3, 4}, new double[2], 1, 1),
                "A must be symmetric, but A(1,0) = 3.0 and A(0,1) = 2.0");
        assertMessage(() -> SufficientStatistics.of(1, new double[]{1, 0, 0, Double.NaN}, new double[2], 1, 1),
                "A[3] is not finite");
    }

    @Test
    void statisticsRoundTripAndScaleForForgetting() {
        SufficientStatistics s = SufficientStatistics.empty(2);
        s.update(new float[]{1, 2}, 3);
        SufficientStatistics t = SufficientStatistics.of(s.n(), s.A(), s.b(), s.yy(), s.version());
        assertArrayEquals(new double[]{1, 2, 2, 4}, t.A());
        assertArrayEquals(new double[]{3, 6}, t.b());
        assertEquals(9.0, t.yy());
        t.scale(0.5);
        assertArrayEquals(new double[]{0.5, 1, 1, 2}, t.A());
        assertArrayEquals(new double[]{1.5, 3}, t.b());
        assertEquals(4.5, t.yy());
        assertEquals(0.5, t.n());
        assertEquals(2L, t.version());
        // The copy and the getters are independent of the original.
        s.A()[0] = 99;
        assertEquals(1.0, s.A()[0]);
        assertEquals(1.0, s.copy().A()[0]);
    }

    /** bn / (a - 1) Lambda^-1 from L, row-major. */
    static double[] covariance(NormalInverseGammaPosterior p) {
        int d = p.dimension();
        DMatrixRMaj L = DMatrixRMaj.wrap(d, d, p.choleskyLower());
        DMatrixRMaj Lambda = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransB(L, L, Lambda);
        DMatrixRMaj inv = new DMatrixRMaj(d, d);
        assertTrue(CommonOps_DDRM.invert(Lambda, inv));
        CommonOps_DDRM.scale(p.bn() / (p.a() - 1), inv);
        return inv.data;
    }

    private static void assertRelative(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-9 * Math.max(1, Math.abs(expected)), what);
    }

    static void assertMessage(Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should mention '" + fragment + "'");
    }
}
