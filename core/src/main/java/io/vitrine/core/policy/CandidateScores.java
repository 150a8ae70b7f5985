package io.vitrine.core.policy;

import io.vitrine.core.posterior.NormalInverseGammaPosterior;

/**
 * The per-decision part of the score of K candidates under one posterior: with {@code Lambda = L L^T} and a
 * draw {@code beta = mu + sqrt(s2) L^-T eps},
 * <pre>
 *   z_a . beta = m_a + sqrt(s2) (w_a . eps),   m_a = z_a . mu,   w_a = L^-1 z_a.
 * </pre>
 * m and w are computed once per decision ({@link NormalInverseGammaPosterior#whitenAll}); a draw then costs d
 * normals and K d multiply-adds.
 * <p>
 * <b>Speed.</b> The loops work on four candidates at a time with four independent sums. A single dot product is a
 * chain in which every add waits for the previous one; four interleaved chains keep the floating-point units busy.
 * (Measured alternatives: vectorising across candidates, with w transposed, was no faster, the vector loops being
 * too short for K = 20; eight chains were slower than four, the registers no longer sufficing.) Each candidate's
 * sum still adds its terms in the order of a plain dot product, so the results are bitwise those of the
 * one-candidate-at-a-time code.
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
        double[] m = new double[K];
        double[][] w = new double[K][d];
        posterior.whitenAll(embeddings, m, w);
        return new CandidateScores(K, d, m, w);
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
