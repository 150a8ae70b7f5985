package io.vitrine.core.posterior;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.AhrensDieterMarsagliaTsangGammaSampler;
import org.apache.commons.rng.sampling.distribution.ContinuousSampler;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;

/**
 * Normal-Inverse-Gamma posterior of the linear reward model {@code r = z . beta + noise, noise ~ N(0, s2)}
 * under a {@link NigPrior} (lambda, a0, b0) and {@link SufficientStatistics} (A, b, yy, n):
 * <pre>
 *   Lambda = A + lambda I          = L L^T (Cholesky, L lower triangular)
 *   mu     = Lambda^-1 b
 *   a      = a0 + n / 2
 *   bn     = b0 + (yy - mu^T Lambda mu) / 2
 *
 *   s2          ~ InvGamma(a, bn)
 *   beta | s2   ~ N(mu, s2 Lambda^-1)
 * </pre>
 * Marginally beta is multivariate Student t with 2a degrees of freedom, location mu and scale
 * (bn / a) Lambda^-1. Immutable and thread-safe; holds mu and L, not Lambda, because sampling and scoring only
 * need those.
 */
public final class NormalInverseGammaPosterior {

    private final int d;
    private final double[] mu;
    /** Row-major d x d lower-triangular Cholesky factor of Lambda, zeros above the diagonal. */
    private final double[] L;
    private final double a;
    private final double bn;
    private final long version;

    private NormalInverseGammaPosterior(int d, double[] mu, double[] L, double a, double bn, long version) {
        this.d = d;
        this.mu = mu;
        this.L = L;
        this.a = a;
        this.bn = bn;
        this.version = version;
    }

    /** The posterior given the statistics; it carries the statistics' version. O(d^3) for the Cholesky factor. */
    public static NormalInverseGammaPosterior fromStatistics(SufficientStatistics s, NigPrior prior) {
        if (s == null || prior == null) {
            throw new IllegalArgumentException("statistics and prior must not be null");
        }
        int d = s.dimension();
        DMatrixRMaj Lambda = new DMatrixRMaj(d, d);
        System.arraycopy(s.AUnsafe(), 0, Lambda.data, 0, d * d);
        for (int i = 0; i < d; i++) {
            Lambda.data[i * d + i] += prior.lambda();
        }
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(d, true);
        if (!chol.decompose(Lambda)) {
            // A + lambda I with lambda > 0 is positive definite; failing here means A is not a sum of z z^T.
            throw new IllegalArgumentException("A + lambda I is not positive definite: the statistics are corrupt");
        }
        double[] L = lowerTriangle(chol.getT(null).data, d);

        // mu = Lambda^-1 b = L^-T (L^-1 b): two triangular solves in place.
        double[] b = s.bUnsafe();
        double[] mu = b.clone();
        TriangularSolver_DDRM.solveL(L, mu, d);
        TriangularSolver_DDRM.solveTranL(L, mu, d);

        double a = prior.a0() + s.n() / 2;
        // mu^T Lambda mu = mu^T b because Lambda mu = b.
        double muLambdaMu = 0;
        for (int i = 0; i < d; i++) {
            muLambdaMu += mu[i] * b[i];
        }
        double bn = prior.b0() + (s.yy() - muLambdaMu) / 2;
        // yy - mu^T Lambda mu is a residual sum of squares plus a ridge penalty, so >= 0 in exact arithmetic.
        // When the data fit almost perfectly, cancellation between two large numbers can make it slightly
        // negative and bn could reach 0 or below, which is not a valid inverse-gamma scale.
        bn = Math.max(bn, prior.b0() * 1e-9);
        return new NormalInverseGammaPosterior(d, mu, L, a, bn, s.version());
    }

    /** The prior itself: mu = 0, Lambda = lambda I, a = a0, bn = b0, version 0. */
    public static NormalInverseGammaPosterior prior(int d, NigPrior prior) {
        return fromStatistics(SufficientStatistics.empty(d), prior);
    }

    /**
     * Rebuilds a posterior from a published snapshot (arrays are copied).
     *
     * @param choleskyLower row-major d x d lower-triangular factor L of Lambda, zeros above the diagonal
     */
    public static NormalInverseGammaPosterior of(int d, double[] mu, double[] choleskyLower, double a, double bn,
                                                 long version) {
        SufficientStatistics.requireDimension(d);
        if (mu == null || mu.length != d) {
            throw new IllegalArgumentException("mu must have length d = " + d + ", got "
                    + (mu == null ? "null" : mu.length));
        }
        if (choleskyLower == null || choleskyLower.length != d * d) {
            throw new IllegalArgumentException("choleskyLower must have d * d = " + (d * d) + " entries, got "
                    + (choleskyLower == null ? "null" : choleskyLower.length));
        }
        SufficientStatistics.requireFinite("mu", mu);
        SufficientStatistics.requireFinite("choleskyLower", choleskyLower);
        for (int i = 0; i < d; i++) {
            if (!(choleskyLower[i * d + i] > 0)) {
                throw new IllegalArgumentException("choleskyLower diagonal entry (" + i + "," + i
                        + ") must be > 0, got " + choleskyLower[i * d + i]);
            }
            for (int j = i + 1; j < d; j++) {
                if (choleskyLower[i * d + j] != 0) {
                    throw new IllegalArgumentException("choleskyLower must be lower triangular (row-major), but entry ("
                            + i + "," + j + ") above the diagonal is " + choleskyLower[i * d + j]
                            + "; was the upper factor or a column-major array given?");
                }
            }
        }
        if (!(a > 0) || Double.isInfinite(a)) {
            throw new IllegalArgumentException("a must be a finite number > 0, got " + a);
        }
        if (!(bn > 0) || Double.isInfinite(bn)) {
            throw new IllegalArgumentException("bn must be a finite number > 0, got " + bn);
        }
        return new NormalInverseGammaPosterior(d, mu.clone(), choleskyLower.clone(), a, bn, version);
    }

