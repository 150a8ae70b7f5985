package io.vitrine.quality;

import io.vitrine.core.bandit.Policy;
import io.vitrine.core.bandit.Round;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Epsilon-greedy on per-arm means: a learning policy whose result depends on the rewards it sees. */
final class GreedyPolicy implements Policy {

    private final SplittableRandom random;
    private final Map<String, double[]> stats = new HashMap<>();

    GreedyPolicy(long seed) {
        this.random = new SplittableRandom(seed);
    }

    static PolicySpec spec() {
        return PolicySpec.of("Greedy", GreedyPolicy::new);
    }

    @Override
    public String name() {
        return "Greedy";
    }

    @Override
    public int choose(Round round) {
        if (random.nextDouble() < 0.1) {
            return random.nextInt(round.arms().size());
        }
        int best = 0;
        double bestMean = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < round.arms().size(); a++) {
            double[] s = stats.get(round.arms().get(a).id());
            double mean = s == null ? Double.POSITIVE_INFINITY : s[0] / s[1];
            if (mean > bestMean) {
                bestMean = mean;
                best = a;
            }
        }
        return best;
    }

    @Override
    public void learn(Round round, int chosen, double reward) {
        double[] s = stats.computeIfAbsent(round.arms().get(chosen).id(), id -> new double[2]);
        s[0] += reward;
        s[1]++;
    }
}
