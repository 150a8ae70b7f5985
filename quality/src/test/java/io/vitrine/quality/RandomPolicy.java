package io.vitrine.quality;

import io.vitrine.core.bandit.Policy;
import io.vitrine.core.bandit.Round;
import java.util.SplittableRandom;

/** A seeded uniform policy, so the harness is tested without the policies of core. */
final class RandomPolicy implements Policy {

    private final SplittableRandom random;

    RandomPolicy(long seed) {
        this.random = new SplittableRandom(seed);
    }

    static PolicySpec spec() {
        return PolicySpec.of(Summary.UNIFORM, RandomPolicy::new);
    }

    @Override
    public String name() {
        return Summary.UNIFORM;
    }

    @Override
    public int choose(Round round) {
        return random.nextInt(round.arms().size());
    }

    @Override
    public void learn(Round round, int chosen, double reward) {
    }
}
