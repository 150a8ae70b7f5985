package io.vitrine.evaluation;

import io.vitrine.core.bandit.Arm;
import io.vitrine.core.bandit.Policy;
import io.vitrine.core.bandit.Round;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The logging and target policies of the coverage study. */
final class StudyPolicies {

    private StudyPolicies() {
    }

    /**
     * Epsilon-greedy on a noisy copy of the true click model: the best action by the copy gets 1 - epsilon, the
     * rest share epsilon; with epsilon = 0 a deterministic policy. The noise (scaled with the world's click rate)
     * makes it a policy one might have trained, not the oracle.
     */
    static TargetPolicy noisyGreedy(LinearClickWorld world, double epsilon, double noise, long seed) {
        Random random = new Random(seed);
        int actions = world.actions();
        double[] bias = new double[actions];
        for (int a = 0; a < actions; a++) {
            bias[a] = world.scale() * noise * random.nextGaussian();
        }
        return new TargetPolicy() {
            @Override
            public String name() {
                return epsilon == 0 ? "greedy on a noisy model (deterministic)"
                        : "ε-greedy on a noisy model (ε = " + epsilon + ")";
            }

            @Override
            public double[] probabilities(LoggedRound round) {
                double[] p = world.clickProbabilities(round.context());
                int best = 0;
                for (int a = 1; a < actions; a++) {
                    if (p[a] + bias[a] > p[best] + bias[best]) {
                        best = a;
                    }
                }
                double[] pi = new double[actions];
                java.util.Arrays.fill(pi, epsilon / actions);
                pi[best] += 1 - epsilon;
                return pi;
            }
        };
    }

    /** Softmax of the true click probabilities at temperature tau (scaled with the world's click rate). */
    static TargetPolicy softmax(LinearClickWorld world, double tau) {
        return new TargetPolicy() {
            @Override
            public String name() {
                return "softmax of the true model (τ = " + tau + ")";
            }

            @Override
            public double[] probabilities(LoggedRound round) {
                double[] p = world.clickProbabilities(round.context());
                double max = java.util.Arrays.stream(p).max().orElse(0);
                double[] pi = new double[p.length];
                double sum = 0;
                for (int a = 0; a < p.length; a++) {
                    pi[a] = Math.exp((p[a] - max) / (tau * world.scale()));
                    sum += pi[a];
                }
                for (int a = 0; a < p.length; a++) {
                    pi[a] /= sum;
                }
                return pi;
            }
        };
    }

    /**
     * Logs {@code rounds} decisions of {@code policy} in the world, learning as it goes, with a share
     * {@code exploration} of uniform exploration: each round a coin with that probability picks an action
     * uniformly, otherwise the policy chooses. The logged propensity is the mixture's,
     * {@code exploration / K + (1 - exploration) p}, where p, the policy's probability of the logged action, is
     * estimated by Monte Carlo as Vitrine's sampler does: the decision's draw (when the policy chose) plus
     * {@code draws} more of the policy's choice on the same round, (in the decision ? 1 : 0) + matches over
     * (1 + draws). With {@code draws} = 0 the policy must be uniform and the propensity is 1 / K.
     */
    static List<LoggedRound> log(LinearClickWorld world, Policy policy, int rounds, int draws, double exploration,
                                 long seed) {
        if (!(exploration >= 0 && exploration <= 1)) {
            throw new IllegalArgumentException("exploration must be in [0, 1], got " + exploration);
        }
        Random random = new Random(seed);
        List<Arm> arms = new ArrayList<>();
        for (int a = 0; a < world.actions(); a++) {
            arms.add(new Arm("a" + a, new float[0]));
        }
        int actions = world.actions();
        List<LoggedRound> log = new ArrayList<>(rounds);
        for (int t = 0; t < rounds; t++) {
            float[] x = world.context(random);
            Round round = new Round(x, arms);
            boolean explored = random.nextDouble() < exploration;
            int chosen = explored ? random.nextInt(actions) : policy.choose(round);
            double propensity = 1.0 / actions;
            if (draws > 0) {
                int matches = explored ? 0 : 1;
                for (int m = 0; m < draws; m++) {
                    if (policy.choose(round) == chosen) {
                        matches++;
                    }
                }
                propensity = exploration / actions + (1 - exploration) * matches / (1.0 + draws);
            }
            double reward = random.nextDouble() < world.clickProbabilities(x)[chosen] ? 1 : 0;
            policy.learn(round, chosen, reward);
            log.add(new LoggedRound(x, actions, chosen, reward, propensity));
        }
        return log;
    }
}
