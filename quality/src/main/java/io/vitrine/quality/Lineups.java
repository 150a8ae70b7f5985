package io.vitrine.quality;

import io.vitrine.core.bandit.FeatureMode;
import io.vitrine.core.bandit.NeuralLinearConfig;
import io.vitrine.core.bandit.Policies;
import io.vitrine.core.posterior.NigPrior;
import java.util.List;

/**
 * The policies of each table, with the settings the report documents. The costly ones come first, so
 * that the thread pool does not end on one long run.
 */
final class Lineups {

    /** LinUCB's bonus width: 1 is Li et al.'s plain setting; the wheel's rewards are of order 1 to 50. */
    static final double WHEEL_UCB_ALPHA = 1.0;
    /** LinUCB's bonus width for click rewards in {0, 1}: smaller, since the reward's spread is below 0.5. */
    static final double IMAGE_UCB_ALPHA = 0.5;
    static final double EPSILON = 0.05;

    private Lineups() {
    }

    /** Wheel bandit rows: the paper's pair, Vitrine's default, cheap baselines and the reference Uniform. */
    static List<PolicySpec> wheel() {
        return List.of(
                PolicySpec.of(PolicyNames.NEURAL_LINEAR_PAPER, seed -> Policies.neuralLinear(NeuralLinearConfig.paper(), seed)),
                // The reference's reset_lr = True as meant: the schedule restarts at every retraining (the code's
                // reset builds a tensor its optimiser never reads, so the row above runs the decay on).
                PolicySpec.of(PolicyNames.NEURAL_LINEAR_PAPER_RESET, seed -> Policies.neuralLinear(
                        NeuralLinearConfig.paper().withLearningRate(0.1, 0.5, true), seed)),
                // The wheel pays 1 to 50: Vitrine's setting for real-valued rewards (squared error, a prior for them).
                PolicySpec.of(PolicyNames.VITRINE, seed -> Policies.neuralLinear(NeuralLinearConfig.vitrineRealRewards(),
                        seed)),
                PolicySpec.of(PolicyNames.LIN_FULL_POST, Policies::linFullPost),
                PolicySpec.of(PolicyNames.LIN_UCB_PER_ARM, seed -> Policies.linUcb(WHEEL_UCB_ALPHA, FeatureMode.PER_ARM, seed)),
                PolicySpec.of(PolicyNames.EPSILON_GREEDY, seed -> Policies.epsilonGreedy(EPSILON, seed)),
                PolicySpec.of(PolicyNames.UNIFORM, Policies::uniform));
    }

    /** Image world rows: Vitrine, the linear baselines on raw features, per-image baselines, references. */
    static List<PolicySpec> images() {
        return List.of(
                PolicySpec.of(PolicyNames.VITRINE, seed -> Policies.neuralLinear(NeuralLinearConfig.vitrineDefault(), seed)),
                PolicySpec.of(PolicyNames.LINEAR_TS_PER_ARM,
                        seed -> Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.PER_ARM, seed)),
                PolicySpec.of(PolicyNames.LIN_UCB_PER_ARM, seed -> Policies.linUcb(IMAGE_UCB_ALPHA, FeatureMode.PER_ARM, seed)),
                PolicySpec.of(PolicyNames.LINEAR_TS_SHARED,
                        seed -> Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.SHARED, seed)),
                PolicySpec.of(PolicyNames.LIN_UCB_SHARED, seed -> Policies.linUcb(IMAGE_UCB_ALPHA, FeatureMode.SHARED, seed)),
                PolicySpec.of(PolicyNames.BETA_BERNOULLI, Policies::betaBernoulli),
                PolicySpec.of(PolicyNames.EPSILON_GREEDY, seed -> Policies.epsilonGreedy(EPSILON, seed)),
                PolicySpec.of(PolicyNames.UNIFORM, Policies::uniform),
                ImageEnvironmentSpec.defaults().knownModel(),
                PolicySpec.oracle());
    }
}
