package io.vitrine.core.bandit;

import io.vitrine.core.posterior.NigPrior;

/**
 * The policies Vitrine is measured with, by name. Every policy owns a generator seeded with {@code seed}, so the
 * same seed and the same rewards give the same choices.
 */
public final class Policies {

    private Policies() {
    }

    /** Uniformly random arm, no learning. */
    public static Policy uniform(long seed) {
        return new UniformPolicy(seed);
    }

    /** Per-arm empirical means, a random arm with probability epsilon. */
    public static Policy epsilonGreedy(double epsilon, long seed) {
        return new EpsilonGreedyPolicy(epsilon, seed);
    }

    /** Per-arm Beta(1, 1) Thompson sampling for rewards in [0, 1]. */
    public static Policy betaBernoulli(long seed) {
        return new BetaBernoulliPolicy(seed);
    }

    /** LinUCB (Li et al. 2010) with bonus width alpha. */
    public static Policy linUcb(double alpha, FeatureMode mode, long seed) {
        return new LinUcbPolicy(alpha, mode, seed);
    }

    /** Normal-Inverse-Gamma linear Thompson sampling on raw features. */
    public static Policy linearThompson(NigPrior prior, FeatureMode mode, long seed) {
        return new LinearThompsonPolicy(prior, mode, seed);
    }

    /** LinFullPost of Riquelme et al. (2018): per-arm linear TS, prior (0.25, 6, 6), two initial pulls. */
    public static Policy linFullPost(long seed) {
        return LinFullPost.create(seed);
    }

    /** NeuralLinear, e.g. with {@link NeuralLinearConfig#paper()} or {@link NeuralLinearConfig#vitrineDefault()}. */
    public static Policy neuralLinear(NeuralLinearConfig config, long seed) {
        return new NeuralLinearPolicy(config, seed);
    }
}
