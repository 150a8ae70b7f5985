package io.vitrine.core.bandit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference code's {@code initial_pulls} (Riquelme et al. 2018): every action is played a fixed number of
 * times round-robin before the model decides. With arms that may change between rounds, "round-robin" is: play
 * the first arm of the round with the fewest plays, while that count is below the target; with a fixed arm list
 * this is exactly the reference's {@code t % num_actions} for the first {@code num_actions * initial_pulls} rounds.
 */
final class InitialPulls {

    private final int pulls;
    private final Map<String, Integer> plays = new HashMap<>();

    InitialPulls(int pulls) {
        if (pulls < 0) {
            throw new IllegalArgumentException("initial pulls must be >= 0, got " + pulls);
        }
        this.pulls = pulls;
    }

    /** The arm to play round-robin, or -1 once every arm of the round has been played {@code pulls} times. */
    int next(List<Arm> arms) {
        int best = -1;
        int fewest = pulls;
        for (int a = 0; a < arms.size(); a++) {
            int count = plays.getOrDefault(arms.get(a).id(), 0);
            if (count < fewest) {
                fewest = count;
                best = a;
            }
        }
        return best;
    }

    void played(Arm arm) {
        if (pulls > 0) {
            plays.merge(arm.id(), 1, Integer::sum);
        }
    }
}
