package io.vitrine.core.posterior;

import java.util.Arrays;

/**
 * Sufficient statistics of a Bayesian linear regression on embeddings z with rewards r:
 * <pre>
 *   A  = sum z z^T      (d x d, symmetric, stored full and row-major)
 *   b  = sum r z        (d)
 *   yy = sum r^2
 *   n  = number of observations (a double so that exponential forgetting can scale it)
 * </pre>
 * Together with a {@link NigPrior} they determine the posterior, see
 * {@link NormalInverseGammaPosterior#fromStatistics(SufficientStatistics, NigPrior)}.
 * <p>
 * Mutable and not thread-safe: one owner updates it (the learner's state store) and publishes snapshots.
 * {@link #version()} counts the changes so that a decision can name the posterior it was made with.
 */
public final class SufficientStatistics {

    private final int d;
    private double n;
    private final double[] A;
    private final double[] b;
    private double yy;
    private long version;

    private SufficientStatistics(int d, double n, double[] A, double[] b, double yy, long version) {
        this.d = d;
        this.n = n;
        this.A = A;
        this.b = b;
        this.yy = yy;
        this.version = version;
    }

    /** No observations yet, version 0. */
    public static SufficientStatistics empty(int d) {
        requireDimension(d);
        return new SufficientStatistics(d, 0.0, new double[d * d], new double[d], 0.0, 0L);
    }

    /**
     * Rebuilds statistics from stored values (the arrays are copied).
     *
     * @param A row-major d x d, length d * d
     * @param b length d
     */
    public static SufficientStatistics of(double n, double[] A, double[] b, double yy, long version) {
        if (b == null || A == null) {
            throw new IllegalArgumentException("A and b must not be null");
        }
        int d = b.length;
        requireDimension(d);
        if (A.length != d * d) {
            throw new IllegalArgumentException("A must have d * d = " + (d * d) + " entries for d = " + d
                    + " (the length of b), got " + A.length);
        }
        if (!(n >= 0) || Double.isInfinite(n)) {
            throw new IllegalArgumentException("n must be a finite number >= 0, got " + n);
        }
        if (!(yy >= 0) || Double.isInfinite(yy)) {
            throw new IllegalArgumentException("yy (sum of squared rewards) must be a finite number >= 0, got " + yy);
        }
        requireFinite("A", A);
        requireFinite("b", b);
        // Rank-1 updates keep A exactly symmetric; an asymmetric A is a transport or layout error.
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                double x = A[i * d + j];
                double y = A[j * d + i];
                if (Math.abs(x - y) > 1e-9 * Math.max(Math.abs(x), Math.abs(y))) {
                    throw new IllegalArgumentException("A must be symmetric, but A(" + i + "," + j + ") = " + x
                            + " and A(" + j + "," + i + ") = " + y);
                }
            }
        }
        return new SufficientStatistics(d, n, A.clone(), b.clone(), yy, version);
    }

    /**
     * Adds one observation in O(d^2): {@code A += z z^T, b += r z, yy += r^2, n += 1, version += 1}.
     *
     * @throws IllegalArgumentException if z has the wrong length or z or r are not finite; nothing is changed then
     */
    public void update(float[] z, double r) {
        requireObservation(z, r);
        add(z, r);
    }

    /**
     * Exponential forgetting then one observation: {@code scale(gamma)} followed by {@code update(z, r)}, so that
     * after n calls observation i (0-based) carries weight {@code gamma^(n-1-i)}. The arguments are checked before
     * anything changes. The version grows by 1: it counts observations, forgetting or not.
     *
     * @param gamma forgetting factor in (0, 1], e.g. {@link Forgetting#factor()}; 1 means no forgetting
     */
    public void update(float[] z, double r, double gamma) {
        requireObservation(z, r);
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("forgetting factor must be in (0, 1], got " + gamma);
        }
        if (gamma < 1) {
            multiply(gamma);
        }
        add(z, r);
    }

    private void requireObservation(float[] z, double r) {
        if (z == null || z.length != d) {
            throw new IllegalArgumentException("embedding z must have length " + d + ", got "
                    + (z == null ? "null" : z.length));
        }
        if (!Double.isFinite(r)) {
            throw new IllegalArgumentException("reward r must be finite, got " + r);
        }
        for (int i = 0; i < d; i++) {
            if (!Float.isFinite(z[i])) {
                throw new IllegalArgumentException("embedding z[" + i + "] is not finite: " + z[i]);
            }
        }
    }

    /** A += z z^T, b += r z, yy += r^2, n += 1, version += 1; the arguments are already checked. */
    private void add(float[] z, double r) {
        for (int i = 0; i < d; i++) {
            double zi = z[i];
            int row = i * d;
            for (int j = 0; j < d; j++) {
                A[row + j] += zi * z[j];
            }
            b[i] += r * zi;
        }
        yy += r * r;
        n += 1;
        version += 1;
    }

    /**
     * Exponential forgetting: multiplies A, b, yy and n by {@code factor} (0 &lt; factor &lt;= 1), so that an
     * observation's weight halves every {@code ln 2 / -ln factor} calls. Increments the version.
     */
    public void scale(double factor) {
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("forgetting factor must be in (0, 1], got " + factor);
        }
        multiply(factor);
        version += 1;
    }

    private void multiply(double factor) {
        for (int i = 0; i < A.length; i++) {
            A[i] *= factor;
        }
        for (int i = 0; i < d; i++) {
            b[i] *= factor;
        }
        yy *= factor;
        n *= factor;
    }

    /** An independent copy, for publishing a snapshot while updates go on. */
    public SufficientStatistics copy() {
        return new SufficientStatistics(d, n, A.clone(), b.clone(), yy, version);
    }

    public int dimension() {
        return d;
    }

    public double n() {
        return n;
    }

    /** A copy of A, row-major d x d. */
    public double[] A() {
        return A.clone();
    }

    /** A copy of b. */
    public double[] b() {
        return b.clone();
    }

    public double yy() {
        return yy;
    }

    public long version() {
        return version;
    }

    /** Reads A without copying; the caller must not modify it. */
    double[] AUnsafe() {
        return A;
    }

    /** Reads b without copying; the caller must not modify it. */
    double[] bUnsafe() {
        return b;
    }

    @Override
    public String toString() {
        return "SufficientStatistics{d=" + d + ", n=" + n + ", yy=" + yy + ", version=" + version
                + ", b=" + Arrays.toString(b) + "}";
    }

    static void requireDimension(int d) {
        if (d < 1) {
            throw new IllegalArgumentException("dimension d must be >= 1, got " + d);
        }
    }

    static void requireFinite(String name, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + values[i]);
            }
        }
    }
}
