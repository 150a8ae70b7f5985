package io.vitrine.core.bandit;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Epsilon-greedy (Sutton and Barto, "Reinforcement Learning", 2nd ed., section 2.2): with probability epsilon
 * play an arm uniformly at random, otherwise the arm with the highest empirical mean reward; ties are broken at
 * random. Means are kept per arm id and ignore the context. An arm never played counts as the best
 * (mean +infinity), so every arm is tried once before exploitation starts: without that, an arm whose first
 * reward was 0 would wait for the epsilon branch to be tried again.
 */
public final class EpsilonGreedyPolicy implements Policy {

    private final double epsilon;
    private final UniformRandomProvider rng;
    /** Per arm id: {count, sum of rewards}. */
    private final Map<String, double[]> stats = new HashMap<>();

    /** @param epsilon exploration probability in [0, 1] */
    public EpsilonGreedyPolicy(double epsilon, long seed) {
        if (!(epsilon >= 0 && epsilon <= 1)) {
            throw new IllegalArgumentException("epsilon must be in [0, 1], got " + epsilon);
        }
        this.epsilon = epsilon;
        this.rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    public String name() {
        return "EpsilonGreedy(" + epsilon + ")";
    }

    @Override
    public int choose(Round round) {
        List<Arm> arms = round.arms();
        // The explore draw is taken every round, so the random sequence does not depend on the means.
        boolean explore = rng.nextDouble() < epsilon;
        if (explore) {
            return rng.nextInt(arms.size());
        }
        double[] means = new double[arms.size()];
        for (int a = 0; a < means.length; a++) {
            double[] s = stats.get(arms.get(a).id());
            means[a] = s == null ? Double.POSITIVE_INFINITY : s[1] / s[0];
        }
        return Choices.argmax(means, rng);
    }

    @Override
    public void learn(Round round, int chosen, double reward) {
        Choices.requireChosen(round, chosen);
        Choices.requireFinite(reward);
        double[] s = stats.computeIfAbsent(round.arms().get(chosen).id(), id -> new double[2]);
        s[0] += 1;
        s[1] += reward;
    }

    /** Empirical mean of the arm, NaN if never played. */
    public double mean(String armId) {
        double[] s = stats.get(armId);
        return s == null ? Double.NaN : s[1] / s[0];
    }
}
