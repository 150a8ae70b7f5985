package io.vitrine.core.bandit;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

import java.util.ArrayList;
import java.util.List;

/** Small simulated problems for the policy tests, each with its own seeded generator. */
final class Worlds {

    /** A problem: the next round, the reward of an arm in it, and its best expected reward. */
    interface World {
        Round next();

        double reward(Round round, int arm);

        int best(Round round);

        double expected(Round round, int arm);
    }

    private Worlds() {
    }

    static List<Arm> arms(int K, int featureLength) {
        List<Arm> arms = new ArrayList<>();
        for (int a = 0; a < K; a++) {
            float[] f = new float[featureLength];
            if (featureLength > 0) {
                f[a % featureLength] = 1f;
            }
            arms.add(new Arm("arm-" + a, f));
        }
        return arms;
    }

    /** K Bernoulli arms with fixed click rates; the context is the constant {1}, arm features are one-hot. */
    static World bernoulli(double[] rates, long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        Round round = new Round(new float[]{1f}, arms(rates.length, rates.length));
        return new World() {
            public Round next() {
                return round;
            }

            public double reward(Round r, int arm) {
                return rng.nextDouble() < rates[arm] ? 1 : 0;
            }

            public int best(Round r) {
                int best = 0;
                for (int a = 1; a < rates.length; a++) {
                    if (rates[a] > rates[best]) {
                        best = a;
                    }
                }
                return best;
            }

            public double expected(Round r, int arm) {
                return rates[arm];
            }
        };
    }

    /** Linear rewards {@code x . theta_a + N(0, 0.1^2)}, x uniform in [-1, 1]^2: the best arm depends on x. */
    static World linear(long seed) {
        double[][] theta = {{1, 0}, {-1, 0}, {0, 1}};
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ZigguratSampler.NormalizedGaussian noise = ZigguratSampler.NormalizedGaussian.of(rng);
        List<Arm> arms = arms(3, 3);
        return new World() {
            public Round next() {
                return new Round(new float[]{(float) (2 * rng.nextDouble() - 1), (float) (2 * rng.nextDouble() - 1)},
                        arms);
            }

            public double expected(Round r, int arm) {
                return r.context()[0] * theta[arm][0] + r.context()[1] * theta[arm][1];
            }

            public double reward(Round r, int arm) {
                return expected(r, arm) + 0.1 * noise.sample();
            }

            public int best(Round r) {
                return argmaxExpected(this, r);
            }
        };
    }

    /**
     * A wheel-like problem with a non-linear rule, x uniform in [-1, 1]^2: arm 0 pays 1 when x1 x2 &gt; 0 (first and
     * third quadrants), arm 1 pays 1 when x1 x2 &lt; 0, arm 2 always pays 0.6; noise N(0, 0.05^2). No linear
     * function of x separates the quadrants, so a linear model plays the safe arm 2 (0.6 a round) while a model
     * that learns the XOR gets 1.
     */
    static World quadrants(long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ZigguratSampler.NormalizedGaussian noise = ZigguratSampler.NormalizedGaussian.of(rng);
        List<Arm> arms = arms(3, 3);
        return new World() {
            public Round next() {
                return new Round(new float[]{(float) (2 * rng.nextDouble() - 1), (float) (2 * rng.nextDouble() - 1)},
                        arms);
            }

            public double expected(Round r, int arm) {
                boolean same = r.context()[0] * r.context()[1] > 0;
                return switch (arm) {
                    case 0 -> same ? 1 : 0;
                    case 1 -> same ? 0 : 1;
                    default -> 0.6;
                };
            }

            public double reward(Round r, int arm) {
                return expected(r, arm) + 0.05 * noise.sample();
            }

            public int best(Round r) {
                return argmaxExpected(this, r);
            }
        };
    }

    static int argmaxExpected(World w, Round r) {
        int best = 0;
        for (int a = 1; a < r.arms().size(); a++) {
            if (w.expected(r, a) > w.expected(r, best)) {
                best = a;
            }
        }
        return best;
    }

    /** The outcome of a run. */
    record Run(int[] choices, double[] expectedRewards, boolean[] optimal) {
        /** Fraction of optimal choices among the last {@code last} rounds. */
        double optimalRate(int last) {
            int count = 0;
            for (int t = optimal.length - last; t < optimal.length; t++) {
                count += optimal[t] ? 1 : 0;
            }
            return count / (double) last;
        }

        double meanExpectedReward(int last) {
            double sum = 0;
            for (int t = expectedRewards.length - last; t < expectedRewards.length; t++) {
                sum += expectedRewards[t];
            }
            return sum / last;
        }

        /** Fraction of rounds in which arm a was played. */
        double share(int a) {
            int count = 0;
            for (int c : choices) {
                count += c == a ? 1 : 0;
            }
            return count / (double) choices.length;
        }
    }

    static Run run(Policy policy, World world, int rounds) {
        int[] choices = new int[rounds];
        double[] expected = new double[rounds];
        boolean[] optimal = new boolean[rounds];
        for (int t = 0; t < rounds; t++) {
            Round round = world.next();
            int a = policy.choose(round);
            choices[t] = a;
            expected[t] = world.expected(round, a);
            optimal[t] = world.expected(round, a) >= world.expected(round, world.best(round));
            policy.learn(round, a, world.reward(round, a));
        }
        return new Run(choices, expected, optimal);
    }
}
