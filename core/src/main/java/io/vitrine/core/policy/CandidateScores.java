package io.vitrine.core.policy;

import io.vitrine.core.posterior.NormalInverseGammaPosterior;

/**
 * The per-decision part of the score of K candidates under one posterior: with {@code Lambda = L L^T} and a
 * draw {@code beta = mu + sqrt(s2) L^-T eps},
 * <pre>
 *   z_a . beta = m_a + sqrt(s2) (w_a . eps),   m_a = z_a . mu,   w_a = L^-1 z_a.
 * </pre>
 * m and w are computed once per decision; a draw then costs d normals and K d multiply-adds.
 * <p>
 * <b>Speed.</b> The loops work on four candidates at a time with four independent sums. A single dot product
 * or forward substitution is a chain in which every add waits for the previous one; four interleaved chains
 * keep the floating-point units busy. (Measured alternatives: vectorising across candidates, with w
 * transposed, was no faster, the vector loops being too short for K = 20; eight chains were slower than four,
 * the registers no longer sufficing.) Each candidate's sum still adds its terms in the
 * order of {@link NormalInverseGammaPosterior#meanScore}, {@link NormalInverseGammaPosterior#whiten} and a
 * plain dot product, so the results are bitwise those of the one-candidate-at-a-time code.
 * <p>
 * Not thread-safe: one decision's working state.
 */
final class CandidateScores {

    final int K;
    final int d;
    /** m_a = z_a . mu. */
    final double[] m;
    /** w[a] = L^-1 z_a. */
    final double[][] w;

    private CandidateScores(int K, int d, double[] m, double[][] w) {
        this.K = K;
        this.d = d;
        this.m = m;
        this.w = w;
    }

    /** m and w for each embedding; the embeddings must already be checked (length d, finite). O(K d^2). */
    static CandidateScores of(NormalInverseGammaPosterior posterior, float[][] embeddings) {
        int K = embeddings.length;
        int d = posterior.dimension();
        // Copies, d^2 + d doubles: the posterior hands out no views of its arrays.
        double[] L = posterior.choleskyLower();
        double[] mu = posterior.mu();
        double[] m = new double[K];
        double[][] w = new double[K][d];
        int a = 0;
        for (; a + 4 <= K; a += 4) {
            whiten4(L, mu, d, embeddings, a, w, m);
        }
        for (; a < K; a++) {
            whiten1(L, mu, d, embeddings[a], w[a], m, a);
        }
        return new CandidateScores(K, d, m, w);
    }

    /**
     * m and w of candidates a .. a + 3. w[i] = (z[i] - sum_{j &lt; i} L[i][j] w[j]) / L[i][i], summed from j = 0
     * like EJML's {@code TriangularSolver_DDRM.solveL} behind {@code whiten}.
     */
    private static void whiten4(double[] L, double[] mu, int d, float[][] z, int a, double[][] w, double[] m) {
        float[] z0 = z[a];
        float[] z1 = z[a + 1];
        float[] z2 = z[a + 2];
        float[] z3 = z[a + 3];
        double[] w0 = w[a];
        double[] w1 = w[a + 1];
        double[] w2 = w[a + 2];
        double[] w3 = w[a + 3];
        double m0 = 0;
        double m1 = 0;
        double m2 = 0;
        double m3 = 0;
        for (int i = 0; i < d; i++) {
            double mui = mu[i];
            m0 += z0[i] * mui;
            m1 += z1[i] * mui;
            m2 += z2[i] * mui;
            m3 += z3[i] * mui;
        }
        m[a] = m0;
        m[a + 1] = m1;
        m[a + 2] = m2;
        m[a + 3] = m3;
        for (int i = 0; i < d; i++) {
            double s0 = z0[i];
            double s1 = z1[i];
            double s2 = z2[i];
            double s3 = z3[i];
            int row = i * d;
            for (int j = 0; j < i; j++) {
                double lij = L[row + j];
                s0 -= lij * w0[j];
                s1 -= lij * w1[j];
                s2 -= lij * w2[j];
                s3 -= lij * w3[j];
            }
            double lii = L[row + i];
            w0[i] = s0 / lii;
            w1[i] = s1 / lii;
            w2[i] = s2 / lii;
            w3[i] = s3 / lii;
        }
    }

    private static void whiten1(double[] L, double[] mu, int d, float[] z, double[] w, double[] m, int a) {
        double ma = 0;
        for (int i = 0; i < d; i++) {
            ma += z[i] * mu[i];
        }
        m[a] = ma;
        for (int i = 0; i < d; i++) {
            double s = z[i];
            int row = i * d;
            for (int j = 0; j < i; j++) {
                s -= L[row + j] * w[j];
            }
            w[i] = s / L[row + i];
        }
    }

    /** scores_a = m_a + sqrtS2 (w_a . eps), each dot product summed over i in order from 0. */
    void scores(double sqrtS2, double[] eps, double[] scores) {
        int a = 0;
        for (; a + 4 <= K; a += 4) {
            double[] w0 = w[a];
            double[] w1 = w[a + 1];
            double[] w2 = w[a + 2];
            double[] w3 = w[a + 3];
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int i = 0; i < d; i++) {
                double e = eps[i];
                s0 += w0[i] * e;
                s1 += w1[i] * e;
                s2 += w2[i] * e;
                s3 += w3[i] * e;
            }
            scores[a] = m[a] + sqrtS2 * s0;
            scores[a + 1] = m[a + 1] + sqrtS2 * s1;
            scores[a + 2] = m[a + 2] + sqrtS2 * s2;
            scores[a + 3] = m[a + 3] + sqrtS2 * s3;
        }
        for (; a < K; a++) {
            double[] wa = w[a];
            double s = 0;
            for (int i = 0; i < d; i++) {
                s += wa[i] * eps[i];
            }
            scores[a] = m[a] + sqrtS2 * s;
        }
    }
}
