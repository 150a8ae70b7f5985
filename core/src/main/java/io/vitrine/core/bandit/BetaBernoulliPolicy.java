package io.vitrine.core.bandit;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ChengBetaSampler;
import org.apache.commons.rng.simple.RandomSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Beta-Bernoulli Thompson sampling per arm id (Thompson 1933; Chapelle and Li, "An Empirical Evaluation of
 * Thompson Sampling", NIPS 2011): arm a has a Beta(1 + s_a, 1 + f_a) posterior over its click rate, starting from
 * the uniform Beta(1, 1); each round draws one rate per arm and plays the largest. A reward r in [0, 1] adds r to
 * s_a and 1 - r to f_a, which for 0/1 rewards is the exact conjugate update and for fractional rewards the usual
 * generalisation (Agrawal and Goyal 2012 use a Bernoulli trial instead; the expectation is the same). Ignores the
 * context: the per-candidate baseline of the image world.
 */
public final class BetaBernoulliPolicy implements Policy {

    private final UniformRandomProvider rng;
    /** Per arm id: {successes, failures}. */
    private final Map<String, double[]> counts = new HashMap<>();

    public BetaBernoulliPolicy(long seed) {
        this.rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
    }

    @Override
    public String name() {
        return "BetaBernoulli";
    }

    @Override
    public int choose(Round round) {
        List<Arm> arms = round.arms();
        double[] draws = new double[arms.size()];
        for (int a = 0; a < draws.length; a++) {
            double[] c = counts.get(arms.get(a).id());
            double alpha = 1 + (c == null ? 0 : c[0]);
            double beta = 1 + (c == null ? 0 : c[1]);
            draws[a] = ChengBetaSampler.of(rng, alpha, beta).sample();
        }
        return Choices.argmax(draws, rng);
    }

    @Override
    public void learn(Round round, int chosen, double reward) {
        Choices.requireChosen(round, chosen);
        if (!(reward >= 0 && reward <= 1)) {
            throw new IllegalArgumentException("Beta-Bernoulli rewards must be in [0, 1], got " + reward);
        }
        double[] c = counts.computeIfAbsent(round.arms().get(chosen).id(), id -> new double[2]);
        c[0] += reward;
        c[1] += 1 - reward;
    }
}
