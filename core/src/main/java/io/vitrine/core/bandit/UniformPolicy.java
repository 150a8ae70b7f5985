package io.vitrine.core.bandit;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Plays an arm uniformly at random and learns nothing. The floor of every comparison: Riquelme et al. (2018)
 * report cumulative regret relative to it (uniform = 100).
 */
public final class UniformPolicy implements Policy {

    private final UniformRandomProvider rng;

    public UniformPolicy(long seed) {
        this.rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
    }

    @Override
    public String name() {
        return "Uniform";
    }

    @Override
    public int choose(Round round) {
        return rng.nextInt(round.arms().size());
    }

    @Override
    public void learn(Round round, int chosen, double reward) {
        Choices.requireChosen(round, chosen);
    }
}
