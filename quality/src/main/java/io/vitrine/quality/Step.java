package io.vitrine.quality;

import io.vitrine.core.bandit.Round;

/**
 * One round of an environment: what the policy sees, and what only the harness may see.
 *
 * @param round    the context and the offered arms
 * @param expected expected reward of every arm (regret is measured on these, not on noisy draws)
 * @param rewards  the reward every arm would pay in this round; the policy learns only the chosen one.
 *                 Drawing them all before the choice keeps the environment's random stream independent
 *                 of the policy, so policies on the same seed face the same visitors and the same luck.
 */
public record Step(Round round, double[] expected, double[] rewards) {

    public Step {
        if (expected.length != round.arms().size() || rewards.length != expected.length) {
            throw new IllegalArgumentException("one expected reward and one reward per arm");
        }
    }

    /** Index of the arm with the largest expected reward (the first on ties). */
    public int bestArm() {
        int best = 0;
        for (int a = 1; a < expected.length; a++) {
            if (expected[a] > expected[best]) {
                best = a;
            }
        }
        return best;
    }

    /** Expected reward of the best arm: what an all-knowing policy earns on average. */
    public double optimal() {
        return expected[bestArm()];
    }
}
