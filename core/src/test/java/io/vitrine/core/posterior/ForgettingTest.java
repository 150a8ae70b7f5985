package io.vitrine.core.posterior;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForgettingTest {

    @Test
    void factorHalvesTheWeightEveryHalfLife() {
        Forgetting f = Forgetting.halfLife(100);
        assertEquals(0.5, Math.pow(f.factor(), 100), 1e-12);
        assertTrue(f.enabled());
        assertEquals(1.0, Forgetting.NONE.factor());
        assertFalse(Forgetting.NONE.enabled());
        assertThrows(IllegalArgumentException.class, () -> Forgetting.halfLife(0));
        assertThrows(IllegalArgumentException.class, () -> Forgetting.halfLife(Double.NaN));
    }

    /**
     * After n forgetting updates the posterior is the weighted least-squares solution with weights
     * w_i = gamma^(n-1-i):
     * <pre>
     *   Lambda = Z^T W Z + lambda I,  mu = Lambda^-1 Z^T W r,  a = a0 + (sum w) / 2,
     *   b_n = b0 + (sum w r^2 - mu^T Lambda mu) / 2
     * </pre>
     * built here in one batch with EJML.
     */
    @Test
    void forgettingUpdatesEqualTheWeightedBatchSolution() {
        int n = 300;
        int d = 4;
        NigPrior prior = new NigPrior(0.5, 3, 2);
        Forgetting forgetting = Forgetting.halfLife(40);
        double gamma = forgetting.factor();
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(9);
        ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(rng);

        SufficientStatistics s = SufficientStatistics.empty(d);
        DMatrixRMaj Z = new DMatrixRMaj(n, d);
        DMatrixRMaj WZ = new DMatrixRMaj(n, d);
        DMatrixRMaj r = new DMatrixRMaj(n, 1);
        double sumW = 0;
        double yyW = 0;
        for (int i = 0; i < n; i++) {
            float[] z = new float[d];
            for (int j = 0; j < d; j++) {
                z[j] = (float) gaussian.sample();
            }
            // A drifting truth, the case forgetting is for.
            double ri = z[0] * (1 + i / 100.0) - z[1] + 0.3 * gaussian.sample();
            forgetting.update(s, z, ri);

            double w = Math.pow(gamma, n - 1 - i);
            for (int j = 0; j < d; j++) {
                Z.set(i, j, z[j]);
                WZ.set(i, j, w * z[j]);
            }
            r.set(i, 0, ri);
            sumW += w;
            yyW += w * ri * ri;
        }
        DMatrixRMaj Lambda = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(Z, WZ, Lambda);
        for (int j = 0; j < d; j++) {
            Lambda.add(j, j, prior.lambda());
        }
        DMatrixRMaj b = new DMatrixRMaj(d, 1);
        CommonOps_DDRM.multTransA(WZ, r, b);
        DMatrixRMaj mu = new DMatrixRMaj(d, 1);
        assertTrue(CommonOps_DDRM.solve(Lambda, b, mu));
        double muLambdaMu = 0;
        for (int j = 0; j < d; j++) {
            muLambdaMu += mu.get(j) * b.get(j);
        }
        double a = prior.a0() + sumW / 2;
        double bn = prior.b0() + (yyW - muLambdaMu) / 2;

        NormalInverseGammaPosterior p = NormalInverseGammaPosterior.fromStatistics(s, prior);
        assertEquals(sumW, s.n(), 1e-9);
        assertEquals(a, p.a(), 1e-9);
        assertEquals(bn, p.bn(), 1e-9);
        double[] pMu = p.mu();
        for (int j = 0; j < d; j++) {
            assertEquals(mu.get(j), pMu[j], 1e-9, "mu[" + j + "]");
        }
        // Lambda = L L^T.
        DMatrixRMaj L = DMatrixRMaj.wrap(d, d, p.choleskyLower());
        DMatrixRMaj LLt = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransB(L, L, LLt);
        for (int i = 0; i < d * d; i++) {
            assertEquals(Lambda.get(i), LLt.get(i), 1e-9, "Lambda entry " + i);
        }
        // The effective sample size is bounded by 1 / (1 - gamma), about 1.44 half-lives.
        assertTrue(s.n() < 1 / (1 - gamma));
    }

    @Test
    void noForgettingIsThePlainUpdate() {
        SufficientStatistics plain = SufficientStatistics.empty(2);
        SufficientStatistics none = SufficientStatistics.empty(2);
        float[] z = {1f, -2f};
        plain.update(z, 0.5);
        Forgetting.NONE.update(none, z, 0.5);
        assertEquals(plain.toString(), none.toString());
    }

    @Test
    void anInvalidObservationChangesNothing() {
        SufficientStatistics s = SufficientStatistics.empty(2);
        s.update(new float[]{1f, 1f}, 1.0);
        String before = s.toString();
        assertThrows(IllegalArgumentException.class, () -> s.update(new float[]{1f}, 1.0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> s.update(new float[]{1f, 1f}, Double.NaN, 0.5));
        assertThrows(IllegalArgumentException.class, () -> s.update(new float[]{1f, 1f}, 1.0, 1.5));
        assertEquals(before, s.toString());
    }
}