    public int dimension() {
        return d;
    }

    /** A copy of mu. */
    public double[] mu() {
        return mu.clone();
    }

    /** A copy of L (Lambda = L L^T), row-major d x d, lower triangle, zeros above the diagonal. */
    public double[] choleskyLower() {
        return L.clone();
    }

    public double a() {
        return a;
    }

    public double bn() {
        return bn;
    }

    public long version() {
        return version;
    }

    /** Posterior mean score {@code z . mu}. */
    public double meanScore(float[] z) {
        requireEmbedding(z);
        double m = 0;
        for (int i = 0; i < d; i++) {
            m += z[i] * mu[i];
        }
        return m;
    }

    /** Posterior mean of the noise variance, E[s2] = bn / (a - 1); infinite when a &lt;= 1. */
    public double meanNoiseVariance() {
        return a > 1 ? bn / (a - 1) : Double.POSITIVE_INFINITY;
    }

    /**
     * Posterior variance of the score, {@code Var(z . beta) = E[s2] z^T Lambda^-1 z = bn / (a - 1) |L^-1 z|^2};
     * infinite when a &lt;= 1.
     */
    public double scoreVariance(float[] z) {
        double[] w = new double[d];
        whiten(z, w);
        double ww = 0;
        for (int i = 0; i < d; i++) {
            ww += w[i] * w[i];
        }
        return meanNoiseVariance() * ww;
    }

    /**
     * {@code w = L^-1 z}, so that {@code z^T Lambda^-1 z = |w|^2} and, for {@code beta = mu + sqrt(s2) L^-T eps},
     * {@code z . beta = z . mu + sqrt(s2) (w . eps)}. One forward substitution, O(d^2), no allocation.
     */
    public void whiten(float[] z, double[] w) {
        requireEmbedding(z);
        if (w == null || w.length != d) {
            throw new IllegalArgumentException("output w must have length " + d);
        }
        for (int i = 0; i < d; i++) {
            w[i] = z[i];
        }
        TriangularSolver_DDRM.solveL(L, w, d);
    }

    /**
     * Draws beta from the posterior into {@code beta} (length d):
     * <pre>
     *   s2   = 1 / g,  g ~ Gamma(shape a, scale 1 / bn)     (s2 ~ InvGamma(a, bn))
     *   eps  ~ N(0, I_d)
     *   beta = mu + sqrt(s2) L^-T eps                        (Cov = s2 L^-T L^-1 = s2 Lambda^-1)
     * </pre>
     * Consumes the generator in this order: s2 first, then eps[0..d-1]. Deterministic for a given generator state.
     */
    public void sampleBeta(UniformRandomProvider rng, double[] beta) {
        if (rng == null) {
            throw new IllegalArgumentException("rng must not be null");
        }
        if (beta == null || beta.length != d) {
            throw new IllegalArgumentException("beta must have length " + d);
        }
        double sqrtS2 = Math.sqrt(sampleNoiseVariance(gammaSampler(rng)));
        ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(rng);
        for (int i = 0; i < d; i++) {
            beta[i] = gaussian.sample();
        }
        TriangularSolver_DDRM.solveTranL(L, beta, d);
        for (int i = 0; i < d; i++) {
            beta[i] = mu[i] + sqrtS2 * beta[i];
        }
    }

    /** A sampler of Gamma(shape a, scale 1 / bn), the precision 1 / s2, bound to {@code rng}. */
    public ContinuousSampler gammaSampler(UniformRandomProvider rng) {
        return AhrensDieterMarsagliaTsangGammaSampler.of(rng, a, 1 / bn);
    }

    /**
     * s2 = 1 / g for one draw g of {@code gammaSampler}. A draw that underflows to 0 (possible only for tiny a)
     * is clamped so that s2 stays finite.
     */
    public static double sampleNoiseVariance(ContinuousSampler gammaSampler) {
        return 1 / Math.max(gammaSampler.sample(), Double.MIN_NORMAL);
    }

    @Override
    public String toString() {
        return "NormalInverseGammaPosterior{d=" + d + ", a=" + a + ", bn=" + bn + ", version=" + version + "}";
    }

    private void requireEmbedding(float[] z) {
        if (z == null || z.length != d) {
            throw new IllegalArgumentException("embedding z must have length " + d + ", got "
                    + (z == null ? "null" : z.length));
        }
    }

    private static double[] lowerTriangle(double[] factor, int d) {
        double[] L = factor.clone();
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                L[i * d + j] = 0;
            }
        }
        return L;
    }
}
