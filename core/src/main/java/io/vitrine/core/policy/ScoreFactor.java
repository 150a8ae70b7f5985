package io.vitrine.core.policy;

/**
 * The random part of the K scores in r &lt;= K dimensions instead of d. With W the K x d matrix of rows
 * {@code w_a = L^-1 z_a} (see {@link CandidateScores}), the scores of a draw are
 * {@code m + sqrt(s2) W eps}, eps ~ N(0, I_d), and {@code W eps ~ N(0, W W^T)}. If {@code W W^T = C C^T}
 * with C a K x r matrix, r the rank of W, then {@code C u} with u ~ N(0, I_r) has the same distribution, so
 * <pre>
 *   scores = m + sqrt(s2) C u
 * </pre>
 * is an exact replacement: r normals and at most K r multiply-adds per draw instead of d normals and K d.
 * Worth it when K &lt; d and the draws are many (the propensity Monte Carlo); the factor costs K^2 d / 2 + K^3 / 6
 * multiply-adds once per decision.
 * <p>
 * <b>Rank.</b> C is the Cholesky factor of W W^T computed row by row, with a zero column for each candidate whose
 * w is, to rounding, a combination of the earlier ones (its pivot is below {@value #RANK_TOLERANCE} of its
 * diagonal entry); those columns are dropped. Embeddings are often dependent: the default encoder's z repeats
 * the context and has hidden units that are off for every candidate of a request, so 20 candidates in d = 32 may
 * span only 17 dimensions. What a dropped pivot leaves out is at most 1e-5 of that candidate's noise standard
 * deviation, far below anything that moves a propensity.
 * <p>
 * <b>Ties.</b> A candidate whose w equals an earlier candidate's gets that candidate's row of C exactly, so that
 * identical candidates tie exactly in every draw, as they do in d dimensions (the tie then goes to the lower
 * index); a factor computed for the repeated row would differ from the first by rounding.
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
    private final int rank;
    /** C row by row, r columns; row a has nonzeros only in its first rowLength[a] columns. */
    private final double[][] c;
    private final int[] rowLength;

    private ScoreFactor(int K, int rank, double[][] c, int[] rowLength) {
        this.K = K;
        this.rank = rank;
        this.c = c;
        this.rowLength = rowLength;
    }

    /** r, the number of normals a draw takes. */
    int rank() {
        return rank;
    }

    /**
     * The factor of W W^T, or null if W holds a value that is not finite.
     * <p>
     * Hand-written rather than EJML's Cholesky: it must find the rank relative to each diagonal entry and go on
     * past dependent rows (EJML rejects any pivot &lt;= 0), and it runs once per decision on the rows w_a as they
     * are, without building matrix objects.
     */
    static ScoreFactor of(CandidateScores scores) {
        int K = scores.K;
        int d = scores.d;
        double[][] w = scores.w;
        int[] firstEqual = firstEqualRows(w);
        // c first holds the lower triangle of G = W W^T, G[a][b] = w_a . w_b, then C in its place.
        double[][] c = new double[K][K];
        for (int a = 0; a < K; a++) {
            if (firstEqual[a] != a) {
                continue;
            }
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
        // Cholesky-Crout in place, row by row: C[a][b] = (G[a][b] - sum_{j < b} C[a][j] C[b][j]) / C[b][b], and a
        // zero column b where the pivot of row b vanished (G is only semidefinite then; in exact arithmetic the
        // numerator is zero too).
        boolean[] kept = new boolean[K];
        for (int a = 0; a < K; a++) {
            double[] ca = c[a];
            if (firstEqual[a] != a) {
                System.arraycopy(c[firstEqual[a]], 0, ca, 0, K);
                continue;
            }
            for (int b = 0; b < a; b++) {
                if (!kept[b]) {
                    ca[b] = 0;
                    continue;
                }
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
            if (Double.isNaN(pivot)) {
                return null;
            }
            kept[a] = pivot > RANK_TOLERANCE * diagonal;
            ca[a] = kept[a] ? Math.sqrt(pivot) : 0;
        }
        return compact(K, c, kept);
    }

    /** firstEqual[a]: the lowest index whose w equals w_a element for element (a itself if none). */
    private static int[] firstEqualRows(double[][] w) {
        int[] first = new int[w.length];
        java.util.Map<Integer, java.util.List<Integer>> byHash = new java.util.HashMap<>();
        for (int a = 0; a < w.length; a++) {
            first[a] = a;
            java.util.List<Integer> same = byHash.computeIfAbsent(java.util.Arrays.hashCode(w[a]),
                    h -> new java.util.ArrayList<>(1));
            for (int b : same) {
                if (java.util.Arrays.equals(w[a], w[b])) {
                    first[a] = b;
                    break;
                }
            }
            if (first[a] == a) {
                same.add(a);
            }
        }
        return first;
    }

    /** C without its zero columns. */
    private static ScoreFactor compact(int K, double[][] full, boolean[] kept) {
        int[] column = new int[K];
        int rank = 0;
        for (int b = 0; b < K; b++) {
            column[b] = kept[b] ? rank++ : -1;
        }
        double[][] c = new double[K][rank];
        int[] rowLength = new int[K];
        int length = 0;
        for (int a = 0; a < K; a++) {
            if (kept[a]) {
                length = column[a] + 1;
            }
            // Row a is zero past column a, and past the kept columns before it.
            rowLength[a] = length;
            for (int b = 0; b <= a; b++) {
                if (kept[b]) {
                    c[a][column[b]] = full[a][b];
                }
            }
        }
        // A repeated row copies its first row, which may be longer than the kept columns up to its own index.
        for (int a = 0; a < K; a++) {
            int last = 0;
            for (int j = 0; j < rank; j++) {
                if (c[a][j] != 0) {
                    last = j + 1;
                }
            }
            rowLength[a] = Math.max(rowLength[a], last);
        }
        return new ScoreFactor(K, rank, c, rowLength);
    }

    /**
     * scores = m + sqrtS2 C u, with u of length r. Four rows at a time with four independent sums, each over the
     * longest of the four rows; the zeros past a shorter row's end cost a few multiply-adds and spare a
     * triangular inner loop.
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
            int end = Math.max(Math.max(rowLength[a], rowLength[a + 1]), Math.max(rowLength[a + 2], rowLength[a + 3]));
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
            for (int j = 0; j < rowLength[a]; j++) {
                s += ca[j] * u[j];
            }
            scores[a] = m[a] + sqrtS2 * s;
        }
    }
}
