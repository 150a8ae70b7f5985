package io.vitrine.core.policy;

/**
 * The random part of the K scores in K dimensions instead of d. With W the K x d matrix of rows
 * {@code w_a = L^-1 z_a} (see {@link CandidateScores}), the scores of a draw are
 * {@code m + sqrt(s2) W eps}, eps ~ N(0, I_d), and {@code W eps ~ N(0, W W^T)}. If {@code W W^T = C C^T}
 * (Cholesky, C lower triangular K x K), then {@code C u} with u ~ N(0, I_K) has the same distribution, so
 * <pre>
 *   scores = m + sqrt(s2) C u
 * </pre>
 * is an exact replacement: K normals and K (K + 1) / 2 multiply-adds per draw instead of d normals and K d.
 * Worth it when K &lt; d and the draws are many (the propensity Monte Carlo); the factor costs K^2 d / 2 + K^3 / 6
 * multiply-adds once per decision.
 * <p>
 * W W^T is singular when the embeddings are linearly dependent (two identical candidates, more candidates than
 * dimensions). {@link #of} then returns null and the caller draws in d dimensions: a factor of a singular
 * matrix would turn the exact ties of identical candidates into ties broken by rounding.
 * <p>
 * Not thread-safe: one decision's working state.
 */
final class ScoreFactor {

    /**
     * A pivot below this fraction of its diagonal entry of W W^T means the candidate's w is, to rounding, a
     * combination of the previous ones. Relative pivots of independent embeddings are far above it; those of
     * dependent ones are at the level of rounding, about 1e-16.
     */
    static final double RANK_TOLERANCE = 1e-10;

    private final int K;
    /** C row by row, c[a][j] for j &lt;= a; zero above the diagonal, so that rows can be processed in blocks. */
    private final double[][] c;

    private ScoreFactor(int K, double[][] c) {
        this.K = K;
        this.c = c;
    }

    /**
     * The factor of W W^T, or null if W W^T is numerically singular.
     * <p>
     * Hand-written rather than EJML's Cholesky: it must report rank deficiency relative to each diagonal entry
     * (EJML only rejects pivots &lt;= 0), and it runs once per decision on the rows w_a as they are, without
     * building matrix objects.
     */
    static ScoreFactor of(CandidateScores scores) {
        int K = scores.K;
        int d = scores.d;
        double[][] w = scores.w;
        // c first holds the lower triangle of G = W W^T, G[a][b] = w_a . w_b, then C in its place.
        double[][] c = new double[K][K];
        for (int a = 0; a < K; a++) {
            double[] wa = w[a];
            double[] ga = c[a];
            int b = 0;
            // Four dot products at a time, four independent sums (see CandidateScores).
            for (; b + 4 <= a + 1; b += 4) {
                double[] w0 = w[b];
                double[] w1 = w[b + 1];
                double[] w2 = w[b + 2];
                double[] w3 = w[b + 3];
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                for (int i = 0; i < d; i++) {
                    double x = wa[i];
                    s0 += x * w0[i];
                    s1 += x * w1[i];
                    s2 += x * w2[i];
                    s3 += x * w3[i];
                }
                ga[b] = s0;
                ga[b + 1] = s1;
                ga[b + 2] = s2;
                ga[b + 3] = s3;
            }
            for (; b <= a; b++) {
                double[] wb = w[b];
                double s = 0;
                for (int i = 0; i < d; i++) {
                    s += wa[i] * wb[i];
                }
                ga[b] = s;
            }
        }
        // Cholesky-Crout in place, row by row: C[a][b] = (G[a][b] - sum_{j < b} C[a][j] C[b][j]) / C[b][b].
        for (int a = 0; a < K; a++) {
            double[] ca = c[a];
            for (int b = 0; b < a; b++) {
                double[] cb = c[b];
                double s = ca[b];
                for (int j = 0; j < b; j++) {
                    s -= ca[j] * cb[j];
                }
                ca[b] = s / cb[b];
            }
            double diagonal = ca[a];
            double pivot = diagonal;
            for (int j = 0; j < a; j++) {
                pivot -= ca[j] * ca[j];
            }
            // The negated comparison also catches NaN.
            if (!(pivot > RANK_TOLERANCE * diagonal)) {
                return null;
            }
            ca[a] = Math.sqrt(pivot);
        }
        return new ScoreFactor(K, c);
    }

    /**
     * scores = m + sqrtS2 C u, with u of length K. Four rows at a time with four independent sums; the zeros
     * above the diagonal cost at most three multiply-adds per row and spare a triangular inner loop.
     */
    void scores(double[] m, double sqrtS2, double[] u, double[] scores) {
        int a = 0;
        for (; a + 4 <= K; a += 4) {
            double[] c0 = c[a];
            double[] c1 = c[a + 1];
            double[] c2 = c[a + 2];
            double[] c3 = c[a + 3];
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int end = a + 4;
            for (int j = 0; j < end; j++) {
                double uj = u[j];
                s0 += c0[j] * uj;
                s1 += c1[j] * uj;
                s2 += c2[j] * uj;
                s3 += c3[j] * uj;
            }
            scores[a] = m[a] + sqrtS2 * s0;
            scores[a + 1] = m[a + 1] + sqrtS2 * s1;
            scores[a + 2] = m[a + 2] + sqrtS2 * s2;
            scores[a + 3] = m[a + 3] + sqrtS2 * s3;
        }
        for (; a < K; a++) {
            double[] ca = c[a];
            double s = 0;
            for (int j = 0; j <= a; j++) {
                s += ca[j] * u[j];
            }
            scores[a] = m[a] + sqrtS2 * s;
        }
    }
}
