package io.vitrine.evaluation;

import java.util.Random;

/**
 * A contextual bandit with known click probabilities, for checking estimators against the truth:
 * {@code actions} actions, contexts x ~ N(0, I_d), and
 * <pre>
 *   p_a(x) = clamp(base + offset_a + slope (w_a . x), 0.02, 0.98)
 * </pre>
 * with unit vectors w_a and offsets drawn once from the world's seed. The click probabilities are linear in x
 * almost everywhere (the clamp bites beyond three standard deviations), so a per-action linear reward model
 * is nearly right, as the direct method assumes; the importance-weighted estimators do not need it.
 * <p>
 * A sparse world of click rate {@code rate} scales every probability by rate / base, the clamp included:
 * {@code p_a(x) = (rate / base) clamp(base + offset_a + slope (w_a . x), 0.02, 0.98)}, so that its clicks are as
 * rare as on a real page (0.5%) and its actions differ in the same proportions.
 */
public final class LinearClickWorld {

    static final double BASE = 0.2;
    static final double SLOPE = 0.06;

    private final int actions;
    private final int dimension;
    private final double[][] w;
    private final double[] offset;
    private final double scale;

    public LinearClickWorld(int actions, int dimension, long seed) {
        this(actions, dimension, seed, BASE);
    }

    /** A world whose mean click probability is about {@code rate} (in (0, base]). */
    public LinearClickWorld(int actions, int dimension, long seed, double rate) {
        if (!(rate > 0 && rate <= BASE)) {
            throw new IllegalArgumentException("rate must be in (0, " + BASE + "], got " + rate);
        }
        this.scale = rate / BASE;
        this.actions = actions;
        this.dimension = dimension;
        Random random = new Random(seed);
        w = new double[actions][dimension];
        offset = new double[actions];
        for (int a = 0; a < actions; a++) {
            double norm = 0;
            for (int j = 0; j < dimension; j++) {
                w[a][j] = random.nextGaussian();
                norm += w[a][j] * w[a][j];
            }
            for (int j = 0; j < dimension; j++) {
                w[a][j] /= Math.sqrt(norm);
            }
            offset[a] = 0.05 * (2 * random.nextDouble() - 1);
        }
    }

    public int actions() {
        return actions;
    }

    /** rate / base: how much rarer clicks are than in the base world. */
    public double scale() {
        return scale;
    }

    public float[] context(Random random) {
        float[] x = new float[dimension];
        for (int j = 0; j < dimension; j++) {
            x[j] = (float) random.nextGaussian();
        }
        return x;
    }

    /** p_a(x) for every action. */
    public double[] clickProbabilities(float[] x) {
        double[] p = new double[actions];
        for (int a = 0; a < actions; a++) {
            double score = 0;
            for (int j = 0; j < dimension; j++) {
                score += w[a][j] * x[j];
            }
            p[a] = scale * Math.max(0.02, Math.min(0.98, BASE + offset[a] + SLOPE * score));
        }
        return p;
    }

    /**
     * The true value of a target policy, E_x sum_a pi(a | x) p_a(x), by Monte Carlo over {@code contexts}
     * fresh contexts (standard error below 0.3 / sqrt(contexts)).
     */
    public double value(TargetPolicy policy, int contexts, long seed) {
        Random random = new Random(seed);
        double sum = 0;
        for (int i = 0; i < contexts; i++) {
            float[] x = context(random);
            double[] pi = policy.probabilities(new LoggedRound(x, actions, 0, 0, 1));
            double[] p = clickProbabilities(x);
            for (int a = 0; a < actions; a++) {
                sum += pi[a] * p[a];
            }
        }
        return sum / contexts;
    }
}
