package io.vitrine.core.bandit;

import io.vitrine.core.posterior.NigPrior;

/**
 * LinFullPost of Riquelme, Tucker and Snoek, "Deep Bayesian Bandits Showdown" (ICLR 2018): per-action Bayesian
 * linear regression with unknown noise on the raw context plus an intercept, Thompson sampling, each action
 * first played twice round-robin. Reference code: tensorflow/models
 * {@code research/deep_contextual_bandits/bandits/algorithms/linear_full_posterior_sampling.py} (intercept
 * appended last, {@code ContextualDataset(intercept=True)}) with {@code hparams_linear} of {@code example_main.py}:
 * a0 = 6, b0 = 6, lambda_prior = 0.25, initial_pulls = 2.
 * <p>
 * The reference recomputes the posterior of the played action from all its data after every update; the
 * incremental statistics here give the same posterior.
 */
public final class LinFullPost {

    /** initial_pulls of {@code hparams_linear}. */
    public static final int INITIAL_PULLS = 2;

    private LinFullPost() {
    }

    /** LinFullPost with the paper's prior {@link NigPrior#WHEEL_PAPER}. */
    public static LinearThompsonPolicy create(long seed) {
        return create(NigPrior.WHEEL_PAPER, seed);
    }

    /** LinFullPost with another prior. */
    public static LinearThompsonPolicy create(NigPrior prior, long seed) {
        return new LinearThompsonPolicy("LinFullPost", prior, FeatureMode.PER_ARM, INITIAL_PULLS, seed);
    }
}
