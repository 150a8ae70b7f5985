package io.vitrine.core.bandit;

import org.apache.commons.rng.UniformRandomProvider;

/** Small helpers shared by the policies. */
final class Choices {

    private Choices() {
    }

    /**
     * Index of the largest score, ties broken uniformly at random. Random tie-breaking matters at the start, when
     * all arms score the same: always taking the lowest index would bias every policy towards arm 0.
     */
    static int argmax(double[] scores, UniformRandomProvider rng) {
        int best = 0;
        int ties = 1;
        for (int a = 1; a < scores.length; a++) {
            if (scores[a] > scores[best]) {
                best = a;
                ties = 1;
            } else if (scores[a] == scores[best]) {
                // Reservoir sampling over the tied arms: each ends up chosen with probability 1 / ties.
                ties++;
                if (rng.nextInt(ties) == 0) {
                    best = a;
                }
            }
        }
        return best;
    }

    static void requireChosen(Round round, int chosen) {
        if (round == null) {
            throw new IllegalArgumentException("round must not be null");
        }
        if (chosen < 0 || chosen >= round.arms().size()) {
            throw new IllegalArgumentException("chosen arm index must be in [0, " + round.arms().size() + "), got "
                    + chosen);
        }
    }

    static void requireFinite(double reward) {
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("reward must be finite, got " + reward);
        }
    }
}
